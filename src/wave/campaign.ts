import type { ContainContext } from '../context';
import type { Actor, ThreadRef } from '../incidents/model';
import type { WaveUserState } from '../views/types';

/**
 * A phishing wave: the likely compromised recipients `scope` found, contained together after one approval. Kept as
 * small memos (src/store: remember/recall), so that no stored value outgrows a table property for 1,000 users: the
 * campaign itself, its users in chunks, and where each user stands in chunks.
 */
export interface Campaign {
  id: string;
  createdAt: string;
  /** The offer expires like any approval: scope results go stale. */
  expiresAt: string;
  /** Who ran `scope`: four-eyes keeps them from approving, and they are the requester of every incident. */
  requester: Actor;
  source: { userId: string; displayName: string; upn: string };
  mail?: { subject: string; sender: string };
  count: number;
  /** How many of the users the card lists with a box to untick (the rest are always in). */
  listed: number;
  state: 'proposed' | 'approved' | 'done';
  decision?: { by: Actor; at: string; excluded: number[] };
  /** Where the wave reports: the campaign card and the one progress message edited in place. */
  thread?: { platform: string; thread: ThreadRef; cardId?: string; progressId?: string };
  /** The slice the chain of queue messages is at (src/wave/run.ts), and the first user not yet opened. */
  step: number;
  cursor: number;
  /** The progress line last posted: edited only when it changes. */
  progress?: string;
  /**
   * The chain of slice messages that may run the wave: a restarted chain (src/wave/resume.ts) gets a new one, and a
   * message of an older chain does nothing, so a wave never runs as two chains for long.
   */
  chain?: string;
}

/** One user of the wave, as scope found them. */
export interface WaveUser {
  upn: string;
  userId?: string;
  reasons: string;
}

/** Where one user stands: their incident once opened, and why when nothing more will happen by itself. */
export interface UserStatus {
  state: WaveUserState;
  incidentId?: string;
  note?: string;
}

const CAMPAIGN = 'campaign';
const USERS = 'campaign-users';
const STATUS = 'campaign-status';
/** Users per stored chunk: 50 rows of a UPN, an id and shortened reasons stay well under a table property's 64 KiB. */
export const CHUNK = 50;
const chunks = (n: number) => Array.from({ length: Math.ceil(n / CHUNK) }, (_, i) => i);

type Ctx = Pick<ContainContext, 'store'>;

export async function loadCampaign(ctx: Ctx, id: string): Promise<Campaign | undefined> {
  return (await loadCampaignStamped(ctx, id))?.value;
}

/** The campaign and when it was last saved (every slice saves it: an old stamp means its chain of slices stopped). */
export async function loadCampaignStamped(ctx: Ctx, id: string): Promise<{ value: Campaign; at: string } | undefined> {
  return ctx.store.recall<Campaign>(CAMPAIGN, id);
}

export async function saveCampaign(ctx: Ctx, c: Campaign): Promise<void> {
  await ctx.store.remember(CAMPAIGN, c.id, c);
}

/** Store a new campaign and its users. */
export async function createCampaign(ctx: Ctx, c: Campaign, users: WaveUser[]): Promise<void> {
  await Promise.all(chunks(users.length).map((i) => ctx.store.remember(USERS, `${c.id}#${i}`, users.slice(i * CHUNK, (i + 1) * CHUNK))));
  await saveCampaign(ctx, c);
}

export async function loadUsers(ctx: Ctx, c: Campaign): Promise<WaveUser[]> {
  const parts = await Promise.all(
    chunks(c.count).map(async (i) => (await ctx.store.recall<WaveUser[]>(USERS, `${c.id}#${i}`))?.value ?? []),
  );
  return parts.flat();
}

/** Every user's status by index (users without one are still to be opened). */
export async function loadStatuses(ctx: Ctx, c: Campaign): Promise<Map<number, UserStatus>> {
  const out = new Map<number, UserStatus>();
  const parts = await Promise.all(
    chunks(c.count).map(async (i) => (await ctx.store.recall<Record<string, UserStatus>>(STATUS, `${c.id}#${i}`))?.value ?? {}),
  );
  for (const part of parts) for (const [k, v] of Object.entries(part)) out.set(Number(k), v);
  return out;
}

/** Write the chunks holding any of `changed` indices. */
export async function saveStatuses(ctx: Ctx, c: Campaign, all: Map<number, UserStatus>, changed: Set<number>): Promise<void> {
  const touched = new Set([...changed].map((i) => Math.floor(i / CHUNK)));
  await Promise.all(
    [...touched].map((chunk) => {
      const part: Record<string, UserStatus> = {};
      for (let i = chunk * CHUNK; i < Math.min(c.count, (chunk + 1) * CHUNK); i++) if (all.has(i)) part[i] = all.get(i)!;
      return ctx.store.remember(STATUS, `${c.id}#${chunk}`, part);
    }),
  );
}

const ACTIVE = 'wave-active';

/** An approved wave is in flight until its last slice: the sweeper looks only at these (src/wave/resume.ts). */
export async function markInFlight(ctx: Ctx, id: string): Promise<void> {
  await ctx.store.remember(ACTIVE, id, { campaignId: id });
}

export async function markLanded(ctx: Ctx, id: string): Promise<void> {
  await ctx.store.forget(ACTIVE, id);
}

export async function inFlight(ctx: Ctx): Promise<string[]> {
  return (await ctx.store.recallAll<{ campaignId: string }>(ACTIVE)).map((m) => m.value.campaignId);
}
