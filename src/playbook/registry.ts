import type { ActionKind } from '../incidents/model';
import type { ActionHandler, StepModule } from './types';
import { revokeSessionsStep } from './steps/01-revoke-sessions';
import { resetPasswordStep } from './steps/02-reset-password';
import { securityInfoStep } from './steps/03-security-info';
import { devicesStep } from './steps/04-devices';
import { inboxRulesStep } from './steps/05-inbox-rules';
import { flowsStep } from './steps/06-flows';
import { applicationsStep } from './steps/07-applications';

/** The containment steps in playbook order. */
export const containmentSteps: StepModule[] = [revokeSessionsStep, resetPasswordStep, securityInfoStep, devicesStep, inboxRulesStep, flowsStep, applicationsStep];

const handlers = new Map<ActionKind, ActionHandler>(containmentSteps.flatMap((s) => s.handlers.map((h) => [h.kind, h] as const)));

export function handlerFor(kind: ActionKind): ActionHandler {
  const h = handlers.get(kind);
  if (!h) throw new Error(`No handler for action kind ${kind}`);
  return h;
}

export function stepName(step: number): string {
  return containmentSteps.find((s) => s.number === step)?.name ?? `Step ${step}`;
}
