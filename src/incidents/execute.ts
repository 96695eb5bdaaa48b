import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { sleep } from '../graph/retry';
import { acquireLease, LeaseLost } from './lease';
import type { Notifier } from './notifier';
import { Run } from './execute-run';

export type ExecuteOutcome = 'done' | 'nothing-to-do' | 'busy' | 'taken-over';

/** How long a run waits for another holder's lease to run out before leaving the message to the queue. */
const MAX_LEASE_WAIT_MS = 15_000;

/**
 * Run an incident's approved actions exactly once, under its execution lease. Each action moves approved -> running
 * -> sending -> succeeded|failed|skipped, every step a compare-and-swap written as soon as its answer is known. Rounds
 * of one parallel $batch each: evidence snapshots (and, after a crash, read-backs of changes whose answer was lost)
 * first; then the changes of phase 1 (sessions, password), which must settle before phase 2 (the rest) is sent; each
 * change's read-back rides in the next round. A change whose answer is unknown (5xx, timeout, dropped connection,
 * a worker that died) is never sent again before the tenant shows it was not made.
 */
export async function executeActions(
  ctx: ContainContext,
  msg: { incidentId: string; actionIds: string[] },
  notifier: Notifier,
  options: { signal?: AbortSignal } = {},
): Promise<ExecuteOutcome> {
  const log = ctx.log.child({ incidentId: msg.incidentId });
  let lease = await acquireLease(ctx, msg.incidentId);
  // A lease about to run out (its holder died) is waited for here rather than through the queue's growing backoff.
  if ('busyUntil' in lease && lease.busyUntil - ctx.now().getTime() <= MAX_LEASE_WAIT_MS) {
    await sleep(Math.max(0, lease.busyUntil - ctx.now().getTime()) + 50, options.signal);
    lease = await acquireLease(ctx, msg.incidentId);
  }
  if ('busyUntil' in lease) return 'busy';
  const signal = options.signal ? AbortSignal.any([options.signal, lease.signal]) : lease.signal;
  const run = new Run(ctx, lease, notifier, log, signal);
  let workLeft = true;
  try {
    const outcome = await run.execute();
    workLeft = run.workLeft();
    if (workLeft) {
      log.warn('actions left for a later delivery', { code: run.transient?.code });
      throw (
        run.transient ??
        new ContainError('GRAPH_UNAVAILABLE', 'Some actions could not finish yet; they will be retried.', { transient: true })
      );
    }
    return outcome;
  } catch (err) {
    if (err instanceof LeaseLost || lease.signal.reason instanceof LeaseLost) {
      log.warn('stopped: another worker holds these actions now', { fence: lease.fence });
      workLeft = false; // the new holder owns the lease row; this worker must not write it
      return 'taken-over';
    }
    throw err;
  } finally {
    await lease.release(workLeft);
  }
}
