/** The incident model, whichever chat platform it came from; persisted by src/store. */

/** The chat platform someone acted through, by the name its adapter in bot/ goes by, or 'cli'. */
export type Platform = string;

/** Someone acting through a chat platform; `aadObjectId` is the Entra identity policy decisions use. */
export interface Actor {
  platform: Platform;
  /** The user's id on that platform. */
  id: string;
  aadObjectId?: string;
  name: string;
}

/**
 * Where an incident's conversation lives on one chat platform, and where its containment card went. Opaque here: only
 * that platform's adapter (bot/<platform>/) reads or writes its fields. Stored as given.
 */
export type ThreadRef = { readonly [field: string]: string | undefined };

/** An incident's threads, keyed by platform name: one per platform the incident is discussed on. */
export type Threads = { readonly [platform: string]: ThreadRef | undefined };

export interface TargetUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  accountEnabled?: boolean;
  onPremisesSyncEnabled?: boolean | null;
}

export interface SignInFact {
  time: string;
  ip: string;
  location: string;
  app: string;
  client: string;
  risk: string;
  success: boolean;
  deviceKnown: boolean;
}

export interface IncidentFacts {
  signIns: SignInFact[];
  /** Sources that could not be read, each with a reason a responder can act on. */
  notes: string[];
  /** The intrusion window discovery used, and why it starts where it does. */
  window?: { start: string; reason: string };
  /** Per playbook step: what was checked and what could not be (e.g. hidden inbox rules need Exchange PowerShell). */
  steps?: { step: number; name: string; checked: string; notes: string[] }[];
  /** Steps 9-10, saved when `scope` ran for this user while the incident was open. */
  scope?: {
    mail?: { sender: string; subject: string; time: string; recipients: number };
    recipients: { upn: string; flagged: boolean; reasons: string[] }[];
  };
  /** Step 8, saved when `investigate` ran for this user while the incident was open: the top findings and indicators. */
  investigation?: InvestigationSummary & { at: string };
  /** Opened by the alert poll (requester "alert"): the request's key and the reports that opened it. */
  alert?: AlertFacts;
  /** Alerts about the user that came while this incident was open: noted in its thread instead of a second incident. */
  laterAlerts?: AlertFacts[];
  /** Opened by a phishing wave: the campaign it belongs to. */
  campaign?: { id: string; index: number };
}

/** The alert reports behind an alert-opened incident, as its card shows them. */
export interface AlertFacts {
  key: string;
  signals: { source: string; title: string; severity: string; at: string; reason: string; url?: string }[];
}

/** What `investigate` found, as an incident keeps it and a card shows it: the top findings, indicators, notes. */
export interface InvestigationSummary {
  records: number;
  findings: { time: string; verdict: 'malicious' | 'suspicious'; category: string; reason: string; ip: string | null }[];
  /** Findings beyond those listed (the full result link has them all). */
  more: number;
  iocs: { ips: string[]; userAgents: string[]; sessionIds: string[] };
  notes: string[];
  /** What the attacker touched: the first of each list (the full result has all), and how many there were. */
  attackerActivity?: {
    mailRead: string[];
    searches: string[];
    files: string[];
    mailSent: string[];
    foldersSynced: string[];
    counts: { mailRead: number; searches: number; files: number; mailSent: number; foldersSynced: number };
  };
  /** The user's own addresses (known device, trusted location, company network): never indicators, whatever happened there. */
  cleared?: string[];
  /** The findings per stage of the intrusion (phishing, access, persistence, collection, mail), for the timeline picture. */
  timeline?: { phase: string; start: string; end: string; count: number; first: string }[];
}

export type IncidentState = 'open' | 'contained' | 'closed';

export interface Incident {
  id: string;
  /**
   * What the record is about: a compromised account (the default, absent on older records), or one requested change
   * to the tenant's defensive measures (`posture`), whose actions the same engine runs with the same guarantees.
   */
  kind?: 'containment' | 'posture';
  createdAt: string;
  requester: Actor;
  target: TargetUser;
  state: IncidentState;
  dryRun: boolean;
  threads: Threads;
  facts: IncidentFacts;
  etag?: string;
}

export type ActionKind =
  | 'revokeSessions'
  | 'resetPassword'
  | 'deleteAuthMethod'
  | 'disableDevice'
  | 'disableInboxRule'
  | 'stopFlow'
  | 'disableServicePrincipal'
  | 'removeGrant'
  | 'removeAppSecret'
  | 'removeAppCertificate'
  /** Step 5 through the Exchange admin API: mailbox forwarding, and inbox rules only Exchange lists. */
  | 'clearMailboxForwarding'
  | 'disableHiddenInboxRule'
  /** A defensive measure (a posture record's actions): applied report-only, enforced, undone. */
  | 'applyMeasure'
  | 'enforceMeasure'
  | 'undoMeasure'
  // Step 1's optional Identity Protection action, and the undo kinds (src/playbook/undo/): plain actions too.
  | 'confirmCompromised'
  | UndoKind;

/** Changes that put back what a containment action changed (handlers in src/playbook/undo/). */
export type UndoKind =
  | 'enableDevice'
  | 'enableInboxRule'
  | 'recreateInboxRule'
  | 'startFlow'
  | 'enableServicePrincipal'
  | 'recreateGrant'
  | 'dismissUserRisk'
  | 'restoreMailboxForwarding'
  | 'enableHiddenInboxRule';
/**
 * proposed -> approved (decision) -> running (taken by a worker under the incident's lease; evidence snapshotted)
 * -> sending (the change may be on its way: after a crash it is verified against the tenant before anything is sent
 * again) -> succeeded | failed | skipped. Every transition is a compare-and-swap on the action's row.
 */
export type ActionState = 'proposed' | 'approved' | 'rejected' | 'expired' | 'running' | 'sending' | 'succeeded' | 'failed' | 'skipped';

/** States in which an approved action still has work to do. */
export const UNFINISHED: readonly ActionState[] = ['approved', 'running', 'sending'];

/** States from which an action may be proposed again: nobody decided in time, or someone said no. */
export const REPROPOSABLE: ReadonlySet<ActionState> = new Set(['expired', 'rejected']);

export interface Decision {
  verb: 'approve' | 'reject';
  /** Inbox rules: the approver chose to delete instead of disabling. */
  option?: 'delete';
  by: Actor;
  at: string;
  justification?: string;
}

export interface ActionResult {
  outcome: 'succeeded' | 'failed' | 'skipped';
  message: string;
  code?: string;
  requestIds?: string[];
  verified?: boolean;
  /** The answer was lost (crash, dropped connection, 5xx); the tenant's state showed the change had been made. */
  recovered?: boolean;
}

export interface Action {
  incidentId: string;
  id: string;
  step: number;
  kind: ActionKind;
  objectId: string;
  /** Step-specific facts the change needs (method type, owner id, key id, flow environment). */
  params: Record<string, string>;
  title: string;
  detail: string;
  /** Why discovery flagged the object. */
  reason: string;
  state: ActionState;
  proposedAt: string;
  expiresAt: string;
  /** Runs without approval because policy allows it (revoke sessions fast path). */
  fastPath: boolean;
  decision?: Decision;
  attempts: number;
  /** How many times the change itself was sent (at most once per approval unless the tenant showed it was not made). */
  sends?: number;
  /** When the change was last sent (the move to "sending"). */
  sendingAt?: string;
  leaseUntil?: string;
  result?: ActionResult;
  /** The object as it was before the change: evidence, and the way back for reversible actions. */
  evidence?: unknown;
  /** Who asked for this change when it was not the incident's requester (an undo): four-eyes is against them. */
  requestedBy?: Actor;
  etag?: string;
}

export interface AuditEntry {
  at: string;
  event: string;
  actor?: Actor;
  actionId?: string;
  details?: Record<string, unknown>;
}
