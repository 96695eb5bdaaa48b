/**
 * What each emulated Graph route needs from the calling app, from Microsoft's permission tables (least and higher
 * privileged application permissions are both accepted) and the documented directory-role requirements, and how
 * Graph refuses when they are missing. Keyed by "METHOD pattern" exactly as the route is registered with `em.on`.
 * L = https://learn.microsoft.com/graph/api/ (the doc each rule comes from; test/conformance cites them too).
 */
import { z } from 'zod';
import { GraphHttpError, type Call, type GraphEmulator } from './emulator';
import { DEFAULT_APP, MESSAGE_TRACE_APP_ID, ROLE_TEMPLATES, hasServicePlan } from './app-identity';
import { EXCHANGE_PERMISSION, MANAGEMENT_ROLES } from '../exchange/rbac';

export const L = 'https://learn.microsoft.com/graph/api/';

export interface RouteRule {
  /** The documentation page the rule comes from. */
  doc: string;
  /** Application permissions: any one set (all of its members held) grants access. Empty = app-only not supported. */
  permissions: string[][];
  /** A narrower table for this request when the docs make it depend on the body (passwordProfile, accountEnabled). */
  forBody?: (c: Call) => string[][] | undefined;
  /** Directory roles of which the app must hold one, when the docs require a role for this request. */
  roles?: (c: Call, m: RegExpExecArray, em: GraphEmulator) => string[] | undefined;
  /** A tenant prerequisite or licence, checked once the app's rights are in order; throws Graph's refusal. */
  precondition?: (em: GraphEmulator) => void;
  /** Whose refusal body a missing permission gets (Graph's workloads answer differently). */
  workload?: 'directory' | 'outlook' | 'reports' | 'security';
}

const any = (...names: string[]) => names.map((n) => [n]);
const USER_READ = any('User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
const APP_READ = any('Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
// Application.ReadWrite.OwnedBy also appears in the application and service principal tables, but only for objects the
// caller owns; Contain owns none of the apps it contains, so the sandbox does not accept it for them.
const APP_WRITE = any('Application.ReadWrite.All');
const METHODS_READ = any('UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All');
const RULES_READ = any('MailboxSettings.Read', 'MailboxSettings.ReadWrite');
const FOLDERS_READ = any('Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite');
const GRANTS_READ = any(
  'DelegatedPermissionGrant.Read.All',
  'Directory.Read.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'Directory.ReadWrite.All',
);
const AUDIT_QUERY = any(
  'AuditLogsQuery.Read.All',
  'AuditLogsQuery-Exchange.Read.All',
  'AuditLogsQuery-SharePoint.Read.All',
  'AuditLogsQuery-OneDrive.Read.All',
  'AuditLogsQuery-Entra.Read.All',
  'AuditLogsQuery-Endpoint.Read.All',
  'AuditLogsQuery-CRM.Read.All',
);
const PASSWORD = any('User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All');
const ENABLE = any('User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All');
const USER_WRITE = any('User.ReadWrite.All', 'Directory.ReadWrite.All');
const CA_WRITE = [
  ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Application.Read.All'],
  ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Application.ReadWrite.All'],
];

/** True when the user holds a directory (admin) role: their password then needs a stronger role than User Administrator. */
function holdsAdminRole(em: GraphEmulator, idOrUpn: string): boolean {
  const u = em.user(idOrUpn);
  return em.state.groups.some((g) => g.kind === 'directoryRole' && g.members.includes(u.id));
}

const body = (c: Call) => (c.body ?? {}) as Record<string, unknown>;

/** Entra ID P2 (service plan AAD_PREMIUM_P2) for Identity Protection's riskyUsers. */
function needsP2(em: GraphEmulator): void {
  if (!hasServicePlan(em, ['AAD_PREMIUM_P2'])) throw new GraphHttpError(403, 'Forbidden', 'Your tenant is not licensed for this feature.');
}

export const RULES: Record<string, RouteRule> = {
  // Finding users, membership checks, sessions.
  'GET /users': { doc: `${L}user-list`, permissions: USER_READ },
  'GET /users/{id}': { doc: `${L}user-get`, permissions: USER_READ },
  'POST /users/{id}/revokeSignInSessions': {
    doc: `${L}user-revokesigninsessions`,
    permissions: any('User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  'POST /users/{id}/checkMemberObjects': {
    doc: `${L}directoryobject-checkmemberobjects`,
    permissions: [
      ['User.ReadBasic.All', 'GroupMember.Read.All'],
      ...any('User.Read.All', 'Directory.Read.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'),
    ],
  },
  'GET /groups/{id}/transitiveMembers/microsoft.graph.user': {
    doc: `${L}group-list-transitivemembers`,
    permissions: any('GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'),
  },

  // Step 2: "In application-only access, the calling app must be assigned User-PasswordProfile.ReadWrite.All (or
  // User.ReadWrite.All) and at least the User Administrator role"; users holding admin roles need Privileged
  // Authentication Administrator (or Global Administrator).
  'PATCH /users/{id}': {
    doc: `${L}user-update`,
    permissions: [...PASSWORD, ...ENABLE],
    forBody: (c) => (body(c).passwordProfile ? PASSWORD : Object.keys(body(c)).every((k) => k === 'accountEnabled') ? ENABLE : USER_WRITE),
    roles: (c, m, em) =>
      !body(c).passwordProfile
        ? undefined
        : holdsAdminRole(em, m[1])
          ? ['Privileged Authentication Administrator', 'Global Administrator']
          : ['User Administrator', 'Privileged Authentication Administrator', 'Global Administrator'],
  },

  // Step 3.
  'GET /users/{id}/authentication/methods': { doc: `${L}authentication-list-methods`, permissions: METHODS_READ },
  'GET /users/{id}/authentication/{type}/{methodId}': { doc: `${L}phoneauthenticationmethod-get`, permissions: METHODS_READ },
  'DELETE /users/{id}/authentication/{type}/{methodId}': {
    doc: `${L}phoneauthenticationmethod-delete`,
    permissions: any('UserAuthenticationMethod.ReadWrite.All'),
  },
  'POST /users/{id}/authentication/phoneMethods': {
    doc: `${L}authentication-post-phonemethods`,
    permissions: any('UserAuthenticationMethod.ReadWrite.All'),
  },
  'POST /users/{id}/authentication/emailMethods': {
    doc: `${L}authentication-post-emailmethods`,
    permissions: any('UserAuthenticationMethod.ReadWrite.All'),
  },

  // Step 4: accountEnabled "only callers with at least the Cloud Device Administrator role" may set.
  'GET /users/{id}/registeredDevices': { doc: `${L}user-list-registereddevices`, permissions: USER_READ },
  'GET /users/{id}/ownedDevices': { doc: `${L}user-list-owneddevices`, permissions: USER_READ },
  'GET /devices/{id}': {
    doc: `${L}device-get`,
    permissions: any('Device.Read.All', 'Device.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'),
  },
  'PATCH /devices/{id}': {
    doc: `${L}device-update`,
    permissions: any('Device.ReadWrite.All', 'Directory.ReadWrite.All'),
    roles: (c) =>
      'accountEnabled' in body(c) ? ['Cloud Device Administrator', 'Intune Administrator', 'Global Administrator'] : undefined,
  },

  // Step 5 (Outlook answers its own ErrorAccessDenied).
  'GET /users/{id}/mailFolders/inbox/messageRules': {
    doc: `${L}mailfolder-list-messagerules`,
    permissions: RULES_READ,
    workload: 'outlook',
  },
  'GET /users/{id}/mailFolders/inbox/messageRules/{ruleId}': { doc: `${L}messagerule-get`, permissions: RULES_READ, workload: 'outlook' },
  'PATCH /users/{id}/mailFolders/inbox/messageRules/{ruleId}': {
    doc: `${L}messagerule-update`,
    permissions: any('MailboxSettings.ReadWrite'),
    workload: 'outlook',
  },
  'DELETE /users/{id}/mailFolders/inbox/messageRules/{ruleId}': {
    doc: `${L}messagerule-delete`,
    permissions: any('MailboxSettings.ReadWrite'),
    workload: 'outlook',
  },
  'GET /users/{id}/mailFolders': { doc: `${L}user-list-mailfolders`, permissions: FOLDERS_READ, workload: 'outlook' },
  'GET /users/{id}/mailFolders/{folderId}': { doc: `${L}mailfolder-get`, permissions: FOLDERS_READ, workload: 'outlook' },

  // Step 7.
  'GET /users/{id}/oauth2PermissionGrants': { doc: `${L}user-list-oauth2permissiongrants`, permissions: GRANTS_READ },
  'GET /oauth2PermissionGrants/{id}': { doc: `${L}oauth2permissiongrant-get`, permissions: GRANTS_READ },
  'DELETE /oauth2PermissionGrants/{id}': {
    doc: `${L}oauth2permissiongrant-delete`,
    permissions: any('DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  'GET /servicePrincipals/{id}': { doc: `${L}serviceprincipal-get`, permissions: APP_READ },
  "GET /servicePrincipals\\(appId='{appId}'\\)": { doc: `${L}serviceprincipal-get`, permissions: APP_READ },
  'PATCH /servicePrincipals/{id}': {
    doc: `${L}serviceprincipal-update`,
    permissions: any('Application.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  // "Application: Not supported." (the table as published); Contain finds apps through audit events and consents instead.
  'GET /users/{id}/ownedObjects/microsoft.graph.application': { doc: `${L}user-list-ownedobjects`, permissions: [] },
  'GET /applications/{id}': { doc: `${L}application-get`, permissions: APP_READ },
  "GET /applications\\(appId='{appId}'\\)": { doc: `${L}application-get`, permissions: APP_READ },
  'POST /applications/{id}/removePassword': { doc: `${L}application-removepassword`, permissions: APP_WRITE },
  'PATCH /applications/{id}': { doc: `${L}application-update`, permissions: APP_WRITE },

  // Contain's view of itself (contain doctor).
  'GET /servicePrincipals/{id}/appRoleAssignments': {
    doc: `${L}serviceprincipal-list-approleassignments`,
    permissions: any(
      'Application.Read.All',
      'Application.ReadWrite.All',
      'Directory.Read.All',
      'AppRoleAssignment.ReadWrite.All',
      'Directory.ReadWrite.All',
    ),
  },
  'GET /roleManagement/directory/roleAssignments': {
    doc: `${L}rbacapplication-list-roleassignments`,
    permissions: any(
      'RoleManagement.Read.Directory',
      'RoleManagement.Read.All',
      'Directory.Read.All',
      'RoleManagement.ReadWrite.Directory',
      'Directory.ReadWrite.All',
    ),
  },
  'GET /subscribedSkus': {
    doc: `${L}subscribedsku-list`,
    permissions: any(
      'LicenseAssignment.Read.All',
      'Organization.Read.All',
      'Directory.Read.All',
      'Organization.ReadWrite.All',
      'Directory.ReadWrite.All',
    ),
  },

  // Posture.
  'GET /identity/conditionalAccess/policies': {
    doc: `${L}conditionalaccessroot-list-policies`,
    permissions: any('Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'),
  },
  'GET /policies/authorizationPolicy': {
    doc: `${L}authorizationpolicy-get`,
    permissions: any('Policy.Read.All', 'Policy.ReadWrite.Authorization'),
  },

  // Defensive measures (issue 17). Creating and changing Conditional Access policies: the v1.0 pages list
  // "Policy.Read.All, Policy.ReadWrite.ConditionalAccess and Application.Read.All" together (all three held).
  'POST /identity/conditionalAccess/policies': { doc: `${L}conditionalaccessroot-post-policies`, permissions: CA_WRITE },
  'GET /identity/conditionalAccess/policies/{id}': {
    doc: `${L}conditionalaccesspolicy-get`,
    permissions: any('Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'),
  },
  'PATCH /identity/conditionalAccess/policies/{id}': { doc: `${L}conditionalaccesspolicy-update`, permissions: CA_WRITE },
  'DELETE /identity/conditionalAccess/policies/{id}': {
    doc: `${L}conditionalaccesspolicy-delete`,
    permissions: [['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess']],
  },
  'PATCH /policies/authorizationPolicy': { doc: `${L}authorizationpolicy-update`, permissions: any('Policy.ReadWrite.Authorization') },
  // "To create the group with users as owners or members, the app must have at least the User.Read.All permission"
  // (with Group.Create).
  'POST /groups': {
    doc: `${L}group-post-groups`,
    permissions: [['Group.Create'], ...any('Group.ReadWrite.All', 'Directory.ReadWrite.All')],
    forBody: (c) =>
      body(c)['members@odata.bind'] || body(c)['owners@odata.bind']
        ? [
            ['Group.Create', 'User.Read.All'],
            ['Group.Create', 'Directory.Read.All'],
            ...any('Group.ReadWrite.All', 'Directory.ReadWrite.All'),
          ]
        : undefined,
  },
  'GET /groups': {
    doc: `${L}group-list`,
    permissions: any(
      'Group-NestingSupport.ReadWrite.All',
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ManageProtection.All',
      'Directory.Read.All',
      'Group.ReadWrite.All',
      'Directory.ReadWrite.All',
    ),
  },
  'GET /groups/{id}': {
    doc: `${L}group-get`,
    permissions: any('GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  'DELETE /groups/{id}': { doc: `${L}group-delete`, permissions: any('Group.ReadWrite.All', 'Directory.ReadWrite.All') },
  'POST /groups/{id}/members/\\$ref': {
    doc: `${L}group-post-members`,
    permissions: any('GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  'GET /directoryRoles/{id}': {
    doc: `${L}directoryrole-get`,
    permissions: any(
      'RoleManagement.Read.Directory',
      'Directory.Read.All',
      'RoleManagement.ReadWrite.Directory',
      'Directory.ReadWrite.All',
    ),
  },

  // Logs. Sign-ins need Entra ID P1 or P2 in the tenant.
  'GET /auditLogs/signIns': {
    doc: `${L}signin-list`,
    permissions: any('AuditLog.Read.All', 'Directory.Read.All'),
    workload: 'reports',
    precondition: (em) => {
      if (!hasServicePlan(em, ['AAD_PREMIUM', 'AAD_PREMIUM_P2']))
        throw new GraphHttpError(
          403,
          'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
          "Neither tenant is B2C or tenant doesn't have premium license",
        );
    },
  },
  'GET /auditLogs/directoryAudits': {
    doc: `${L}directoryaudit-list`,
    permissions: any('AuditLog.Read.All', 'Directory.Read.All'),
    workload: 'reports',
  },
  'POST /security/auditLog/queries': {
    doc: `${L}security-auditcoreroot-post-auditlogqueries`,
    permissions: AUDIT_QUERY,
    workload: 'security',
  },
  'GET /security/auditLog/queries/{id}': { doc: `${L}security-auditlogquery-get`, permissions: AUDIT_QUERY, workload: 'security' },
  'GET /security/auditLog/queries/{id}/records': {
    doc: `${L}security-auditlogquery-list-records`,
    permissions: AUDIT_QUERY,
    workload: 'security',
  },
  'POST /security/runHuntingQuery': {
    doc: `${L}security-security-runhuntingquery`,
    permissions: any('ThreatHunting.Read.All'),
    workload: 'security',
  },
  // Alerts and undo (issue 16). riskyUsers "requires a Microsoft Entra ID P2 license" (riskyuser-list); without it the
  // service answers 403 "Your tenant is not licensed for this feature." (the docs give no body; the most-cited public
  // reports quote this one). The permission tables list no higher privileged permission for these routes.
  'GET /identityProtection/riskyUsers': {
    doc: `${L}riskyuser-list`,
    permissions: any('IdentityRiskyUser.Read.All'),
    precondition: needsP2,
  },
  'GET /identityProtection/riskyUsers/{id}': {
    doc: `${L}riskyuser-get`,
    permissions: any('IdentityRiskyUser.Read.All'),
    precondition: needsP2,
  },
  'POST /identityProtection/riskyUsers/confirmCompromised': {
    doc: `${L}riskyuser-confirmcompromised`,
    permissions: any('IdentityRiskyUser.ReadWrite.All'),
    precondition: needsP2,
  },
  'POST /identityProtection/riskyUsers/dismiss': {
    doc: `${L}riskyuser-dismiss`,
    permissions: any('IdentityRiskyUser.ReadWrite.All'),
    precondition: needsP2,
  },
  'GET /security/alerts_v2': {
    doc: `${L}security-list-alerts_v2`,
    permissions: any('SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'),
    workload: 'security',
  },
  'GET /security/alerts_v2/{id}': {
    doc: `${L}security-alert-get`,
    permissions: any('SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'),
    workload: 'security',
  },
  'GET /security/incidents': {
    doc: `${L}security-list-incidents`,
    permissions: any('SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'),
    workload: 'security',
  },
  'GET /security/incidents/{id}': {
    doc: `${L}security-incident-get`,
    permissions: any('SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'),
    workload: 'security',
  },
  'GET /oauth2PermissionGrants': { doc: `${L}oauth2permissiongrant-list`, permissions: GRANTS_READ },
  'POST /oauth2PermissionGrants': {
    doc: `${L}oauth2permissiongrant-post`,
    permissions: any('DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  'POST /users/{id}/mailFolders/inbox/messageRules': {
    doc: `${L}mailfolder-post-messagerules`,
    permissions: any('MailboxSettings.ReadWrite'),
    workload: 'outlook',
  },

  // Message trace also needs Microsoft's message-trace service principal in the tenant (exchangemessagetrace
  // "Prerequisites"); without it the service answers 401 "Service principal-less Authentication failed".
  'GET /admin/exchange/tracing/messageTraces': {
    doc: `${L}messagetracingroot-list-messagetraces`,
    permissions: any('ExchangeMessageTrace.Read.All'),
    workload: 'security',
    precondition: (em) => {
      if (!em.state.servicePrincipals.some((p) => p.data.appId === MESSAGE_TRACE_APP_ID))
        throw new GraphHttpError(
          401,
          'Unauthorized',
          `Service principal-less Authentication failed: the service principal for App ID ${MESSAGE_TRACE_APP_ID} was not found.`,
        );
    },
  },
};

/** Every application permission the rules mention: the Microsoft Graph service principal's appRoles in the sandbox. */
export const GRAPH_PERMISSIONS: string[] = [
  ...new Set([...DEFAULT_APP.permissions, ...Object.values(RULES).flatMap((r) => r.permissions.flat())]),
].sort();

/** The body of PUT /sandbox/app: known permission and role names only, so a typo is an error, not a silent denial. */
export const appIdentitySchema = z.object({
  permissions: z.array(z.enum(GRAPH_PERMISSIONS as [string, ...string[]])).max(100),
  directoryRoles: z.array(z.enum(Object.keys(ROLE_TEMPLATES) as [string, ...string[]])).max(20),
  /** The Exchange admin API's rights (sandbox/exchange/rbac.ts); absent = none. */
  exchange: z
    .object({ permissions: z.array(z.literal(EXCHANGE_PERMISSION)).max(1), managementRoles: z.array(z.enum(MANAGEMENT_ROLES)).max(20) })
    .strict()
    .optional(),
});

/** Graph's refusal bodies differ by workload: the code and message a client sees for "the app may not do this". */
const REFUSALS: Record<NonNullable<RouteRule['workload']>, (missing: string) => GraphHttpError> = {
  directory: () => new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  outlook: () => new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
  reports: (missing) =>
    new GraphHttpError(
      403,
      'Authentication_MSGraphPermissionMissing',
      `Calling principal does not have required MSGraph permissions ${missing}`,
    ),
  // Undocumented: the security and Exchange admin APIs' bodies for a missing permission were not found in public sources.
  security: () => new GraphHttpError(403, 'Forbidden', 'Missing application permissions for this request.'),
};

/** Throw Graph's refusal when Contain's app lacks what the route documents it needs; `key` is "METHOD pattern". */
export function checkAppIdentity(em: GraphEmulator, call: Call, key: string, m: RegExpExecArray): void {
  const rule = RULES[key];
  // Every route must declare its needs (a conformance test lists them all): an undeclared one is a sandbox defect.
  if (!rule) throw new Error(`No authorization rule for ${key}`);
  const held = new Set(em.state.app.permissions);
  const table = rule.forBody?.(call) ?? rule.permissions;
  if (!table.some((set) => set.every((p) => held.has(p)))) throw REFUSALS[rule.workload ?? 'directory'](table[0]?.join(' and ') ?? '');
  const roles = rule.roles?.(call, m, em);
  if (roles && !roles.some((r) => em.state.app.directoryRoles.includes(r))) throw REFUSALS.directory('');
  rule.precondition?.(em);
}
