/**
 * The two authorization-policy measures (user consent, app registration): no report-only state exists, so each keeps
 * the setting before as evidence and its undo puts back exactly that value.
 */
import { odataDateTime, query } from '../graph/odata';
import type { MeasureInput } from './measures';
import type { AuthorizationPlan, AuthorizationPolicySetting, GraphRequest } from './types';

const AUTHZ = '/policies/authorizationPolicy';
const NO_REPORT_ONLY =
  'The authorization policy has no report-only mode. Contain keeps the setting before as evidence, changes it only after approval, and Undo puts back exactly that value. To gauge the impact first, the approval card lists who did this lately (directory audit).';
const audits = (activity: string, since: string): GraphRequest => ({
  method: 'GET',
  url: `/auditLogs/directoryAudits${query({ $filter: `activityDisplayName eq '${activity}' and activityDateTime ge ${odataDateTime(Date.parse(since))}`, $top: 100 })}`,
});

/** https://learn.microsoft.com/graph/api/authorizationpolicy-update (example "Disable user consent to apps"). */
export function userConsentOffPlan(input: MeasureInput & { since: string }): AuthorizationPlan {
  // Only self-consent policies go: ManagePermissionGrantsForOwnedResource.* (group and team owners' consent) stays.
  const keep = (before: AuthorizationPolicySetting) =>
    (before.defaultUserRolePermissions?.permissionGrantPoliciesAssigned ?? []).filter((p) => !/^ManagePermissionGrantsForSelf\./i.test(p));
  return {
    kind: 'authorizationPolicy',
    measure: 'userConsentOff',
    displayName: `Contain ${input.label}: users may not consent to applications`,
    description:
      'Users can no longer consent to applications on their own (Alice consented to the attacker\'s ".." app). Admins grant consent instead, ideally through the admin consent workflow.',
    noReportOnly: NO_REPORT_ONLY,
    snapshot: [{ method: 'GET', url: AUTHZ }],
    impactReads: [audits('Consent to application', input.since)],
    apply: (before) => ({
      method: 'PATCH',
      url: AUTHZ,
      body: { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: keep(before) } },
    }),
    undo: (before) => ({
      method: 'PATCH',
      url: AUTHZ,
      body: {
        defaultUserRolePermissions: {
          permissionGrantPoliciesAssigned: before.defaultUserRolePermissions?.permissionGrantPoliciesAssigned ?? [],
        },
      },
    }),
  };
}

/** https://learn.microsoft.com/graph/api/authorizationpolicy-update (example "Disable default user role's permission to create applications"). */
export function usersCannotRegisterAppsPlan(input: MeasureInput & { since: string }): AuthorizationPlan {
  return {
    kind: 'authorizationPolicy',
    measure: 'usersCannotRegisterApps',
    displayName: `Contain ${input.label}: users may not register applications`,
    description:
      'Ordinary users can no longer register applications (the attacker registered ".." as Alice). Admins and Application Developers still can.',
    noReportOnly: NO_REPORT_ONLY,
    snapshot: [{ method: 'GET', url: AUTHZ }],
    impactReads: [audits('Add application', input.since)],
    apply: () => ({ method: 'PATCH', url: AUTHZ, body: { defaultUserRolePermissions: { allowedToCreateApps: false } } }),
    undo: (before) => ({
      method: 'PATCH',
      url: AUTHZ,
      body: { defaultUserRolePermissions: { allowedToCreateApps: before.defaultUserRolePermissions?.allowedToCreateApps ?? true } },
    }),
  };
}
