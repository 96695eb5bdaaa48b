/** Authorization rules for posture, defensive measures, logs, alerts and undo routes (see app-rules.ts). */
import { GraphHttpError } from './emulator';
import { hasServicePlan, MESSAGE_TRACE_APP_ID } from './app-identity';
import { any, AUDIT_QUERY, body, CA_WRITE, GRANTS_READ, L, needsP2, type RouteRule } from './app-rules-common';

export const TENANT_RULES: Record<string, RouteRule> = {
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
