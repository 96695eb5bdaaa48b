/**
 * The defensive measures as engine actions (src/incidents/execute.ts), run under a posture record with the same
 * guarantees as a containment: four-eyes approval, the tenant setting before snapshotted first, sent at most once
 * unless the read-back shows it was not made, and read back after. Apply creates the measure (a Conditional Access
 * policy in report-only state with its groups, or the authorization-policy setting); Enforce turns a report-only
 * policy on; Undo removes what Apply created, or puts the setting back as the snapshot had it.
 */
import { failed, get, gone, ok, patch, query, seg } from '../playbook/steps/common';
import type { Action } from '../incidents/model';
import type { ActionHandler, Call, CallResult } from '../playbook/types';
import { REPORT_ONLY } from './measures';
import { enforcedName, isPolicyNamed, planFor, requestOf } from './params';
import { isSettingMeasure } from './record';
import type { AuthorizationPlan, AuthorizationPolicySetting } from './types';

/** Posture actions sit outside the playbook's ten steps. */
export const POSTURE_STEP = 0;

const POLICIES = '/identity/conditionalAccess/policies';
const AUTHZ = '/policies/authorizationPolicy';
const policyList = () => get(`${POLICIES}${query({ $select: 'id,displayName,state,modifiedDateTime' })}`);
const policy = (a: Action) => `${POLICIES}/${seg(a.params.policyId)}`;
const isCa = (a: Action) => !isSettingMeasure(a.params.measure);
const authzPlan = (a: Action) => planFor(requestOf(a.params)) as AuthorizationPlan;
const setting = (r: CallResult | unknown) => ((r as CallResult).body ?? {}) as AuthorizationPolicySetting;
const listed = (r: CallResult) => (r.body as { value?: { displayName?: string; state?: string }[] } | undefined)?.value ?? [];

/** Does the authorization policy now hold what the measure (or its undo) wants? */
function holds(a: Action, now: AuthorizationPolicySetting, want: AuthorizationPolicySetting | 'measure'): boolean {
  const p = now.defaultUserRolePermissions ?? {};
  if (a.params.measure === 'usersCannotRegisterApps')
    return p.allowedToCreateApps === (want === 'measure' ? false : (want.defaultUserRolePermissions?.allowedToCreateApps ?? true));
  const grants = [...(p.permissionGrantPoliciesAssigned ?? [])].sort();
  if (want === 'measure') return !grants.some((g) => /^ManagePermissionGrantsForSelf\./i.test(g));
  return JSON.stringify(grants) === JSON.stringify([...(want.defaultUserRolePermissions?.permissionGrantPoliciesAssigned ?? [])].sort());
}

const restore = (a: Action) => JSON.parse(a.params.restore) as AuthorizationPolicySetting;
const groupIds = (a: Action) => JSON.parse(a.params.groupIds ?? '{}') as Record<string, string>;

export const postureHandlers: ActionHandler[] = [
  {
    kind: 'applyMeasure',
    phase: 2,
    // The tenant setting before: the Conditional Access policies there were (names and states), or the authorization policy.
    snapshot: (a) => (isCa(a) ? policyList() : get(AUTHZ)),
    change: (a, evidence): Call =>
      isCa(a)
        ? { api: 'posture', op: 'ensureConditionalAccess', params: a.params }
        : { api: 'graph', ...authzPlan(a).apply(setting({ body: evidence } as CallResult)) },
    outcome: (a, r) => {
      if (ok(r))
        return {
          outcome: 'succeeded',
          message: isCa(a)
            ? `"${a.params.policyName}" created in report-only state: nothing is enforced yet; "posture" shows who it would have blocked.`
            : `${a.params.policyName}: done. The setting before is kept as evidence; Undo puts it back.`,
        };
      return failed(r, `${a.params.policyName} could not be applied; the posture card gives the portal steps to do it by hand.`);
    },
    check: (a) => (isCa(a) ? policyList() : get(AUTHZ)),
    verified: (a, _e, r) =>
      ok(r) && (isCa(a) ? listed(r).some((p) => isPolicyNamed(p.displayName, a.params.policyName)) : holds(a, setting(r), 'measure')),
  },
  {
    kind: 'enforceMeasure',
    phase: 2,
    snapshot: (a) => get(policy(a)),
    change: (a) => patch(policy(a), { state: 'enabled', displayName: enforcedName(a.params.policyName) }),
    outcome: (a, r) => {
      if (ok(r))
        return {
          outcome: 'succeeded',
          message: `"${enforcedName(a.params.policyName)}" is enforced now (it was report-only; the policy before is kept as evidence).`,
        };
      if (r.status === 404) return gone(`The policy "${a.params.policyName}"`);
      return failed(
        r,
        `"${a.params.policyName}" could not be enforced; set it to On in Entra admin center > Protection > Conditional Access > Policies.`,
      );
    },
    check: (a) => get(`${policy(a)}${query({ $select: 'id,state' })}`),
    verified: (_a, _e, r) => ok(r) && (r.body as { state?: string } | undefined)?.state === 'enabled',
  },
  {
    kind: 'undoMeasure',
    phase: 2,
    // What is taken away: the policy as it is now, or the authorization policy.
    snapshot: (a) => (isCa(a) ? get(policy(a)) : get(AUTHZ)),
    change: (a): Call =>
      isCa(a)
        ? { api: 'posture', op: 'removeConditionalAccess', policyId: a.params.policyId, groupIds: groupIds(a) }
        : { api: 'graph', ...authzPlan(a).undo(restore(a)) },
    outcome: (a, r) => {
      if (ok(r))
        return {
          outcome: 'succeeded',
          message: isCa(a)
            ? `"${a.params.policyName}" deleted, with the groups Contain created for it (the policy is kept as evidence).`
            : `${a.params.policyName}: undone, the setting is back as it was before.`,
        };
      if (r.status === 404) return gone(`The policy "${a.params.policyName}"`);
      return failed(r, `${a.params.policyName} could not be undone; do it in the Entra admin center.`);
    },
    check: (a): Call =>
      isCa(a) ? { api: 'posture', op: 'readConditionalAccess', policyId: a.params.policyId, groupIds: groupIds(a) } : get(AUTHZ),
    verified: (a, _e, r) => {
      if (!ok(r)) return false;
      if (!isCa(a)) return holds(a, setting(r), restore(a));
      const now = r.body as { policy: unknown; groups: Record<string, boolean> };
      return now.policy === null && Object.values(now.groups).every((exists) => !exists);
    },
  },
];

/** Is this policy state report-only (the state Apply creates)? */
export const isReportOnly = (state: string | undefined) => state === REPORT_ONLY;
