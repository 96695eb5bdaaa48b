import type { Action, ActionKind, ActionResult, IncidentFacts, TargetUser } from '../incidents/model';
import type { BatchRequest, BatchResponse } from '../graph/batch';
import type { Discovery } from './discover';

/** A read or write one action needs: a Graph request (batched) or a Power Automate call. */
export type Call = ({ api: 'graph' } & Omit<BatchRequest, 'id' | 'dependsOn'>) | { api: 'flow'; op: 'get' | 'stop' | 'start'; environment: string; flowId: string };

/** The answer to a Call, in one shape whichever API served it. */
export type CallResult = Pick<BatchResponse, 'status' | 'body' | 'headers'>;

export interface Finding {
  objectId: string;
  title: string;
  reason: string;
}

export interface ProposedAction {
  kind: ActionKind;
  step: number;
  objectId: string;
  params: Record<string, string>;
  title: string;
  detail: string;
  reason: string;
}

export interface AnalyzeContext {
  user: TargetUser;
  window: { start: string; reason: string };
  /** Sign-in IPs judged hostile (risky or unknown device inside the window). */
  attackerIps: Set<string>;
  tenantId?: string;
}

export interface StepAnalysis {
  proposals: ProposedAction[];
  /** What was looked at ("3 methods"), and what could not be checked, said plainly. */
  checked: string;
  notes: string[];
}

/** How one kind of action snapshots, changes and checks its object; pure request builders plus interpreters. */
export interface ActionHandler {
  kind: ActionKind;
  /** 1 runs first (sessions, password), 2 after: the playbook's order. Within a phase everything runs at once. */
  phase: 1 | 2;
  snapshot(a: Action): Call;
  change(a: Action, evidence: unknown): Call;
  /** Turn the change's answer into a result, explaining the known refusals (synced user, default method...). */
  outcome(a: Action, r: CallResult): ActionResult;
  check(a: Action): Call;
  verified(a: Action, evidence: unknown, r: CallResult): boolean;
}

/** One playbook step: analyse what discovery read, and the handlers for the actions it proposes. */
export interface StepModule {
  number: number;
  name: string;
  analyze(d: Discovery, ctx: AnalyzeContext): StepAnalysis;
  handlers: ActionHandler[];
}

export type { IncidentFacts };
