/**
 * Conditional Access as the sign-in log records it: each sign-in's appliedConditionalAccessPolicies, one entry per
 * policy that existed when the sign-in happened (L/resources/appliedconditionalaccesspolicy). Report-only policies
 * answer reportOnlySuccess / reportOnlyFailure / reportOnlyNotApplied / reportOnlyInterrupted, an evolvable enum:
 * without "Prefer: include-unknown-enum-members" Graph returns unknownFutureValue instead. The entries are "returned
 * only for callers with privileges to read conditional access data" (L/api/signin-list, permissions): the sandbox
 * returns an empty list to an app without Policy.Read.All or Policy.ReadWrite.ConditionalAccess (what Graph does
 * then is not documented).
 *
 * The sandbox evaluates users (with groups and roles, transitively), applications, client app types and the grant
 * controls its sign-ins can tell (device compliance and join type; MFA satisfied by every successful sign-in, since
 * the tenant requires MFA). Its sign-ins carry no authentication-method detail, so an authentication strength other
 * than plain MFA is never satisfied; no named location is trusted. The control names in enforcedGrantControls and
 * enforcedSessionControls are the ones exported sign-in logs show; Microsoft publishes no list of them.
 */
import type { GraphEmulator } from './emulator';
import type { SeedSignIn } from './seed';

type Policy = Record<string, unknown> & { id: string; displayName: string; state: string; createdDateTime?: string };
type C = {
  users?: Record<string, string[]>;
  applications?: Record<string, string[]>;
  clientAppTypes?: string[];
  authenticationFlows?: { transferMethods?: string } | null;
};
type G = { operator?: string; builtInControls?: string[]; authenticationStrength?: { id?: string } | null } | null;
type S = { cloudAppSecurity?: { isEnabled?: boolean } | null; signInFrequency?: { isEnabled?: boolean } | null } | null;

export interface AppliedPolicy {
  id: string;
  displayName: string;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  result: string;
}

const GRANT_NAMES: Record<string, string> = {
  block: 'Block',
  mfa: 'Mfa',
  compliantDevice: 'RequireCompliantDevice',
  domainJoinedDevice: 'RequireDomainJoinedDevice',
  approvedApplication: 'RequireApprovedApp',
  compliantApplication: 'RequireCompliantApp',
  passwordChange: 'RequirePasswordChange',
};
const MFA_STRENGTH = '00000000-0000-0000-0000-000000000002';

/** The groups and directory role templates a user belongs to, transitively. */
function memberships(em: GraphEmulator, userId: string): { groups: Set<string>; roles: Set<string> } {
  const groups = new Set<string>();
  const roles = new Set<string>();
  const visit = (id: string) => {
    for (const g of em.state.groups) {
      if (!g.members.includes(id) || groups.has(g.id)) continue;
      groups.add(g.id);
      if (g.kind === 'directoryRole' && g.roleTemplateId) roles.add(g.roleTemplateId);
      if (g.kind === 'group') visit(g.id);
    }
  };
  visit(userId);
  return { groups, roles };
}

const clientType = (used: string) =>
  /^browser$/i.test(used)
    ? 'browser'
    : /mobile apps and desktop clients/i.test(used)
      ? 'mobileAppsAndDesktopClients'
      : /exchange activesync/i.test(used)
        ? 'exchangeActiveSync'
        : 'other';

function inScope(c: C, s: SeedSignIn, m: { groups: Set<string>; roles: Set<string> }): boolean {
  const u = c.users ?? {};
  const has = (xs: string[] | undefined, pred: (x: string) => boolean) => (xs ?? []).some(pred);
  const included =
    has(u.includeUsers, (x) => x === 'All' || x === s.userId) ||
    has(u.includeGroups, (g) => m.groups.has(g)) ||
    has(u.includeRoles, (r) => m.roles.has(r));
  const excluded =
    has(u.excludeUsers, (x) => x === s.userId) ||
    has(u.excludeGroups, (g) => m.groups.has(g)) ||
    has(u.excludeRoles, (r) => m.roles.has(r));
  if (!included || excluded) return false;
  const a = c.applications ?? {};
  // A sign-in is not a user action: policies on registering security info never apply to it.
  if (!has(a.includeApplications, (x) => x === 'All' || x === s.appId) || has(a.excludeApplications, (x) => x === s.appId)) return false;
  const types = c.clientAppTypes ?? ['all'];
  if (!types.includes('all') && !types.includes(clientType(s.clientAppUsed))) return false;
  // Sign-ins of the sandbox never use the device code flow.
  if (c.authenticationFlows?.transferMethods && c.authenticationFlows.transferMethods !== 'none') return false;
  return true;
}

function satisfied(control: string, s: SeedSignIn): boolean {
  if (control === 'mfa') return s.status.errorCode === 0;
  if (control === 'compliantDevice') return s.deviceDetail.isCompliant === true;
  if (control === 'domainJoinedDevice') return /hybrid/i.test(s.deviceDetail.trustType ?? '');
  return false;
}

/** One policy's entry for one sign-in. */
function evaluate(p: Policy, s: SeedSignIn, m: { groups: Set<string>; roles: Set<string> }): AppliedPolicy {
  const g = (p.grantControls ?? null) as G;
  const ses = (p.sessionControls ?? null) as S;
  const grantNames = [
    ...(g?.builtInControls ?? []).map((x) => GRANT_NAMES[x] ?? x),
    ...(g?.authenticationStrength ? ['RequireAuthenticationStrength'] : []),
  ];
  const sessionNames = [
    ...(ses?.cloudAppSecurity?.isEnabled ? ['CloudAppSecurity'] : []),
    ...(ses?.signInFrequency?.isEnabled ? ['SignInFrequency'] : []),
  ];
  const reportOnly = p.state === 'enabledForReportingButNotEnforced';
  const out = (result: string, applied: boolean): AppliedPolicy => ({
    id: p.id,
    displayName: p.displayName,
    enforcedGrantControls: applied ? grantNames : [],
    enforcedSessionControls: applied ? sessionNames : [],
    result: reportOnly ? `reportOnly${result[0].toUpperCase()}${result.slice(1)}` : result,
  });
  if (p.state === 'disabled')
    return { id: p.id, displayName: p.displayName, enforcedGrantControls: [], enforcedSessionControls: [], result: 'notEnabled' };
  // Conditional Access is evaluated after the first factor: a failed password never reaches it.
  if ((s.status.errorCode !== 0 && s.status.errorCode !== 53003) || !inScope(p.conditions as C, s, m)) return out('notApplied', false);
  const controls = [
    ...(g?.builtInControls ?? []),
    ...(g?.authenticationStrength ? [g.authenticationStrength.id === MFA_STRENGTH ? 'mfa' : 'strength'] : []),
  ];
  if (!controls.length) return out('success', true);
  if (controls.includes('block')) return out('failure', true);
  const ok = g?.operator === 'AND' ? controls.every((x) => satisfied(x, s)) : controls.some((x) => satisfied(x, s));
  return out(ok ? 'success' : 'failure', true);
}

/** Every policy that existed at the sign-in's time, evaluated for it (report-only results spelled out). */
function appliedTo(em: GraphEmulator, s: SeedSignIn, cache: Map<string, { groups: Set<string>; roles: Set<string> }>): AppliedPolicy[] {
  const m = cache.get(s.userId) ?? memberships(em, s.userId);
  cache.set(s.userId, m);
  const policies = em.state.conditionalAccessPolicies as unknown as Policy[];
  return policies.filter((p) => !p.createdDateTime || p.createdDateTime <= s.createdDateTime).map((p) => evaluate(p, s, m));
}

/** The appliedConditionalAccessPolicies of each sign-in, as the caller may read them. */
export function withAppliedPolicies<T extends SeedSignIn>(
  em: GraphEmulator,
  rows: T[],
  headers: Record<string, string>,
): (T & { appliedConditionalAccessPolicies: AppliedPolicy[] })[] {
  const mayRead = em.state.app.permissions.some((p) => p === 'Policy.Read.All' || p === 'Policy.ReadWrite.ConditionalAccess');
  const unknownMembers = /include-unknown-enum-members/i.test(headers.prefer ?? '');
  const cache = new Map<string, { groups: Set<string>; roles: Set<string> }>();
  return rows.map((s) => {
    if (!mayRead) return { ...s, appliedConditionalAccessPolicies: [] };
    const applied = appliedTo(em, s, cache);
    return {
      ...s,
      appliedConditionalAccessPolicies: unknownMembers
        ? applied
        : applied.map((a) => (a.result.startsWith('reportOnly') ? { ...a, result: 'unknownFutureValue' } : a)),
    };
  });
}

/** Replayed sign-ins have ids of their own family, so a second replay copies only the originals. */
const REPLAY_ID = /^5191a000-0000-4000-9000-/;

/**
 * Replay the sign-ins of the last `hours` as if they happened again now (new ids), so policies created since are
 * evaluated for them: how the sandbox shows a report-only policy's would-be impact without waiting for real traffic.
 * An enforced policy that fails blocks the replayed sign-in (53003), as Conditional Access would.
 */
export function replaySignIns(em: GraphEmulator, input: { hours?: number }): { replayed: number } {
  const hours = Math.min(Math.max(Number(input.hours ?? 72) || 72, 1), 24 * 30);
  const now = em.clock();
  const since = new Date(now - hours * 3_600_000).toISOString();
  const source = em.state.signIns.filter((s) => s.createdDateTime >= since && !REPLAY_ID.test(s.id));
  const base = em.state.signIns.filter((s) => REPLAY_ID.test(s.id)).length;
  const cache = new Map<string, { groups: Set<string>; roles: Set<string> }>();
  // All at the replay's moment: every policy created before the replay is in force for them.
  const at = new Date(now).toISOString();
  const copies = source.map((s, i): SeedSignIn => {
    const n = String(base + i + 1).padStart(12, '0');
    const copy: SeedSignIn = {
      ...s,
      id: `5191a000-0000-4000-9000-${n}`,
      correlationId: `c0a1e000-0000-4000-9000-${n}`,
      createdDateTime: at,
    };
    const blocked = appliedTo(em, copy, cache).some((p) => p.result === 'failure');
    if (blocked && copy.status.errorCode === 0)
      return {
        ...copy,
        conditionalAccessStatus: 'failure',
        status: {
          errorCode: 53003,
          failureReason: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
          additionalDetails: null,
        },
      };
    return copy;
  });
  em.state.signIns.push(...copies);
  return { replayed: copies.length };
}
