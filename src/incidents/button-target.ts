import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { parseActionRef } from '../ids';
import type { Action, Actor, Incident } from './model';
import { authorize, refuseTarget } from './policy';
import type { Role } from './roles';

/**
 * The incident and action a button on one action points at, once the presser may press it: never the person the
 * incident contains, and only with the button's role (`label` names the button in the refusal).
 */
export async function actionForButton(
  ctx: ContainContext,
  ref: string,
  actor: Actor,
  role: Role,
  label: string,
): Promise<{ incident: Incident; action: Action }> {
  const parsed = parseActionRef(ref);
  const action = parsed && (await ctx.store.getAction(parsed.incidentId, parsed.actionId));
  const incident = parsed && (await ctx.store.getIncident(parsed.incidentId));
  if (!action || !incident) throw new ContainError('NOT_FOUND', 'That incident or action no longer exists.');
  refuseTarget(incident, actor);
  await authorize(ctx, actor, role, label);
  return { incident, action };
}
