/**
 * The playbook's defensive measures as Graph requests: Conditional Access policies created report-only
 * (state enabledForReportingButNotEnforced), and the two authorization-policy settings, which have no report-only
 * state. Pure: no Graph call here; the caller snapshots, applies after approval and keeps the undo.
 * Bodies follow https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy (v1.0) and Microsoft's
 * Conditional Access templates (https://learn.microsoft.com/entra/identity/conditional-access/), each cited where used.
 */
import { segment } from '../graph/odata';
import { harmfulUserAgentPortalSteps } from './portal-steps';
import type { ConditionalAccessPlan, Exclusions, GraphRequest, GroupSpec, MeasureId } from './types';

export { userConsentOffPlan, usersCannotRegisterAppsPlan } from './authorization-plans';

/** Built-in authentication strengths (policies/authenticationStrengthPolicies): the same ids in every tenant. */
export const AUTH_STRENGTH = {
  mfa: '00000000-0000-0000-0000-000000000002',
  passwordlessMfa: '00000000-0000-0000-0000-000000000003',
  phishingResistantMfa: '00000000-0000-0000-0000-000000000004',
} as const;
/** Microsoft's templates exclude the Directory Synchronization Accounts role from policies for all users. */
export const DIRECTORY_SYNC_ROLE = 'd29b2b05-8046-44ba-8758-1e26182fcf32';
export const REGISTER_SECURITY_INFO = 'urn:user:registersecurityinfo';
export const REPORT_ONLY = 'enabledForReportingButNotEnforced';
const POLICIES = '/identity/conditionalAccess/policies';

/** Who a measure is for, and what it must never touch. */
export interface MeasureInput {
  /** Shown in every name, so an admin finds Contain's objects: the incident ("INC-20250101-0001") or the date. */
  label: string;
  exclusions: Exclusions;
}

const snapshot: GraphRequest[] = [{ method: 'GET', url: POLICIES }];
const unique = (xs: string[]) => [...new Set(xs)];

/** The users condition: everyone (or a group) except the protected accounts, in Graph's shape. */
function users(
  input: MeasureInput,
  scope: { allUsers?: boolean; includeGroups?: string[]; excludeGroups?: string[]; excludeUsers?: string[] },
) {
  const e = input.exclusions;
  return {
    includeUsers: scope.allUsers ? ['All'] : [],
    excludeUsers: unique([...e.users, ...(scope.excludeUsers ?? [])]),
    includeGroups: scope.includeGroups ?? [],
    excludeGroups: unique([...(scope.excludeGroups ?? []), ...e.groups]),
    includeRoles: [],
    excludeRoles: unique([...e.roles, ...(scope.allUsers ? [DIRECTORY_SYNC_ROLE] : [])]),
  };
}

/** A report-only policy; `parts` are the conditions and controls that make the measure. */
function caPolicy(
  displayName: string,
  parts: {
    conditions: Record<string, unknown>;
    grantControls?: Record<string, unknown> | null;
    sessionControls?: Record<string, unknown> | null;
  },
): GraphRequest {
  return {
    method: 'POST',
    url: POLICIES,
    body: {
      displayName,
      state: REPORT_ONLY,
      conditions: parts.conditions,
      grantControls: parts.grantControls ?? null,
      sessionControls: parts.sessionControls ?? null,
    },
  };
}

function caPlan(
  measure: MeasureId,
  displayName: string,
  description: string,
  groups: GroupSpec[],
  policy: (ids: Record<string, string>) => GraphRequest,
  portalSteps: string[] = [],
): ConditionalAccessPlan {
  return {
    kind: 'conditionalAccess',
    measure,
    displayName,
    description,
    snapshot,
    groups,
    policy,
    undo: ({ policyId, groupIds }) => [
      { method: 'DELETE', url: `${POLICIES}/${segment(policyId)}` },
      ...groups.filter((g) => groupIds[g.key]).map((g): GraphRequest => ({ method: 'DELETE', url: `/groups/${segment(groupIds[g.key])}` })),
    ],
    enforce: (policyId) => ({ method: 'PATCH', url: `${POLICIES}/${segment(policyId)}`, body: { state: 'enabled' } }),
    portalSteps,
  };
}

const name = (input: MeasureInput, what: string) => `Contain ${input.label}: ${what} (report-only)`.slice(0, 256);
const allApps = { includeApplications: ['All'], excludeApplications: [], includeUserActions: [] };

/** A measure whose policy grants every sign-in of every user to every app only under `grantControls`. */
function everySignInPlan(
  input: MeasureInput,
  measure: MeasureId,
  title: string,
  description: string,
  grantControls: Record<string, unknown>,
): ConditionalAccessPlan {
  const displayName = name(input, title);
  return caPlan(measure, displayName, description, [], () =>
    caPolicy(displayName, {
      conditions: { users: users(input, { allUsers: true }), applications: allApps, clientAppTypes: ['all'] },
      grantControls,
    }),
  );
}

/** https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-policy-compliant-device */
export function compliantDevicePlan(input: MeasureInput): ConditionalAccessPlan {
  return everySignInPlan(
    input,
    'compliantDevice',
    'Require a compliant or hybrid-joined device',
    "Every sign-in of every user to every app must come from a device Intune marks compliant or a Microsoft Entra hybrid-joined one. A session cookie stolen through an AiTM proxy then fails from the attacker's machine. Created report-only: the sign-in logs show who would be blocked before it is enforced.",
    { operator: 'OR', builtInControls: ['compliantDevice', 'domainJoinedDevice'] },
  );
}

/** https://learn.microsoft.com/entra/identity/conditional-access/how-to-policy-phish-resistant-admin-mfa (for all users) */
export function phishingResistantMfaPlan(input: MeasureInput): ConditionalAccessPlan {
  return everySignInPlan(
    input,
    'phishingResistantMfa',
    'Require phishing-resistant MFA',
    'Every sign-in must satisfy the built-in "Phishing-resistant MFA" authentication strength (FIDO2 security keys, Windows Hello for Business, certificate-based MFA): an AiTM proxy cannot relay them. Created report-only: users without such a method would be blocked, and the sign-in logs show who.',
    { operator: 'OR', builtInControls: [], authenticationStrength: { id: AUTH_STRENGTH.phishingResistantMfa } },
  );
}

/** https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-policy-registration */
export function registrationPlan(input: MeasureInput): ConditionalAccessPlan {
  const displayName = name(input, 'Register security info only from trusted locations');
  return caPlan(
    'registrationFromTrustedLocations',
    displayName,
    "Registering security info (MFA methods, as Alice's attacker did) is blocked outside the tenant's trusted named locations. Guests are left out (Microsoft's template handles them apart). Needs trusted locations to be defined; report-only shows who would be blocked, e.g. staff registering from home.",
    [],
    () =>
      caPolicy(displayName, {
        conditions: {
          users: users(input, { allUsers: true, excludeUsers: ['GuestsOrExternalUsers'] }),
          applications: { includeApplications: [], excludeApplications: [], includeUserActions: [REGISTER_SECURITY_INFO] },
          clientAppTypes: ['all'],
          locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
        },
        grantControls: { operator: 'OR', builtInControls: ['block'] },
      }),
  );
}

/**
 * https://learn.microsoft.com/entra/identity/conditional-access/how-to-policy-authentication-flows (device code flow),
 * conditions.authenticationFlows.transferMethods (https://learn.microsoft.com/graph/api/resources/conditionalaccessauthenticationflows).
 * The exclusion group is created empty unless one is given: admins add the devices' users that need the flow.
 */
export function blockDeviceCodePlan(
  input: MeasureInput & { exclusionGroupId?: string; exclusionMemberIds?: string[] },
): ConditionalAccessPlan {
  const displayName = name(input, 'Block device code flow');
  const groups: GroupSpec[] = input.exclusionGroupId
    ? []
    : [
        {
          key: 'exclusion',
          displayName: `Contain ${input.label}: device code flow allowed`,
          description: `Users who may still sign in with the device code flow (conference-room and shared devices, CLI tools). Created by Contain for "${displayName}"; keep it small and review it.`,
          mailNickname: nickname('contain-devicecode-allowed', input.label),
          memberIds: input.exclusionMemberIds ?? [],
        },
      ];
  return caPlan(
    'blockDeviceCodeFlow',
    displayName,
    'Sign-ins through the device code flow are blocked for everyone except an exclusion group: attackers phish device codes to get tokens without a password. Created report-only: the sign-in logs show who still uses the flow.',
    groups,
    (ids) =>
      caPolicy(displayName, {
        conditions: {
          users: users(input, { allUsers: true, excludeGroups: [input.exclusionGroupId ?? ids.exclusion] }),
          applications: allApps,
          clientAppTypes: ['all'],
          authenticationFlows: { transferMethods: 'deviceCodeFlow' },
        },
        grantControls: { operator: 'OR', builtInControls: ['block'] },
      }),
  );
}

/**
 * The harmful-user-agent method: a Conditional Access policy whose session control routes the pilot group's sessions
 * through Conditional Access App Control (cloudAppSecurity, "Use custom policy..." = mcasConfigured), where a Defender
 * for Cloud Apps access policy blocks the attack tools' user agents; an exclusion group for legitimate use.
 * https://learn.microsoft.com/defender-cloud-apps/access-policy-aad and its CA policy sample (browser and
 * mobile/desktop clients, report-only first). The access policy has no API: its portal steps come with the plan.
 */
export function harmfulUserAgentPlan(
  input: MeasureInput & { targetedUserIds: string[]; legitimateUserIds: string[]; userAgents: string[] },
): ConditionalAccessPlan {
  const displayName = name(input, 'Route pilot sessions through App Control (harmful user agents)');
  const pilot: GroupSpec = {
    key: 'pilot',
    displayName: `Contain ${input.label}: harmful user agents - pilot`,
    description:
      'Users the "hunt user-agents" search found targeted by attack tools. Their sessions go through Conditional Access App Control, where a Defender for Cloud Apps access policy blocks those tools. Created by Contain.',
    mailNickname: nickname('contain-ua-pilot', input.label),
    memberIds: unique(input.targetedUserIds),
  };
  const exclusion: GroupSpec = {
    key: 'exclusion',
    displayName: `Contain ${input.label}: harmful user agents - legitimate use`,
    description:
      'Users whose sign-ins with these user agents are legitimate business use (automation, scripts). Excluded from the pilot policy. Created by Contain; review it.',
    mailNickname: nickname('contain-ua-legit', input.label),
    memberIds: unique(input.legitimateUserIds),
  };
  return caPlan(
    'harmfulUserAgents',
    displayName,
    "The pilot group's sessions (users attack tools targeted) are routed through Conditional Access App Control; a Defender for Cloud Apps access policy, set up in the portal, blocks the attack tools' user agents. The legitimate-use group is excluded. Created report-only, enforced after a monitoring period.",
    [pilot, exclusion],
    (ids) =>
      caPolicy(displayName, {
        conditions: {
          users: users(input, { includeGroups: [ids.pilot], excludeGroups: [ids.exclusion] }),
          applications: allApps,
          clientAppTypes: ['browser', 'mobileAppsAndDesktopClients'],
        },
        sessionControls: { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'mcasConfigured' } },
      }),
    harmfulUserAgentPortalSteps({
      label: input.label,
      pilotGroup: pilot.displayName,
      exclusionGroup: exclusion.displayName,
      userAgents: input.userAgents,
    }),
  );
}
/** A group's mail alias: ASCII, none of @ ( ) \ [ ] " ; : . < > , or space, at most 64 characters (group-post-groups). */
export function nickname(prefix: string, label: string): string {
  return `${prefix}-${label}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 64);
}
