import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { parseActionRef, parseStepRef, stepRef } from '../ids';
import { stepListView } from '../views/containment';
import type { StepListView, Tone } from '../views/types';
import type { Actor } from './model';
import { authorize, refuseTarget } from './policy';
import { BUTTON_ROLES } from './roles';

/**
 * "Show all" of a playbook step: every one of its actions as they stand now, for a responder or approver
 * (BUTTON_ROLES) other than the person the incident contains: the same people who may read its status and report.
 */
export async function showStep(
  ctx: ContainContext,
  ref: string,
  actor: Actor,
  banner?: { tone: Tone; text: string },
): Promise<StepListView> {
  const parsed = parseStepRef(ref);
  const incident = parsed && (await ctx.store.getIncident(parsed.incidentId));
  if (!parsed || !incident) throw new ContainError('NOT_FOUND', 'That incident or step no longer exists.');
  refuseTarget(incident, actor);
  await authorize(ctx, actor, BUTTON_ROLES['show-step'], 'Show all');
  return stepListView(incident, await ctx.store.listActions(incident.id), parsed.step, banner);
}

/** The step a button's reference belongs to: a step's reference as it is, an action's the reference of its step. */
export async function stepOf(ctx: ContainContext, ref: string): Promise<string | undefined> {
  if (parseStepRef(ref)) return ref;
  const a = parseActionRef(ref);
  const action = a && (await ctx.store.getAction(a.incidentId, a.actionId));
  return action ? stepRef(action.incidentId, action.step) : undefined;
}
