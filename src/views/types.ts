import type { ActionState, InvestigationSummary, SignInFact, TargetUser } from '../incidents/model';

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
  mail?: { sender: string; subject: string; time: string; recipients: number; messageId?: string; source: 'advanced hunting' | 'message trace'; /** The links it carried: attacker-controlled, shown defanged. */ urls: string[] };
  /** `via`: how the copy is tied to the phishing mail; `subject` when it differs from the mail's. */
  recipients: { upn: string; received: string; via: 'same sender and subject' | 'same link'; subject?: string; flagged: boolean; reasons: string[] }[];
  attackerIps: string[];
  notes: string[];
}

export interface HuntView {
  kind: 'hunt';
  download?: Download;
  days: number;
  signIns: number;
  userAgents: { userAgent: string; success: number; failure: number }[];
  hits: { time: string; user: string; ip: string | null; verdict: 'malicious' | 'suspicious'; reason: string }[];
  more: number;
  notes: string[];
}

export interface PostureView {
  kind: 'posture';
  checks: { measure: string; status: 'met' | 'missing' | 'unknown'; evidence: string }[];
  notes: string[];
}

/** `doctor`: one row per check of what Contain's app needs from the tenant. */
export interface DoctorView {
  kind: 'doctor';
  at: string;
  ok: boolean;
  checks: { id: string; ok: boolean; needs: string; enables: string; fix: string }[];
  notes: string[];
}

export type View = ContainmentView | StepListView | ChooserView | MessageView | HelpView | ReportView | IncidentListView | InvestigationView | ScopeView | HuntView | PostureView | DoctorView;

export function message(tone: Tone, title: string, text: string): MessageView {
  return { kind: 'message', tone, title, text };
}
