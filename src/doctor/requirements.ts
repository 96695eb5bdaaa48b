import type { ActionKind } from '../incidents/model';
import { MESSAGE_TRACE_FIX, exchangeAppFix, permissionFix, powerPlatformFix, roleFix, roleTemplateId, type ContainRole } from './fixes';

/** One thing Contain's app needs from the tenant, what it enables, and how to fix its absence. */
export interface Requirement {
  id: string;
  kind: 'permission' | 'role' | 'licence' | 'prerequisite';
  /** What must be there, in the words an admin searches for. */
  needs: string;
  enables: string;
  /** Names that satisfy it: permission values, role template ids, service plan names. */
  satisfiedBy: string[];
  /** The containment actions that fail without it: the card marks them instead of offering a button. */
  actions: ActionKind[];
  /** The exact fix (portal path or one command), given the app's ids when known. */
  fix: (ids: { appId?: string; servicePrincipalId?: string }) => string;
  /** What the containment card says on an action that cannot run. */
  card?: string;
  /** A feature Contain works without (alerts, Identity Protection): a failing optional row never fails doctor. */
  optional?: true;
  /** Whose application permission it is (default Microsoft Graph). */
  resource?: 'exchange';
}

const permission = (name: string, enables: string, also: string[] = [], actions: ActionKind[] = []): Requirement => ({
  id: `permission:${name}`,
  kind: 'permission',
  needs: `Microsoft Graph application permission ${name}${also.length ? ` (or ${also.join(', ')})` : ''}`,
  enables,
  satisfiedBy: [name, ...also],
  actions,
  fix: (ids) => permissionFix(name, ids.servicePrincipalId),
  card: `needs the Microsoft Graph permission ${name}; ask a Global Administrator (or Privileged Role Administrator) to grant it with admin consent, then run "doctor" and open the incident again.`,
});

const role = (name: ContainRole, also: (keyof typeof ROLE_IDS)[], enables: string, actions: ActionKind[]): Requirement => ({
  id: `role:${name.toLowerCase().replace(/ /g, '-')}`,
  kind: 'role',
  needs: `Entra directory role ${name} on Contain's app, tenant-wide (or ${also.join(', ')})`,
  enables,
  satisfiedBy: [roleTemplateId(name), ...also.map((r) => ROLE_IDS[r])],
  actions,
  fix: (ids) => roleFix(name, ids.servicePrincipalId),
  card: `needs the ${name} role; ask a Global Administrator to assign it (Entra admin center > Roles & admins > ${name} > Add assignments > Contain's app), then run "doctor" and open the incident again.`,
});

/** Roles that include another's rights ("or higher"), by template id. */
const ROLE_IDS = {
  'Privileged Authentication Administrator': '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Intune Administrator': '3a2c62db-5318-420d-8d74-23affee5d9d5',
} as const;

const licence = (id: string, name: string, plans: string[], enables: string, fix: string): Requirement => ({
  id: `licence:${id}`,
  kind: 'licence',
  needs: `${name} (service plan ${plans.join(' or ')})`,
  enables,
  satisfiedBy: plans,
  actions: [],
  fix: () => fix,
});

/** Step 1's optional Identity Protection action and its undo: what the card says instead of a button when the app cannot. */
const RISK_ACTIONS: ActionKind[] = ['confirmCompromised', 'dismissUserRisk'];
const RISK_BY_HAND = 'Confirm it by hand: Entra admin center > Protection > Risky users > select the user > Confirm user(s) compromised.';

/** An optional row: said as such in `needs`, never failing doctor. */
const optional = (r: Requirement): Requirement => ({ ...r, needs: `Optional: ${r.needs}`, optional: true });

/** Everything each step needs, as docs/permissions.md lists it. */
export const REQUIREMENTS: Requirement[] = [
  permission('User.Read.All', 'finding the user for every command; Slack user mapping', [
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ]),
  permission(
    'Directory.Read.All',
    "approvers, responders and protected accounts given as groups or roles; reading Contain's own directory roles",
    ['Directory.ReadWrite.All'],
  ),
  permission('AuditLog.Read.All', 'sign-ins on the card, the intrusion window, the directory audit of steps 3 and 7, investigate, scope'),
  permission('User.RevokeSessions.All', 'step 1: revoke sessions', ['User.ReadWrite.All', 'Directory.ReadWrite.All'], ['revokeSessions']),
  permission(
    'User-PasswordProfile.ReadWrite.All',
    'step 2: reset the password',
    ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    ['resetPassword'],
  ),
  permission('UserAuthenticationMethod.ReadWrite.All', 'step 3: list and delete authentication methods', [], ['deleteAuthMethod']),
  permission('Device.ReadWrite.All', 'step 4: disable devices', ['Directory.ReadWrite.All'], ['disableDevice']),
  permission('MailboxSettings.ReadWrite', 'step 5: list, disable or delete inbox rules', [], ['disableInboxRule']),
  permission('Mail.ReadBasic.All', 'step 5: names of the folders rules move mail to', ['Mail.Read', 'Mail.ReadWrite']),
  permission('DelegatedPermissionGrant.ReadWrite.All', "step 7: remove the user's consent", ['Directory.ReadWrite.All'], ['removeGrant']),
  permission(
    'Application.ReadWrite.All',
    "step 7: app sign-in off, secrets and certificates; doctor reading Contain's own app",
    [],
    ['disableServicePrincipal', 'removeAppSecret', 'removeAppCertificate'],
  ),
  permission('ThreatHunting.Read.All', 'scope through advanced hunting (EmailEvents)'),
  permission('ExchangeMessageTrace.Read.All', 'scope through message trace, without Defender for Office 365'),
  permission('AuditLogsQuery.Read.All', 'investigate: the unified audit log'),
  permission('Policy.Read.All', 'posture: Conditional Access and the authorization policy'),
  optional({
    ...permission(
      'IdentityRiskyUser.Read.All',
      'alerts: Entra ID Protection risky users open incidents; the evidence snapshot of confirm compromised',
      [],
      RISK_ACTIONS,
    ),
    card: `needs the optional Microsoft Graph permission IdentityRiskyUser.Read.All. ${RISK_BY_HAND}`,
  }),
  optional({
    ...permission(
      'IdentityRiskyUser.ReadWrite.All',
      'confirm a user compromised in Identity Protection, and its undo (dismiss)',
      [],
      RISK_ACTIONS,
    ),
    card: `needs the optional Microsoft Graph permission IdentityRiskyUser.ReadWrite.All. ${RISK_BY_HAND}`,
  }),
  optional(
    permission('SecurityAlert.Read.All', 'alerts: Defender XDR alerts about account compromise open incidents', [
      'SecurityAlert.ReadWrite.All',
    ]),
  ),
  optional(
    permission('SecurityIncident.Read.All', 'alerts: Defender XDR incidents determined a compromised account open incidents', [
      'SecurityIncident.ReadWrite.All',
    ]),
  ),
  // The defensive measures applied from posture, and the Exchange admin API (issue 17).
  optional(
    permission(
      'Policy.ReadWrite.ConditionalAccess',
      'posture: the Conditional Access measures created report-only, their Undo and Enforce (with Policy.Read.All and Application.Read.All)',
    ),
  ),
  optional(
    permission('Group.ReadWrite.All', 'posture: the pilot and exclusion groups of the harmful-user-agent and device-code measures', [
      'Directory.ReadWrite.All',
    ]),
  ),
  optional(permission('Policy.ReadWrite.Authorization', 'posture: user consent to applications off, users may not register applications')),
  optional({
    id: 'permission:Exchange.ManageAsApp',
    kind: 'permission',
    resource: 'exchange',
    needs: 'Office 365 Exchange Online application permission Exchange.ManageAsApp',
    enables:
      'mailbox forwarding, hidden inbox rules and the mailbox audit configuration through the Exchange admin API (otherwise: PowerShell lines)',
    satisfiedBy: ['Exchange.ManageAsApp'],
    actions: [],
    fix: (ids) => exchangeAppFix(ids.servicePrincipalId),
  }),
  optional({
    ...role(
      'Exchange Administrator',
      ['Global Administrator'],
      "the Exchange admin API's cmdlets (forwarding, inbox rules, audit bypass)",
      [],
    ),
    needs:
      "Entra directory role Exchange Administrator on Contain's app (or Global Administrator; a custom Exchange role group with Mail Recipients and View-Only Configuration also works but doctor cannot see Exchange role groups)",
    fix: (ids) => exchangeAppFix(ids.servicePrincipalId),
  }),
  role(
    'User Administrator',
    ['Privileged Authentication Administrator', 'Global Administrator'],
    'step 2: app-only password resets (Graph needs the role as well as the permission)',
    ['resetPassword'],
  ),
  role('Cloud Device Administrator', ['Intune Administrator', 'Global Administrator'], 'step 4: accountEnabled on devices', [
    'disableDevice',
  ]),
  licence(
    'entra-id-p1',
    'Microsoft Entra ID P1 or P2',
    ['AAD_PREMIUM', 'AAD_PREMIUM_P2'],
    'sign-in logs (card, investigate, scope) and Conditional Access in posture',
    'Buy and assign Microsoft Entra ID P1 or P2 (included in Microsoft 365 E3/E5 and Business Premium): Microsoft 365 admin center > Billing > Purchase services.',
  ),
  licence(
    'defender-office-365-p2',
    'Microsoft Defender for Office 365 Plan 2',
    ['THREAT_INTELLIGENCE'],
    'scope through advanced hunting; without it scope uses message trace',
    'Buy and assign Defender for Office 365 Plan 2 (included in Microsoft 365 E5): Microsoft 365 admin center > Billing > Purchase services.',
  ),
  // The harmful-user-agent measure's blocking half is a Defender for Cloud Apps access policy: no API to check it, but the licence shows.
  optional(
    licence(
      'defender-cloud-apps',
      'Microsoft Defender for Cloud Apps',
      ['ADALLOM_S_STANDALONE'],
      'posture: the harmful-user-agent measure (Conditional Access App Control and the access policy that blocks the tools)',
      'Buy and assign Microsoft Defender for Cloud Apps (included in Microsoft 365 E5 and EMS E5): Microsoft 365 admin center > Billing > Purchase services. Then connect it to Conditional Access App Control (Defender portal > Settings > Cloud Apps).',
    ),
  ),
  optional({
    ...licence(
      'entra-id-p2',
      'Microsoft Entra ID P2',
      ['AAD_PREMIUM_P2'],
      'alerts and confirm compromised: Identity Protection risky users',
      'Buy and assign Microsoft Entra ID P2 (included in Microsoft 365 E5): Microsoft 365 admin center > Billing > Purchase services.',
    ),
    actions: RISK_ACTIONS,
    card: 'needs Microsoft Entra ID P2 in the tenant: without it Identity Protection has no risky users to confirm.',
  }),
  licence(
    'purview-audit',
    'Microsoft Purview Audit',
    ['M365_AUDIT_PLATFORM', 'M365_ADVANCED_AUDITING'],
    'investigate: the unified audit log',
    'Turn on auditing and license Microsoft Purview Audit: Microsoft Purview portal > Audit (Standard comes with most Microsoft 365 plans; Premium with E5).',
  ),
  {
    id: 'prerequisite:message-trace-service-principal',
    kind: 'prerequisite',
    needs: `Microsoft's message-trace service principal (app id 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373) in the tenant`,
    enables: 'scope through message trace (without it: 401 "Service principal-less Authentication failed")',
    satisfiedBy: [],
    actions: [],
    fix: () => MESSAGE_TRACE_FIX,
  },
  {
    id: 'prerequisite:power-automate-registration',
    kind: 'prerequisite',
    needs: 'Contain registered as a Power Platform management app, and POWER_AUTOMATE_API_URL / POWER_AUTOMATE_ENVIRONMENT set',
    enables: "step 6: list and stop the user's flows",
    satisfiedBy: [],
    actions: [],
    fix: (ids) =>
      `${powerPlatformFix(ids.appId)}; then set POWER_AUTOMATE_API_URL=https://api.flow.microsoft.com and POWER_AUTOMATE_ENVIRONMENT=Default-<tenant id>.`,
  },
];
