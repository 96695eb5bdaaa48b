import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { incidentView } from '../views/incident';
import type { IncidentView } from '../views/types';
import { actionId } from '../ids';
import { REPROPOSABLE, type Action, type Actor } from './model';
import { actionForButton } from './button-target';
import { BUTTON_ROLES } from './roles';

/**
 * "Propose again" on an expired or rejected action: a fresh proposal of the same change, with a new expiry, for any
 * responder or approver (BUTTON_ROLES) except the person the incident contains, so that one rejection, or the target's
 * silence, cannot block their own containment for good.
 */
export async function proposeAgain(ctx: ContainContext, ref: string, actor: Actor): Promise<{ view: IncidentView; incidentId: string }> {
  const { incident, action: old } = await actionForButton(ctx, ref, actor, BUTTON_ROLES.repropose, 'Propose again');
  if (!REPROPOSABLE.has(old.state))
    throw new ContainError('CONFLICT', `"${old.title}" is ${old.state}; only an expired or rejected proposal can be proposed again.`);
  const now = ctx.now();
  const actions = await ctx.store.listActions(incident.id);
  if (actions.some((a) => a.kind === old.kind && a.objectId === old.objectId && a.state === 'proposed')) {
    return { view: incidentView(incident, actions, { tone: 'default', text: 'It is already proposed again.' }), incidentId: incident.id };
  }
  const next: Action = {
    ...old,
    id: actionId(actions.length + 1),
    state: 'proposed',
    proposedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString(),
    decision: undefined,
    result: undefined,
    evidence: undefined,
    attempts: 0,
    leaseUntil: undefined,
    // An undo proposed again is asked for by whoever proposes it: four-eyes is against them now.
    ...(old.requestedBy ? { requestedBy: actor } : {}),
    etag: undefined,
  };
  await ctx.store.addAction(next);
  await ctx.store.appendAudit(incident.id, {
    at: now.toISOString(),
    event: 'action.proposed-again',
    actor,
    actionId: next.id,
    details: { previous: old.id, title: old.title },
  });
  return { view: incidentView(incident, await ctx.store.listActions(incident.id)), incidentId: incident.id };
}
