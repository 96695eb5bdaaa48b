import type { ContainContext } from '../context';
import { ConcurrencyError } from '../store/incident-store';
import { incidentView } from '../views/incident';
import type { Action } from './model';
import type { Notifier } from './notifier';

export interface SweepResult {
  expired: number;
  requeued: number;
}

/** An approved action with no worker progress for this long has lost its queue message; queue it again. */
const STALE_APPROVED_MS = 2 * 60_000;

/**
 * The timer's job: expire approvals nobody decided (and say so on the card), and hand incidents whose execution lease
 * ran out with work left (a worker died) back to the queue. Safe to run concurrently: every change is a compare-and-swap.
 */
export async function sweep(ctx: ContainContext, notifierFor: (incidentId: string) => Promise<Notifier>): Promise<SweepResult> {
  const now = ctx.now();
  const nowIso = now.toISOString();
  const result: SweepResult = { expired: 0, requeued: 0 };
  const touched = new Set<string>();

  for (const action of await ctx.store.findActions({ state: 'proposed', before: { field: 'expiresAt', time: nowIso } })) {
    if (await swap(ctx, { ...action, state: 'expired' })) {
      result.expired++;
      touched.add(action.incidentId);
      await ctx.store.appendAudit(action.incidentId, {
        at: nowIso,
        event: 'action.expired',
        actionId: action.id,
        details: { title: action.title, expiresAt: action.expiresAt },
      });
    }
  }
  // A worker that died (or whose queue message was lost) left work under a lease it no longer renews.
  for (const lease of await ctx.store.findStaleLeases(nowIso)) {
    // The next worker takes the lease, verifies whatever was in flight, and repeats nothing: duplicates are harmless.
    await ctx.queue.send({
      type: 'execute',
      incidentId: lease.incidentId,
      actionIds: ['*'],
      key: `${lease.incidentId}/sweep-${lease.fence}`,
    });
    result.requeued++;
    await ctx.store.appendAudit(lease.incidentId, {
      at: nowIso,
      event: 'actions.requeued',
      details: { fence: lease.fence, leaseUntil: lease.until },
    });
  }
  const lost = (await ctx.store.findActions({ state: 'approved', before: { field: 'proposedAt', time: nowIso } })).filter(
    (a) => Date.parse(a.decision?.at ?? a.proposedAt) < now.getTime() - STALE_APPROVED_MS,
  );
  for (const action of lost) {
    await ctx.queue.send({
      type: 'execute',
      incidentId: action.incidentId,
      actionIds: [action.id],
      key: `${action.incidentId}/${action.id}/sweep-${action.attempts}`,
    });
    result.requeued++;
    await ctx.store.appendAudit(action.incidentId, {
      at: nowIso,
      event: 'action.requeued',
      actionId: action.id,
      details: { state: action.state },
    });
  }
  for (const incidentId of touched) {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) continue;
    try {
      const notifier = await notifierFor(incidentId);
      await notifier.updateCard(incident, incidentView(incident, await ctx.store.listActions(incidentId)));
    } catch (err) {
      ctx.log.warn('could not update an expired card', { incidentId, err });
    }
  }
  if (result.expired || result.requeued) ctx.log.info('sweep', { ...result });
  return result;
}

async function swap(ctx: ContainContext, next: Action): Promise<boolean> {
  try {
    await ctx.store.updateAction(next);
    return true;
  } catch (err) {
    if (err instanceof ConcurrencyError) return false;
    throw err;
  }
}
