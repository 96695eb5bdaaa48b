import { randomUUID } from 'node:crypto';
import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { ConcurrencyError, type ExecutionLeaseRow } from '../store/incident-store';

/** Raised through the lease's signal when another worker took the lease: this worker must stop sending and writing. */
export class LeaseLost extends ContainError {
  constructor(incidentId: string) {
    super('CONFLICT', `Another worker took over the actions of ${incidentId}.`);
    this.name = 'LeaseLost';
  }
}

/** The right to run one incident's approved actions, renewed while held, fenced when lost. */
export interface HeldLease {
  readonly incidentId: string;
  readonly fence: number;
  /** Aborts with LeaseLost when the lease was taken over or could not be renewed before it ran out. */
  readonly signal: AbortSignal;
  /** Give the lease up; `workLeft` keeps it visible to the sweeper so unfinished work is handed on. */
  release(workLeft: boolean): Promise<void>;
}

/**
 * Take the incident's execution lease unless another worker holds a live one ('busy'). Renews it every third of its
 * length; a renewal that loses the compare-and-swap, or that cannot be written before the lease runs out, aborts
 * the signal. Because every action write is itself a compare-and-swap and a new holder rewrites each action it
 * takes, a worker that lost its lease finds its next write refused even before it notices the signal.
 */
export async function acquireLease(
  ctx: Pick<ContainContext, 'store' | 'now' | 'config' | 'log'>,
  incidentId: string,
): Promise<HeldLease | { busyUntil: number }> {
  const ms = ctx.config.policy.actionLeaseMs;
  const owner = randomUUID();
  const now = ctx.now().getTime();
  const existing = await ctx.store.getLease(incidentId);
  if (existing?.active && Date.parse(existing.until) > now) return { busyUntil: Date.parse(existing.until) };
  let row: ExecutionLeaseRow;
  try {
    row = await ctx.store.putLease({
      incidentId,
      owner,
      until: new Date(now + ms).toISOString(),
      fence: (existing?.fence ?? 0) + 1,
      active: true,
      etag: existing?.etag,
    });
  } catch (err) {
    if (err instanceof ConcurrencyError) return { busyUntil: now + ms };
    throw err;
  }
  const controller = new AbortController();
  const lose = (why: string) => {
    if (controller.signal.aborted) return;
    ctx.log.warn('execution lease lost', { incidentId, fence: row.fence, why });
    controller.abort(new LeaseLost(incidentId));
  };
  // Renewals are serialised: each needs the ETag the previous one returned.
  let chain = Promise.resolve();
  const renew = () => {
    chain = chain.then(async () => {
      if (controller.signal.aborted) return;
      try {
        row = await ctx.store.putLease({ ...row, until: new Date(ctx.now().getTime() + ms).toISOString() });
      } catch (err) {
        if (err instanceof ConcurrencyError) lose('taken over');
        else if (Date.parse(row.until) <= ctx.now().getTime()) lose('could not be renewed in time');
      }
    });
  };
  const timer = setInterval(renew, Math.max(50, Math.floor(ms / 3)));
  timer.unref();
  return {
    incidentId,
    fence: row.fence,
    signal: controller.signal,
    async release(workLeft) {
      clearInterval(timer);
      await chain;
      if (controller.signal.aborted) return;
      controller.abort(new LeaseLost(incidentId)); // nothing may run under a released lease
      try {
        await ctx.store.putLease({ ...row, until: ctx.now().toISOString(), active: workLeft });
      } catch (err) {
        if (!(err instanceof ConcurrencyError))
          ctx.log.warn('could not release the execution lease; it runs out by itself', { incidentId, err });
      }
    },
  };
}
