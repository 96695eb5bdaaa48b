import type { ActionState, AlertFacts, InvestigationSummary, SignInFact, TargetUser } from '../incidents/model';
import type { CampaignView, WaveOffer } from './wave-types';

export type { CampaignView, WaveOffer, WaveUserState } from './wave-types';

/** View models: what a card shows, independent of Teams or Slack. cards/ renders them; nothing else builds cards. */
export type Tone = 'default' | 'good' | 'warning' | 'attention';

export interface ActionView {
  /** Opaque reference for the buttons. */
  ref: string;
  step: number;
  title: string;
  detail: string;
  /** Why discovery flagged it. */
  reason: string;
  /** Inbox rules: the approver may delete instead of disabling. */
  deletable: boolean;
  state: ActionState;
  stateLabel: string;
  decidable: boolean;
  /** Expired or rejected: offer "Propose again". */
  reproposable: boolean;
  /** Contain's app cannot do this (contain doctor): why and the fix, shown instead of buttons. */
  blocked?: string;
  /** A done, reversible change: Undo offered (`ref` for the button), undo waiting for approval, or undone. */
  undo?: { state: 'offered' | 'requested' | 'done'; ref: string };
  /** Shown before approval when the change cannot be taken back (secrets, deleted methods, sessions, password). */
  irreversible?: string;
}

export interface ContainmentView {
  kind: 'containment';
  incidentId: string;
  dryRun: boolean;
  requesterName: string;
  target: TargetUser;
  signIns: SignInFact[];
  notes: string[];
  /** Every action, by step, the most suspicious of a step first (src/views/steps.ts). */
  actions: ActionView[];
  /** Playbook steps in order: what was checked, notes, and what deciding the whole step does. */
  steps: StepView[];
  window?: { start: string; reason: string };
  /** More than one action waits for a decision: offer "Approve all". */
  decideAll: boolean;
  /** A line for this viewer (e.g. why their click was refused). */
  banner?: { tone: Tone; text: string };
  footer: string;
  /** Opened by an alert, not a person: the reports that opened it (Identity Protection, Defender XDR), newest evidence. */
  alert?: AlertFacts;
}

/** A playbook step on the containment card: its own actions are those of ContainmentView.actions with its number. */
export interface StepView {
  step: number;
  name: string;
  checked: string;
  notes: string[];
  /** Reference for the step's buttons: Approve step, Reject step, Show all. */
  ref?: string;
  /** What "Approve step" does to the step's proposals still waiting: how many, and in words ("disable 13 inbox rules"). */
  decide?: { count: number; what: string };
}

/** "Show all" of one step: every action of the step, for the person who asked (Teams dialog, Slack modal). */
export interface StepListView {
  kind: 'step-list';
  incidentId: string;
  dryRun: boolean;
  target: TargetUser;
  step: StepView;
  /** The step's actions, the most suspicious first. */
  actions: ActionView[];
  banner?: { tone: Tone; text: string };
}

export interface ChooserView {
  kind: 'chooser';
  query: string;
  dryRun: boolean;
  candidates: Pick<TargetUser, 'id' | 'displayName' | 'userPrincipalName' | 'jobTitle'>[];
}

export interface MessageView {
  kind: 'message';
  tone: Tone;
  title: string;
  text: string;
}

export interface HelpView {
  kind: 'help';
  commands: { usage: string; description: string }[];
}

export interface ReportView {
  kind: 'report';
  incidentId: string;
  target: TargetUser;
  state: string;
  summary: string;
  actions: { title: string; state: string; by?: string; at?: string; result?: string }[];
  iocs: { ips: string[]; userAgents: string[] };
  openQuestions: string[];
  /** Where scripts fetch the Markdown (function-key protected in Azure). */
  downloadPath: string;
  /** Signed links for people in the channel. */
  download?: Download;
  notes: string[];
}

export interface IncidentListView {
  kind: 'incidents';
  title: string;
  items: { incidentId: string; target: string; state: string; pending: number; openedAt: string }[];
}

/** Signed, expiring links to the full result behind a card. */
export interface Download {
  markdown: string;
  json: string;
  /** The timeline picture (SVG), when the result has one. */
  timeline?: string;
  expires: string;
}

export interface InvestigationView extends InvestigationSummary {
  kind: 'investigation';
  download?: Download;
  target: TargetUser;
  sinceDays: number;
}

export interface ScopeView {
  kind: 'scope';
  download?: Download;
  target: TargetUser;
  mail?: {
    sender: string;
    subject: string;
    time: string;
    recipients: number;
    messageId?: string;
    source: 'advanced hunting' | 'message trace';
    /** The links it carried: attacker-controlled, shown defanged. */ urls: string[];
  };
  /** `via`: how the copy is tied to the phishing mail; `subject` when it differs from the mail's. */
  recipients: {
    upn: string;
    received: string;
    via: 'same sender and subject' | 'same link';
    subject?: string;
    flagged: boolean;
    reasons: string[];
    /** Entra object id, when the mail source gave it. */ userId?: string;
  }[];
  attackerIps: string[];
  notes: string[];
  /** "Contain all N": the likely compromised recipients as one phishing wave, for an approver other than the requester. */
  wave?: WaveOffer;
}

export interface HuntView {
  kind: 'hunt';
  /**
   * The harmful-user-agent measure built from this hunt: a button for a report-only App Control policy over a pilot
   * group of the targeted users and an exclusion group of the legitimate successes; or, without the permissions, why not.
   */
  offer?:
    | { kind: 'pilot'; ref: string; pilot: number; legitimate: number; userAgents: string[] }
    | { kind: 'manual'; why: string; steps: string[] };
  download?: Download;
  days: number;
  signIns: number;
  userAgents: { userAgent: string; success: number; failure: number }[];
  hits: { time: string; user: string; ip: string | null; verdict: 'malicious' | 'suspicious'; reason: string }[];
  more: number;
  notes: string[];
}

/** How a missing defensive measure can be put in place from the posture card. */
export type MeasureOffer =
  /** Apply (report-only): `ref` names the measure. */
  | { kind: 'apply'; ref: string }
  /** A request already waits for approval, or the measure comes from elsewhere (the hunt): said in words. */
  | { kind: 'note'; text: string }
  /** Contain's app may not make it (contain doctor): why, and the exact portal steps. */
  | { kind: 'manual'; why: string; steps: string[] };

export interface PostureView {
  kind: 'posture';
  checks: { measure: string; status: 'met' | 'missing' | 'unknown'; evidence: string; offer?: MeasureOffer }[];
  /** The measures Contain applied and has not undone: their state now, would-be impact, Enforce and Undo. */
  applied?: AppliedMeasureView[];
  notes: string[];
}

type Tally = { name: string; count: number }[];

/** A measure Contain applied, as the posture card shows it. */
export interface AppliedMeasureView {
  title: string;
  /** The policy's or setting's name, as an admin finds it in the portal. */
  name: string;
  incidentId: string;
  state: 'report-only' | 'enforced' | 'applied' | 'missing';
  since: string;
  /** Report-only policies: who would have been blocked, from the sign-in logs since it was created. */
  impact?: {
    evaluated: number;
    inScope: number;
    wouldBlock: number;
    wouldInterrupt: number;
    byApp: Tally;
    byUserAgent: Tally;
    byUser: Tally;
    notes: string[];
  };
  /** Button references: offered when the next step may be requested. */
  enforce?: string;
  undo?: string;
  /** A request for it waiting for a decision. */
  pending?: string;
  /** Without the permission: Enforce and Undo by hand. */
  manual?: { why: string; steps: string[] };
  /** The part with no API (the Defender for Cloud Apps access policy): always the portal steps. */
  portalSteps?: string[];
}

/** One requested change to the defensive measures (a posture record): what it does, its approval and its outcome. */
export interface PostureChangeView {
  kind: 'posture-change';
  incidentId: string;
  title: string;
  description: string;
  facts: { title: string; value: string }[];
  /** Steps with no API (the Defender for Cloud Apps access policy): always shown. */
  portalSteps: string[];
  notes: string[];
  actions: ActionView[];
  banner?: { tone: Tone; text: string };
  footer: string;
}

/** The card of an incident or posture record, as the engine, decisions and `status` refresh it. */
export type IncidentView = ContainmentView | PostureChangeView;

/** `doctor`: one row per check of what Contain's app needs from the tenant. */
export interface DoctorView {
  kind: 'doctor';
  at: string;
  ok: boolean;
  checks: { id: string; ok: boolean; needs: string; enables: string; fix: string }[];
  notes: string[];
}

export type View =
  | ContainmentView
  | StepListView
  | ChooserView
  | MessageView
  | HelpView
  | ReportView
  | IncidentListView
  | InvestigationView
  | ScopeView
  | HuntView
  | PostureView
  | PostureChangeView
  | DoctorView
  | CampaignView;

export function message(tone: Tone, title: string, text: string): MessageView {
  return { kind: 'message', tone, title, text };
}
