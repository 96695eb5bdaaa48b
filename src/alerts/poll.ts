import type { ContainContext } from '../context';
import {
  readDefenderAlerts,
  readDefenderIncidents,
  readRiskyUsers,
  type AlertSignal,
  type AlertSource,
  type SourceRead,
  type UserSignal,
} from './sources';

/**
 * One user whose account the alert sources report compromised, to have an incident opened with requester "alert".
 * `key` is stable for the user's current generation: whoever opens the incident claims it, so a request handed out
 * twice (see REDELIVER_AFTER_MS) still opens one incident.
 */
export interface AlertIncidentRequest {
  key: string;
  userId: string;
  userPrincipalName?: string;
  displayName?: string;
  requester: 'alert';
  /** How many alert-opened incidents of this user were closed before this one. */
  generation: number;
  /** Every report of this poll about the user, across sources, highest severity first. */
  signals: AlertSignal[];
  /** The earliest report. */
  firstSeen: string;
}

export interface AlertPollResult {
  requests: AlertIncidentRequest[];
  sources: { source: AlertSource; ok: boolean; read: number; error?: string }[];
}

/** What the poll keeps per user (store.remember). */
interface UserMemo {
  generation: number;
  /** When the previous alert-opened incident was closed: only reports newer than this open the next one. */
  closedAt?: string;
  /** The incident whose closing began this generation: closing it again (a retried close) begins no other. */
  closedIncident?: string;
  /** This generation's request was handed out (and when), and whether its delivery was confirmed. */
  pending?: { since: string };
  delivered?: boolean;
}

type Cursor = Partial<Record<AlertSource, string>>;

type Ctx = Pick<ContainContext, 'graph' | 'store' | 'log' | 'now'>;

/** The first poll looks back this far; later ones start at the newest change the previous one saw, less OVERLAP_MS. */
export const INITIAL_LOOKBACK_MS = 24 * 3_600_000;
/** Sources index late and clocks differ: each poll re-reads a little of the previous one (deduplication absorbs it). */
const OVERLAP_MS = 2 * 60_000;
/** A request handed out but never confirmed delivered (the poller died in between) is handed out again after this. */
export const REDELIVER_AFTER_MS = 5 * 60_000;

const SCOPE_USER = 'alert-user';
const SCOPE_POLL = 'alert-poll';
const SCOPE_CLAIM = 'alert-open';
const SEVERITY = ['unknown', 'informational', 'low', 'medium', 'high'];

/** Sources whose refusal was logged already in this process: a missing optional permission is said once, not every minute. */
const warned = new Set<string>();

/**
 * Read Entra ID Protection risky users and Defender XDR alerts and incidents (within their budgets: the Graph client
 * paces every request), and return one request per user whose account they report compromised, deduplicated across
 * sources and polls: a user is returned once per generation, however many polls and sources report them; the next
 * generation begins when their alert-opened incident is closed (alertIncidentClosed) and needs a report newer than
 * that. Storage: a cursor per source, and per user a memo (remember/recall) and a claim per generation (claim).
 */
export async function pollAlerts(ctx: Ctx, options: { signal?: AbortSignal } = {}): Promise<AlertPollResult> {
  const started = ctx.now().getTime();
  const cursor = (await ctx.store.recall<Cursor>(SCOPE_POLL, 'cursor'))?.value ?? {};
  const since = (s: AlertSource) => cursor[s] ?? new Date(started - INITIAL_LOOKBACK_MS).toISOString();
  // Identity Protection and the security API have budgets of their own: read them side by side.
  const reads = await Promise.all([
    readRiskyUsers(ctx, since('identityProtection'), options.signal),
    readDefenderAlerts(ctx, since('defenderAlerts'), options.signal),
    readDefenderIncidents(ctx, since('defenderIncidents'), options.signal),
  ]);
  for (const r of reads) if (r.error) report(ctx, r);

  const requests: AlertIncidentRequest[] = [];
  for (const [userId, signals] of byUser(reads.flatMap((r) => r.signals))) {
    const request = await claimUser(ctx, userId, signals);
    if (request) requests.push(request);
  }
  // Only sources read whole move on (a failed one is read again from where it was), to just before the newest change
  // they showed, by their own clock.
  const next: Cursor = { ...cursor };
  for (const r of reads)
    if (!r.error)
      next[r.source] = new Date(Math.max(Date.parse(since(r.source)), r.latest ? Date.parse(r.latest) - OVERLAP_MS : 0)).toISOString();
  await ctx.store.remember(SCOPE_POLL, 'cursor', next);
  return {
    requests: requests.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen)),
    sources: reads.map((r) => ({ source: r.source, ok: !r.error, read: r.read, error: r.error?.userMessage })),
  };
}

/** The request for this user if this poll is the one to hand it out; undefined when it was, or is being, handed out. */
async function claimUser(ctx: Ctx, userId: string, signals: UserSignal[]): Promise<AlertIncidentRequest | undefined> {
  const memo: UserMemo = (await ctx.store.recall<UserMemo>(SCOPE_USER, userId))?.value ?? { generation: 0 };
  const fresh = signals.filter((s) => !memo.closedAt || Date.parse(s.signal.at) > Date.parse(memo.closedAt));
  if (!fresh.length) return undefined;
  const now = ctx.now();
  if (memo.pending) {
    if (memo.delivered || now.getTime() - Date.parse(memo.pending.since) < REDELIVER_AFTER_MS) return undefined;
    ctx.log.warn('an alert-opened incident request was never confirmed delivered; handing it out again under the same key', {
      userId,
      generation: memo.generation,
    });
    await ctx.store.remember(SCOPE_USER, userId, { ...memo, pending: { since: now.toISOString() } });
    return request(userId, memo.generation, fresh);
  }
  // Pending is written before the claim: a poller that dies in between leaves a request that is handed out again
  // later, never one that is lost. Of two pollers at once, only the one whose claim succeeds hands it out.
  await ctx.store.remember(SCOPE_USER, userId, { ...memo, pending: { since: now.toISOString() } } satisfies UserMemo);
  if (!(await ctx.store.claim(SCOPE_CLAIM, `${userId}#${memo.generation}`))) return undefined;
  return request(userId, memo.generation, fresh);
}

function request(userId: string, generation: number, signals: UserSignal[]): AlertIncidentRequest {
  const named = signals.find((s) => s.userPrincipalName) ?? signals[0];
  const ordered = signals
    .map((s) => s.signal)
    .sort((a, b) => SEVERITY.indexOf(b.severity) - SEVERITY.indexOf(a.severity) || a.at.localeCompare(b.at));
  return {
    key: `alert:${userId}#${generation}`,
    userId,
    userPrincipalName: named.userPrincipalName,
    displayName: signals.find((s) => s.displayName)?.displayName,
    requester: 'alert',
    generation,
    signals: ordered,
    firstSeen: [...ordered].sort((a, b) => a.at.localeCompare(b.at))[0].at,
  };
}

const kind = (s: AlertSignal) => (s.source === 'identityProtection' ? 'risk' : 'defender');

/** Signals grouped by user, each (source, id) once: an alert read both alone and inside its incident counts once. */
function byUser(signals: UserSignal[]): Map<string, UserSignal[]> {
  const out = new Map<string, UserSignal[]>();
  for (const s of signals) {
    const mine = out.get(s.userId) ?? out.set(s.userId, []).get(s.userId)!;
    if (!mine.some((m) => kind(m.signal) === kind(s.signal) && m.signal.id === s.signal.id)) mine.push(s);
  }
  return out;
}

/** The request was handed to whoever opens incidents: it is not handed out again for this generation. */
export async function confirmAlertRequest(
  ctx: Pick<ContainContext, 'store'>,
  r: Pick<AlertIncidentRequest, 'userId' | 'generation'>,
): Promise<void> {
  const memo = (await ctx.store.recall<UserMemo>(SCOPE_USER, r.userId))?.value;
  if (memo?.generation === r.generation) await ctx.store.remember(SCOPE_USER, r.userId, { ...memo, delivered: true } satisfies UserMemo);
}

/**
 * The user's alert-opened incident (or one an alert was noted on) was closed: the next report newer than `at` opens a
 * new one. `close` calls this after the incident is saved closed, and again when it finds it closed already (a close
 * whose worker died in between): once per incident, so a repeated close begins no further generation.
 */
export async function alertIncidentClosed(
  ctx: Pick<ContainContext, 'store' | 'now'>,
  userId: string,
  options: { incidentId?: string; at?: Date } = {},
): Promise<void> {
  const memo = (await ctx.store.recall<UserMemo>(SCOPE_USER, userId.toLowerCase()))?.value ?? { generation: 0 };
  if (options.incidentId && memo.closedIncident === options.incidentId) return;
  await ctx.store.remember(SCOPE_USER, userId.toLowerCase(), {
    generation: memo.generation + 1,
    closedAt: (options.at ?? ctx.now()).toISOString(),
    ...(options.incidentId ? { closedIncident: options.incidentId } : {}),
  } satisfies UserMemo);
}

function report(ctx: Ctx, r: SourceRead): void {
  const e = r.error!;
  const key = `${r.source}:${e.code}`;
  // A refusal (permission, licence) repeats every poll until an admin acts: said once per process. Outages each time.
  if (!e.transient && warned.has(key)) return ctx.log.debug('alert source still refused', { source: r.source, code: e.code });
  if (!e.transient) warned.add(key);
  ctx.log.warn('alert source could not be read; the others were', {
    source: r.source,
    code: e.code,
    reason: e.userMessage,
    fix: 'docs/permissions.md (optional permissions)',
  });
}
