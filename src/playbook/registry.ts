import type { ActionKind } from '../incidents/model';
import type { Step } from './step';
import { revokeSessions } from './steps/01-revoke-sessions';

/** Steps in playbook order. Steps 2-7 are added here as they land (see docs/status.md). */
export const containmentSteps: Step[] = [revokeSessions];

export function stepFor(kind: ActionKind): Step {
  const s = containmentSteps.find((x) => x.kind === kind);
  if (!s) throw new Error(`No playbook step for action kind ${kind}`);
  return s;
}
