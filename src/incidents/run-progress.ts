import type { ContainContext } from '../context';
import { toContainError } from '../errors';
import { ConcurrencyError } from '../store/incident-store';
import { incidentView } from '../views/incident';
import { isPostureRecord } from '../posture/record';
import type { Action, ActionResult } from './model';
import type { Notifier } from './notifier';

/**
 * Update the shared card and post one status line per action in `finished`; the incident is marked contained (a
 * posture record closed) once every action is done and one succeeded. Chat failures never undo actions.
 */
export async function reportProgress(
  ctx: ContainContext,
  notifier: Notifier,
  incidentId: string,
  finished: { a: Action; r: ActionResult }[],
): Promise<void> {
  let incident = (await ctx.store.getIncident(incidentId))!;
  const actions = await ctx.store.listActions(incident.id);
  const allDone = actions.every((a) => ['succeeded', 'failed', 'skipped', 'rejected', 'expired'].includes(a.state));
  if (allDone && incident.state === 'open' && actions.some((a) => a.state === 'succeeded')) {
    try {
      // A posture record is done once its change is: closed, so it leaves the channel's list of open incidents.
      incident = await ctx.store.updateIncident({ ...incident, state: isPostureRecord(incident) ? 'closed' : 'contained' });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  const icon = { succeeded: '✅', failed: '❌', skipped: '⏭️' } as const;
  try {
    await notifier.updateCard(incident, incidentView(incident, actions));
    await notifier.postStatus(incident, finished.map(({ a, r }) => `${icon[r.outcome]} ${a.title}: ${r.message}`).join('\n'));
  } catch (err) {
    ctx.log.warn('could not update the chat thread', { incidentId: incident.id, err: toContainError(err).userMessage });
  }
}
