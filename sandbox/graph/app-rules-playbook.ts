/** Authorization rules for the routes the playbook's steps and `contain doctor` call (see app-rules.ts). */
import {
  any,
  APP_READ,
  APP_WRITE,
  body,
  ENABLE,
  FOLDERS_READ,
  GRANTS_READ,
  holdsAdminRole,
  L,
  METHODS_READ,
  PASSWORD,
  RULES_READ,
  USER_READ,
  USER_WRITE,
  type RouteRule,
} from './app-rules-common';

export const PLAYBOOK_RULES: Record<string, RouteRule> = {
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
};
