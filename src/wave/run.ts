import type { ContainContext } from '../context';
import { loadStatuses, loadUsers, saveStatuses, type Campaign, type UserStatus, type WaveUser } from './campaign';
import { containUser } from './open-user';
import { statusOf } from './progress';

export interface SliceOptions {
  /** Stop taking new users after this long (the rest is the next slice's): a queue message is no long-running job. */
  budgetMs: number;
  /** Users opened at once. Discovery waits on the report budget anyway (src/graph/pacing.ts); a few at once keep its
   * window full while another user's reads, storage and chat calls are under way. */
  concurrency: number;
}

export interface SliceResult {
  /** The campaign with its cursor moved past every user who has a status. */
  campaign: Campaign;
  users: WaveUser[];
  statuses: Map<number, UserStatus>;
  /** Users not opened yet (their slice comes next, at once). */
  toOpen: number;
  /** Everyone opened, and every incident's actions done: nothing will change by itself any more. */
  finished: boolean;
}

/**
 * One slice of a wave: open the next users' incidents (each once: src/wave/open-user.ts) until the time budget is
 * spent, then read where every running incident stands. A crash anywhere repeats nothing: a user with a status is
 * skipped, one without is opened again under the same key, which finds the incident it already has.
 */
export async function runWaveSlice(ctx: ContainContext, c: Campaign, options: SliceOptions): Promise<SliceResult> {
  const [users, statuses] = await Promise.all([loadUsers(ctx, c), loadStatuses(ctx, c)]);
  const changed = new Set<number>();
  const set = (i: number, s: UserStatus) => {
    statuses.set(i, s);
    changed.add(i);
  };
  const excluded = new Set(c.decision?.excluded ?? []);
  const deadline = Date.now() + options.budgetMs;
  let next = c.cursor;
  // A failure (Graph or storage out for good) stops the slice: what was done is saved, the queue brings it back.
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < c.count && Date.now() < deadline) {
      const i = next++;
      if (statuses.has(i)) continue;
      if (excluded.has(i)) {
        set(i, { state: 'left' });
        continue;
      }
      try {
        const s = await containUser(ctx, c, i, users[i]);
        if (s !== 'busy') set(i, s);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  if (failure !== undefined) {
    await saveStatuses(ctx, c, statuses, changed);
    throw failure;
  }
  let cursor = c.cursor;
  while (cursor < c.count && statuses.has(cursor)) cursor++;

  await Promise.all(
    [...statuses]
      .filter(([, s]) => s.state === 'running' && s.incidentId)
      .map(async ([i, s]) => {
        const now = statusOf(s.incidentId!, await ctx.store.listActions(s.incidentId!));
        if (now.state !== s.state || now.note !== s.note) set(i, now);
      }),
  );
  await saveStatuses(ctx, c, statuses, changed);
  const finished = cursor >= c.count && [...statuses.values()].every((s) => s.state !== 'running');
  return { campaign: { ...c, cursor }, users, statuses, toOpen: c.count - cursor, finished };
}
