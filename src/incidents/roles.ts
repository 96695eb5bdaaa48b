/**
 * Who may use what: every command and every card button names the role it needs. The router and the card handlers
 * enforce this table, and docs/operations.md shows it (rolesTable(); a test keeps the two equal).
 *
 * - responder: in CONTAIN_RESPONDERS (user or group ids; in local mode with none configured, everyone)
 * - approver: in CONTAIN_APPROVERS
 * - either: responder or approver
 * - anyone: no check
 *
 * On top of the role: the person an incident contains has no role on that incident (src/incidents/policy.ts), and
 * approving needs someone other than the requester (four-eyes).
 */
import type { ButtonVerb } from '../views/buttons';

export type Role = 'responder' | 'approver' | 'either' | 'anyone';

/** The role each command needs. A new command needs its row here (the router does not compile without one). */
export const COMMAND_ROLES = {
  contain: 'either',
  investigate: 'either',
  scope: 'either',
  hunt: 'either',
  status: 'either',
  report: 'either',
  /** Closing ends the incident; for an alert-opened one it lets the next alert about the user open a new one. */
  close: 'approver',
  posture: 'either',
  /** What Contain's app may do in the tenant: permissions, roles, licences; the approvers' concern. */
  doctor: 'approver',
  help: 'anyone',
} as const satisfies Record<string, Role>;

/** The role each card button needs; Reject is also open to the requester, who may withdraw their own request. */
export const BUTTON_ROLES = {
  approve: 'approver',
  'approve-delete': 'approver',
  'approve-all': 'approver',
  reject: 'approver',
  'reject-all': 'approver',
  repropose: 'either',
  'approve-step': 'approver',
  'reject-step': 'approver',
  /** The full list behind a step's summary: what the card would show if it were big enough, for the same people. */
  'show-step': 'either',
  /** Asking to take a finished change back: the undo is itself proposed, and needs an approver. */
  undo: 'either',
  /** Picking a user from the chooser opens the incident: the same as `contain`. */
  choose: COMMAND_ROLES.contain,
  /** Requesting a change to the defensive measures (posture, hunt cards); an approver other than the requester decides it. */
  'posture-apply': 'either',
  'posture-enforce': 'either',
  'posture-undo': 'either',
  'posture-pilot': 'either',
  /** The approval of a phishing wave: one decision for every user in it (four-eyes against whoever ran scope). */
  'contain-all': 'approver',
} as const satisfies Record<ButtonVerb, Role>;

export type CommandName = keyof typeof COMMAND_ROLES;

/** What an actor is, resolved through the directory. */
export interface ActorRoles {
  approver: boolean;
  responder: boolean;
}

/** Does someone with these roles hold `role`? */
export function holds(roles: ActorRoles, role: Role): boolean {
  switch (role) {
    case 'anyone':
      return true;
    case 'responder':
      return roles.responder;
    case 'approver':
      return roles.approver;
    case 'either':
      return roles.responder || roles.approver;
  }
}

const NAMES: Record<Role, string> = { responder: 'responder', approver: 'approver', either: 'responder or approver', anyone: 'no' };
const GROUPS: Record<Exclude<Role, 'anyone'>, string> = {
  responder: 'the responders group (CONTAIN_RESPONDERS)',
  approver: 'the approvers group (CONTAIN_APPROVERS)',
  either: 'the responders group (CONTAIN_RESPONDERS) or the approvers group (CONTAIN_APPROVERS)',
};

/** A refusal that names the missing role and how to get it. */
export function missingRole(what: string, role: Exclude<Role, 'anyone'>): string {
  return `"${what}" needs the ${NAMES[role]} role, which you do not have. Ask your SOC lead to add you to ${GROUPS[role]}.`;
}

const BUTTON_LABELS: Record<ButtonVerb, string> = {
  approve: '"Approve" button',
  'approve-delete': '"Approve: delete rule" button',
  'approve-all': '"Approve all" button',
  reject: '"Reject" button',
  'reject-all': '"Reject all" button',
  repropose: '"Propose again" button',
  'approve-step': '"Approve step" button',
  'reject-step': '"Reject step" button',
  'show-step': '"Show all" button of a step',
  undo: '"Undo" button',
  choose: 'picking a user on the chooser',
  'posture-apply': '"Apply (report-only)" button (posture)',
  'posture-enforce': '"Enforce" button (posture)',
  'posture-undo': '"Undo" button (posture)',
  'posture-pilot': '"Apply the measure" button (hunt user-agents)',
  'contain-all': '"Contain all N" button (a phishing wave)',
};
const ALSO: Partial<Record<ButtonVerb, string>> = {
  reject: ', or the requester (withdrawing)',
  'reject-all': ', or the requester (withdrawing)',
  'reject-step': ', or the requester (withdrawing)',
};

/** The table as docs/operations.md shows it. */
export function rolesTable(): string {
  const who = (role: Role) => (role === 'anyone' ? 'anyone' : NAMES[role]);
  return [
    '| command or button | who may use it |',
    '|---|---|',
    ...Object.entries(COMMAND_ROLES).map(([c, r]) => `| \`${c}\` | ${who(r)} |`),
    ...(Object.entries(BUTTON_ROLES) as [ButtonVerb, Role][]).map(([b, r]) => `| ${BUTTON_LABELS[b]} | ${who(r)}${ALSO[b] ?? ''} |`),
  ].join('\n');
}
