import type { ContainContext } from '../context';
import type { Action, ActionKind, ActionResult, TargetUser } from '../incidents/model';

/** A finding: something discovery saw and why it matters. */
export interface Finding {
  objectId: string;
  title: string;
  reason: string;
}

export interface ProposedAction {
  kind: ActionKind;
  step: number;
  objectId: string;
  title: string;
  detail: string;
}

/** One playbook step: read, propose, change one object, read back. `act` must be safe to repeat. */
export interface Step {
  number: number;
  kind: ActionKind;
  name: string;
  discover(ctx: ContainContext, user: TargetUser, options: { signal?: AbortSignal }): Promise<Finding[]>;
  plan(findings: Finding[]): ProposedAction[];
  /** The object as it is now, saved with the incident before `act` changes it. */
  snapshot(ctx: ContainContext, action: Action, options: { signal?: AbortSignal }): Promise<unknown>;
  act(ctx: ContainContext, action: Action, options: { signal?: AbortSignal }): Promise<ActionResult>;
  verify(ctx: ContainContext, action: Action, evidence: unknown, options: { signal?: AbortSignal }): Promise<boolean>;
}
