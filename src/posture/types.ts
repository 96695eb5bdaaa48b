/** One Graph request a measure sends: method, path below the version, body. Pure data, sent by whoever applies it. */
export interface GraphRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The playbook's defensive measures Contain can apply (issue 17), by id. */
export type MeasureId =
  | 'compliantDevice'
  | 'phishingResistantMfa'
  | 'registrationFromTrustedLocations'
  | 'blockDeviceCodeFlow'
  | 'userConsentOff'
  | 'usersCannotRegisterApps'
  | 'harmfulUserAgents';

/**
 * Accounts a measure never applies to: break-glass and protected accounts (CONTAIN_PROTECTED_USERS), resolved to
 * what Conditional Access takes: user object ids, group object ids and directory role template ids.
 */
export interface Exclusions {
  users: string[];
  groups: string[];
  roles: string[];
}

/** A security group a measure creates (pilot or exclusion group), with its first members. */
export interface GroupSpec {
  /** The plan's name for it, used to hand its id to the policy: "pilot", "exclusion". */
  key: string;
  displayName: string;
  description: string;
  mailNickname: string;
  memberIds: string[];
}

/** A measure that is a Conditional Access policy, created in report-only state. */
export interface ConditionalAccessPlan {
  kind: 'conditionalAccess';
  measure: MeasureId;
  /** What an admin sees in the portal: "Contain INC-…: Require a compliant or hybrid-joined device (report-only)". */
  displayName: string;
  description: string;
  /** The setting before, kept as evidence: the tenant's Conditional Access policies. */
  snapshot: GraphRequest[];
  /** Groups to create first; their ids go into the policy by key. */
  groups: GroupSpec[];
  /** The POST that creates the policy in report-only state, given the created groups' ids. */
  policy(groupIds: Record<string, string>): GraphRequest;
  /** Undo: delete the policy, then the groups Contain created for it. */
  undo(created: { policyId: string; groupIds: Record<string, string> }): GraphRequest[];
  /** After the monitoring period, and another approval: from report-only to enforced. */
  enforce(policyId: string): GraphRequest;
  /** Steps with no API, done in a portal (the Defender for Cloud Apps access policy). */
  portalSteps: string[];
}

/** A measure that is a tenant setting of the authorization policy: there is no report-only state. */
export interface AuthorizationPlan {
  kind: 'authorizationPolicy';
  measure: MeasureId;
  displayName: string;
  description: string;
  /** What Contain does instead of a report-only mode. */
  noReportOnly: string;
  snapshot: GraphRequest[];
  /** Who would have been affected lately: read before approval so the approver sees the impact. */
  impactReads: GraphRequest[];
  apply(before: AuthorizationPolicySetting): GraphRequest;
  /** Puts back exactly what the snapshot held. */
  undo(before: AuthorizationPolicySetting): GraphRequest;
}

export type MeasurePlan = ConditionalAccessPlan | AuthorizationPlan;

/** The part of GET /policies/authorizationPolicy the measures read and change. */
export interface AuthorizationPolicySetting {
  defaultUserRolePermissions?: { allowedToCreateApps?: boolean; permissionGrantPoliciesAssigned?: string[] };
}
