import { alertIncidentClosed } from '../alerts/poll';
import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { ConcurrencyError } from '../store/incident-store';
import { message, type MessageView } from '../views/types';
import type { Actor, Incident } from './model';
import { refuseTarget } from './policy';

/** Who opens alert-opened incidents (bot/alerts.ts ALERT_ACTOR): the platform its requester carries. */
const ALERT_PLATFORM = 'alert';

/**
 * `close <incident>` (approvers): the incident is closed and says so in its audit trail. For an incident an alert
 * opened or was noted on, the alert poll starts the user's next generation (alertIncidentClosed): a report newer than the closing opens
 * a new incident; the reports the closed one answered do not. Closing twice changes nothing the second time.
 */
export async function closeIncident(
  ctx: ContainContext,
  incidentId: string,
  actor: Actor,
): Promise<{ view: MessageView; incident: Incident }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) throw new ContainError('NOT_FOUND', `No incident ${incidentId}.`);
    refuseTarget(incident, actor);
    if (incident.state === 'closed') {
      // A close whose worker died before the alert poll heard of it: said now (once per incident, however often).
      if (byAlertOf(incident)) await alertIncidentClosed(ctx, incident.target.id, { incidentId: incident.id });
      return { incident, view: message('default', `${incident.id} is closed already`, 'Nothing changed.') };
    }
    let closed: Incident;
    try {
      closed = await ctx.store.updateIncident({ ...incident, state: 'closed' });
    } catch (err) {
      if (err instanceof ConcurrencyError) continue;
      throw err;
    }
    const now = ctx.now();
    await ctx.store.appendAudit(incident.id, { at: now.toISOString(), event: 'incident.closed', actor, details: { was: incident.state } });
    const byAlert = byAlertOf(incident);
    if (byAlert) await alertIncidentClosed(ctx, incident.target.id, { incidentId: incident.id, at: now });
    const waiting = (await ctx.store.listActions(incident.id)).filter((a) => a.state === 'proposed').length;
    const text = [
      `Closed by ${actor.name}.`,
      waiting ? `${waiting} proposed action(s) were never decided; they expire unapproved.` : '',
      byAlert ? `The next alert about ${incident.target.displayName} newer than now opens a new incident.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    ctx.log.info('incident closed', { incidentId: incident.id, by: actor.aadObjectId, byAlert });
    return { incident: closed, view: message('good', `${incident.id} closed`, text) };
  }
  throw new ContainError('CONFLICT', `${incidentId} kept changing while it was being closed; try again.`, { transient: true });
}

/** Opened by an alert, or an alert was noted on it (bot/alerts.ts): either used the user's current alert generation. */
const byAlertOf = (incident: Incident) => incident.requester.platform === ALERT_PLATFORM || !!incident.facts.laterAlerts?.length;
