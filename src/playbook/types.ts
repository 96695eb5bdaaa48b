import type { Action, ActionKind, ActionResult, AlertFacts, IncidentFacts, TargetUser } from '../incidents/model';
import type { BatchRequest, BatchResponse } from '../graph/batch';
import type { FlowClient, FlowSummary } from '../powerautomate/client';
import type { Answers } from './answers';
import type { ExchangeCall } from '../exchange/calls';
import type { ExchangeClient } from '../exchange/client';
import type { MailboxAuditConfig } from '../exchange/audit';
import type { MailboxForwarding } from '../exchange/forwarding';
import type { ExchangeInboxRule, RawInboxRule } from '../exchange/rules';
import type { PostureCall } from '../posture/calls';

/**
 * A read or write one action needs: a Graph request (batched), a Power Automate call, an Exchange admin API operation
 * (step 5's forwarding and hidden rules) or a defensive measure's composite Graph operation (src/posture/calls.ts).
 */
export type Call =
  | ({ api: 'graph' } & Omit<BatchRequest, 'id' | 'dependsOn'>)
  | { api: 'flow'; op: 'get' | 'stop' | 'start'; environment: string; flowId: string }
  | ExchangeCall
  | PostureCall;

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
  /** The alert reports that opened the incident, if an alert did (step 1 reads Identity Protection's from them). */
  alert?: AlertFacts;
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

/** Everything steps 2-7 judge: Graph's answers by request id, the user's Power Automate flows, and their mailbox as Exchange shows it. */
export interface Discovery {
  answers: Answers;
  flows: FlowSummary[] | { notChecked: string };
  /** Step 5's mailbox forwarding, hidden rules and audit configuration; absent where nothing read it (recorded fixtures). */
  exchange?: ExchangeDiscovery;
}

/** What the Exchange admin API showed of the user's mailbox, or why it could not be read. */
export type ExchangeDiscovery =
  | { forwarding: MailboxForwarding; rules: ExchangeInboxRule[]; raw: RawInboxRule[]; audit?: MailboxAuditConfig; auditUnreadable?: string }
  | { notChecked: string };

/** Whom discovery reads about: the user, and the start of the intrusion window as Graph filters take it. */
export interface ReadScope {
  user: TargetUser;
  /** The window start, without milliseconds. */
  since: string;
}

/**
 * What a step reads. Discovery merges every step's reads into as few Graph batches as their dependencies allow
 * (src/playbook/discover.ts): the `first` reads of all steps together, then whatever `next` asks for given the answers
 * so far, batch after batch until no step asks for anything new. Requests with the same id are made once.
 */
export interface StepReads {
  /** Reads that need only the user and the window. */
  first?(scope: ReadScope): BatchRequest[];
  /** Reads that follow from answers (any step's): asked after every batch; ids already asked are dropped. */
  next?(answers: Answers, scope: ReadScope): BatchRequest[];
  /** A read outside Graph, run alongside the first batch: the Power Automate admin API (step 6). */
  flows?(client: FlowClient | undefined, userId: string, signal?: AbortSignal): Promise<Discovery['flows']>;
  /** A read outside Graph, run alongside the first batch: the Exchange admin API (step 5). */
  exchange?(client: ExchangeClient | undefined, user: TargetUser, signal?: AbortSignal): Promise<ExchangeDiscovery>;
}

/** One containment step (1-7): what it reads, how it judges what was read, the handlers for the actions it proposes. */
export interface StepModule {
  number: number;
  name: string;
  reads?: StepReads;
  analyze(d: Discovery, ctx: AnalyzeContext): StepAnalysis;
  handlers: ActionHandler[];
}

/** One investigation step (8-10): read-only, run by a chat command, its judgement exported for the command and tests. */
export interface InvestigationStep {
  number: number;
  name: string;
  /** The command that runs it. */
  command: 'investigate' | 'scope';
}

export type { IncidentFacts };
