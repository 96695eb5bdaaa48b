import type { ContainContext } from '../context';
import { currentDoctor } from '../doctor/latest';
import { blockerFor } from '../doctor/run';
import { actionId } from '../ids';
import { confirmCompromisedProposal } from '../playbook/steps/01-revoke-sessions';
import { ConcurrencyError } from '../store/incident-store';
import type { Action, AlertFacts, Incident } from './model';
import { proposedAction } from './open-containment';

/**
 * An Identity Protection alert about a user whose incident is already open (typed `contain`, a wave): step 1's
 * "confirm compromised" proposed on that incident, as an alert-opened incident would have it. Once per incident: none
 * is added when one was ever proposed there (whatever became of it), nor on a dry run or a posture record.
 */
export async function proposeForLaterAlert(ctx: ContainContext, incident: Incident, alert: AlertFacts): Promise<Action | undefined> {
  if (incident.kind === 'posture' || incident.dryRun || incident.state === 'closed') return undefined;
  // A wave's incident has no card of its own: a proposal there would have no button and only expire.
  if (incident.facts.campaign) return undefined;
  const [proposal] = confirmCompromisedProposal({ user: incident.target, alert });
  if (!proposal) return undefined;
  const actions = await ctx.store.listActions(incident.id);
  const earlier = actions.find((a) => a.kind === 'confirmCompromised');
  // One proposed by a delivery of this alert that died before its audit entry (and so before the card showed it):
  // finished now. The caller asks only for an alert not yet noted on the incident.
  if (earlier) return earlier.state === 'proposed' ? audited(ctx, earlier, alert) : undefined;
  const now = ctx.now();
  const action = proposedAction(proposal, {
    incidentId: incident.id,
    id: actionId(actions.length + 1),
    now,
    expiresAt: new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString(),
    dryRun: false,
    blocked: blockerFor(await currentDoctor(ctx), proposal.kind),
    fastPath: false,
  });
  try {
    await ctx.store.addAction(action);
  } catch (err) {
    // Another delivery of the same alert added it first; anything else that took the id is retried by the queue.
    if (err instanceof ConcurrencyError && (await ctx.store.listActions(incident.id)).some((a) => a.kind === 'confirmCompromised'))
      return undefined;
    throw err;
  }
  return audited(ctx, action, alert);
}

/** The proposal's audit entry, written once. */
async function audited(ctx: ContainContext, action: Action, alert: AlertFacts): Promise<Action> {
  const audit = await ctx.store.listAudit(action.incidentId);
  if (!audit.some((e) => e.event === 'action.proposed' && e.actionId === action.id))
    await ctx.store.appendAudit(action.incidentId, {
      at: ctx.now().toISOString(),
      event: 'action.proposed',
      actionId: action.id,
      details: { title: action.title, alert: alert.key },
    });
  return action;
}
