import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { PostureView } from '../views/types';
import { AUTH_STRENGTH } from '../posture/measures';

interface CaPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  conditions?: {
    users?: { includeUsers?: string[]; includeGroups?: string[] };
    applications?: { includeApplications?: string[]; includeUserActions?: string[] };
    signInRiskLevels?: string[];
    userRiskLevels?: string[];
    locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
  };
  grantControls?: { builtInControls?: string[]; authenticationStrength?: { id?: string; displayName?: string } | null } | null;
  sessionControls?: { signInFrequency?: { isEnabled?: boolean; value?: number; type?: string } | null; secureSignInSession?: { isEnabled?: boolean } | null } | null;
}

type Check = PostureView['checks'][number];


/** Policies that enforce (enabled) versus ones only reporting: reporting-only counts as "missing (report-only)". */
function judge(name: string, advice: string, policies: CaPolicy[], test: (p: CaPolicy) => boolean): Check {
  const enforced = policies.filter((p) => p.state === 'enabled' && test(p));
  const reporting = policies.filter((p) => p.state === 'enabledForReportingButNotEnforced' && test(p));
  if (enforced.length) return { measure: name, status: 'met', evidence: `enforced by ${enforced.map((p) => `"${p.displayName}"`).join(', ')}` };
  if (reporting.length) return { measure: name, status: 'missing', evidence: `only in report-only mode: ${reporting.map((p) => `"${p.displayName}"`).join(', ')}. ${advice}` };
  return { measure: name, status: 'missing', evidence: `no Conditional Access policy does this. ${advice}` };
}

/**
 * `posture`: the tenant's Conditional Access and authorization policy against the playbook's defensive measures, each
 * met, missing or unknown, with the Graph evidence (policy names) so an admin can check it.
 */
export async function checkPosture(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<PostureView> {
  const notes: string[] = [];
  let policies: CaPolicy[] | undefined;
  try {
    policies = [];
    for await (const p of ctx.graph.list<CaPolicy>('/identity/conditionalAccess/policies', { signal: options.signal, what: 'Conditional Access policies' })) policies.push(p);
  } catch (err) {
    if (!(err instanceof ContainError && err.code.startsWith('GRAPH_'))) throw err;
    notes.push(`Conditional Access policies could not be read: ${err.userMessage} (needs Policy.Read.All and Entra ID P1).`);
    policies = undefined;
  }
  let authz: { defaultUserRolePermissions?: { allowedToCreateApps?: boolean; permissionGrantPoliciesAssigned?: string[] } } | undefined;
  try {
    authz = await ctx.graph.get('/policies/authorizationPolicy', { signal: options.signal, what: 'the authorization policy' });
  } catch (err) {
    if (!(err instanceof ContainError && err.code.startsWith('GRAPH_'))) throw err;
    notes.push(`The authorization policy could not be read: ${err.userMessage}`);
  }
  const unknown = (measure: string): Check => ({ measure, status: 'unknown', evidence: 'Conditional Access policies could not be read.' });
  const ca = (measure: string, advice: string, test: (p: CaPolicy) => boolean) => (policies ? judge(measure, advice, policies, test) : unknown(measure));
  const all = (p: CaPolicy) => (p.conditions?.users?.includeUsers ?? []).includes('All') || (p.conditions?.users?.includeGroups ?? []).length > 0;
  const checks: Check[] = [
    ca('Compliant or hybrid-joined device required', 'Require a compliant device: a stolen session cookie then fails from the attacker\'s machine.', (p) => all(p) && !!p.grantControls?.builtInControls?.some((c) => c === 'compliantDevice' || c === 'domainJoinedDevice')),
    ca('Phishing-resistant MFA', 'Require the "Phishing-resistant MFA" authentication strength (FIDO2, Windows Hello, certificates): AiTM proxies cannot relay it.', (p) => all(p) && p.grantControls?.authenticationStrength?.id === AUTH_STRENGTH.phishingResistantMfa),
    ca('Token protection', 'Enable token protection (sign-in session binding) for supported clients.', (p) => !!p.sessionControls?.secureSignInSession?.isEnabled),
    ca('Sign-in frequency for browser sessions', 'Limit browser sessions (e.g. 1 hour for Outlook on the web) so a stolen cookie expires soon.', (p) => !!p.sessionControls?.signInFrequency?.isEnabled),
    ca('Security-info registration only from trusted locations', 'Add a policy on the user action "Register security information" that requires a trusted location or device.', (p) => (p.conditions?.applications?.includeUserActions ?? []).includes('urn:user:registersecurityinfo')),
    ca('Risky sign-ins challenged or blocked', 'Add a sign-in risk policy (Entra ID P2).', (p) => (p.conditions?.signInRiskLevels ?? []).length > 0),
    authz?.defaultUserRolePermissions
      ? (authz.defaultUserRolePermissions.permissionGrantPoliciesAssigned ?? []).some((x) => /ManagePermissionGrantsForSelf/i.test(x))
        ? { measure: 'Users may not consent to applications', status: 'missing', evidence: `users may consent (${authz.defaultUserRolePermissions.permissionGrantPoliciesAssigned!.join(', ')}). Turn user consent off and use the admin consent workflow.` }
        : { measure: 'Users may not consent to applications', status: 'met', evidence: 'no self-consent permission grant policy is assigned to users' }
      : { measure: 'Users may not consent to applications', status: 'unknown', evidence: 'the authorization policy could not be read' },
    authz?.defaultUserRolePermissions
      ? authz.defaultUserRolePermissions.allowedToCreateApps
        ? { measure: 'Users may not register applications', status: 'missing', evidence: 'allowedToCreateApps is true: any user can register an app (as Alice\'s attacker did). Set it to false.' }
        : { measure: 'Users may not register applications', status: 'met', evidence: 'allowedToCreateApps is false' }
      : { measure: 'Users may not register applications', status: 'unknown', evidence: 'the authorization policy could not be read' },
    { measure: 'Harmful user agents blocked', status: 'unknown', evidence: 'Conditional Access has no user-agent condition that Graph exposes; check Defender for Cloud Apps session policies, and run "hunt user-agents" to see whether any get through.' },
  ];
  return { kind: 'posture', checks, notes };
}
