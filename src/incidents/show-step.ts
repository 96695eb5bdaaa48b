import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { parseStepRef } from '../ids';
import { stepListView } from '../views/containment';
import type { StepListView } from '../views/types';
import type { Actor } from './model';
import { authorize, refuseTarget } from './policy';
import { BUTTON_ROLES } from './roles';

/**
 * "Show all" of a playbook step: every one of its actions as they stand now, for a responder or approver
 * (BUTTON_ROLES) other than the person the incident contains: the same people who may read its status and report.
 */
export async function showStep(ctx: ContainContext, ref: string, actor: Actor): Promise<StepListView> {
  const parsed = parseStepRef(ref);
  const incident = parsed && (await ctx.store.getIncident(parsed.incidentId));
  if (!parsed || !incident) throw new ContainError('NOT_FOUND', 'That incident or step no longer exists.');
  refuseTarget(incident, actor);
  await authorize(ctx, actor, BUTTON_ROLES['show-step'], 'Show all');
  return stepListView(incident, await ctx.store.listActions(incident.id), parsed.step);
}
