import type { ActionKind } from '../incidents/model';
import type { ActionHandler, InvestigationStep, StepModule } from './types';
import { revokeSessionsStep } from './steps/01-revoke-sessions';
import { resetPasswordStep } from './steps/02-reset-password';
import { securityInfoStep } from './steps/03-security-info';
import { devicesStep } from './steps/04-devices';
import { inboxRulesStep } from './steps/05-inbox-rules';
import { flowsStep } from './steps/06-flows';
import { applicationsStep } from './steps/07-applications';
import { logsStep } from './steps/08-logs';
import { otherRecipientsStep } from './steps/09-other-recipients';
import { recipientSignInsStep } from './steps/10-recipient-signins';
import { postureHandlers } from '../posture/handlers';
import { UNDO_HANDLERS } from './undo/plan';
import { confirmCompromised } from './undo/risk';

/** The containment steps in playbook order: discovery reads for them, the containment card proposes their actions. */
export const containmentSteps: StepModule[] = [
  revokeSessionsStep,
  resetPasswordStep,
  securityInfoStep,
  devicesStep,
  inboxRulesStep,
  flowsStep,
  applicationsStep,
];

/** The investigation steps, run by `investigate` and `scope`. */
export const investigationSteps: InvestigationStep[] = [logsStep, otherRecipientsStep, recipientSignInsStep];

/** The whole playbook, steps 1-10 (reference/playbook.md), one module each in src/playbook/steps/. */
export const playbook: readonly { number: number; name: string }[] = [...containmentSteps, ...investigationSteps];

/**
 * Every kind of action the engine runs: the steps' own, the defensive measures' (posture records), step 1's optional
 * "confirm compromised", and the undo of each reversible change (run after everything else: phase 2).
 */
const handlers = new Map<ActionKind, ActionHandler>([
  ...[...containmentSteps.flatMap((s) => s.handlers), ...postureHandlers].map((h) => [h.kind, h] as const),
  [confirmCompromised.kind, confirmCompromised],
  ...UNDO_HANDLERS.map((h) => [h.kind, { ...h, phase: 2 }] as const),
]);

export function handlerFor(kind: ActionKind): ActionHandler {
  const h = handlers.get(kind);
  if (!h) throw new Error(`No handler for action kind ${kind}`);
  return h;
}

export function stepName(step: number): string {
  return playbook.find((s) => s.number === step)?.name ?? `Step ${step}`;
}
