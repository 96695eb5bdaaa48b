import { SEED_IDS } from './ids';
import { iso } from './seed-shapes';

/** What `posture` checks: the tenant's Conditional Access policies and authorization policy. */
export function seedPolicies(now: number) {
  // Conditional Access as many tenants have it: MFA for everyone, legacy auth blocked, risky sign-ins challenged.
  // No compliant-device, phishing-resistant, token-protection or registration-location policy, and users may still
  // register apps and consent to them: the posture check should say so.
  const ca = (id: string, name: string, state: string, extra: Record<string, unknown>) => ({
    id,
    displayName: name,
    state,
    createdDateTime: iso(now, 24 * 500),
    conditions: {
      users: { includeUsers: ['All'], excludeUsers: [SEED_IDS.breakGlass], excludeGroups: [] },
      applications: { includeApplications: ['All'], includeUserActions: [] },
      clientAppTypes: ['all'],
      signInRiskLevels: [],
      locations: null,
    },
    grantControls: null,
    sessionControls: null,
    ...extra,
  });
  const conditionalAccessPolicies = [
    ca('ca000000-0000-4000-8000-000000000001', 'Require MFA for all users', 'enabled', {
      grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: null },
    }),
    ca('ca000000-0000-4000-8000-000000000002', 'Block legacy authentication', 'enabled', {
      conditions: {
        users: { includeUsers: ['All'] },
        applications: { includeApplications: ['All'], includeUserActions: [] },
        clientAppTypes: ['exchangeActiveSync', 'other'],
        signInRiskLevels: [],
        locations: null,
      },
      grantControls: { operator: 'OR', builtInControls: ['block'] },
    }),
    ca('ca000000-0000-4000-8000-000000000003', 'Risky sign-ins need MFA', 'enabled', {
      conditions: {
        users: { includeUsers: ['All'] },
        applications: { includeApplications: ['All'], includeUserActions: [] },
        clientAppTypes: ['all'],
        signInRiskLevels: ['high', 'medium'],
        locations: null,
      },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    }),
    ca('ca000000-0000-4000-8000-000000000004', 'OWA session lifetime (pilot)', 'enabledForReportingButNotEnforced', {
      sessionControls: { signInFrequency: { isEnabled: true, type: 'hours', value: 1, frequencyInterval: 'timeBased' } },
    }),
  ];
  const authorizationPolicy = {
    id: 'authorizationPolicy',
    displayName: 'Authorization Policy',
    allowInvitesFrom: 'everyone',
    blockMsolPowerShell: false,
    defaultUserRolePermissions: {
      allowedToCreateApps: true,
      allowedToCreateSecurityGroups: true,
      allowedToReadOtherUsers: true,
      permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'],
    },
  };
  return { conditionalAccessPolicies, authorizationPolicy };
}
