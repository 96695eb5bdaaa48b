import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { PostureView } from '../views/types';
import { AUTH_STRENGTH, REGISTER_SECURITY_INFO } from '../posture/measures';
import type { MeasureId } from '../posture/types';

/** A Conditional Access policy as `posture` reads it. */
export interface CaPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  createdDateTime?: string;
  conditions?: {
    users?: { includeUsers?: string[]; includeGroups?: string[] };
    applications?: { includeApplications?: string[]; includeUserActions?: string[] };
    signInRiskLevels?: string[];
    userRiskLevels?: string[];
    locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
    authenticationFlows?: { transferMethods?: string } | null;
  };
  grantControls?: { builtInControls?: string[]; authenticationStrength?: { id?: string; displayName?: string } | null } | null;
  sessionControls?: {
    signInFrequency?: { isEnabled?: boolean } | null;
    secureSignInSession?: { isEnabled?: boolean } | null;
    cloudAppSecurity?: { isEnabled?: boolean } | null;
  } | null;
}

export interface AuthorizationSettings {
  defaultUserRolePermissions?: { allowedToCreateApps?: boolean; permissionGrantPoliciesAssigned?: string[] };
}

/** What `posture` read: the policies (undefined when they could not be read) and why anything is missing. */
export interface PostureRead {
  policies?: CaPolicy[];
  authz?: AuthorizationSettings;
  notes: string[];
}

/** A check, with the measure Contain can apply for it (when it can). */
export type PostureCheck = PostureView['checks'][number] & { id?: MeasureId };

/** Policies that enforce (enabled) versus ones only reporting: reporting-only counts as "missing (report-only)". */
function judge(name: string, advice: string, policies: CaPolicy[], test: (p: CaPolicy) => boolean): PostureCheck {
  const enforced = policies.filter((p) => p.state === 'enabled' && test(p));
  const reporting = policies.filter((p) => p.state === 'enabledForReportingButNotEnforced' && test(p));
  if (enforced.length)
    return { measure: name, status: 'met', evidence: `enforced by ${enforced.map((p) => `"${p.displayName}"`).join(', ')}` };
  if (reporting.length)
    return {
      measure: name,
      status: 'missing',
      evidence: `only in report-only mode: ${reporting.map((p) => `"${p.displayName}"`).join(', ')}. ${advice}`,
    };
  return { measure: name, status: 'missing', evidence: `no Conditional Access policy does this. ${advice}` };
}

/** The tenant's Conditional Access policies and authorization policy; what cannot be read is said, not thrown. */
export async function readPosture(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<PostureRead> {
  const notes: string[] = [];
  let policies: CaPolicy[] | undefined;
  try {
    policies = [];
    for await (const p of ctx.graph.list<CaPolicy>('/identity/conditionalAccess/policies', {
      signal: options.signal,
      what: 'Conditional Access policies',
    }))
      policies.push(p);
  } catch (err) {
    if (!(err instanceof ContainError && err.code.startsWith('GRAPH_'))) throw err;
    notes.push(`Conditional Access policies could not be read: ${err.userMessage} (needs Policy.Read.All and Entra ID P1).`);
    policies = undefined;
  }
  let authz: AuthorizationSettings | undefined;
  try {
    authz = await ctx.graph.get('/policies/authorizationPolicy', { signal: options.signal, what: 'the authorization policy' });
  } catch (err) {
    if (!(err instanceof ContainError && err.code.startsWith('GRAPH_'))) throw err;
    notes.push(`The authorization policy could not be read: ${err.userMessage}`);
  }
  return { policies, authz, notes };
}

/**
 * The playbook's defensive measures against what was read, each met, missing or unknown, with the Graph evidence
 * (policy names) so an admin can check it, and the measure Contain can apply for it where there is one.
 */
export function judgePosture({ policies, authz }: PostureRead): PostureCheck[] {
  const unknown = (measure: string, id?: MeasureId): PostureCheck => ({
    measure,
    status: 'unknown',
    evidence: 'Conditional Access policies could not be read.',
    ...(id ? { id } : {}),
  });
  const ca = (measure: string, advice: string, test: (p: CaPolicy) => boolean, id?: MeasureId): PostureCheck => ({
    ...(policies ? judge(measure, advice, policies, test) : unknown(measure)),
    ...(id ? { id } : {}),
  });
  const all = (p: CaPolicy) =>
    (p.conditions?.users?.includeUsers ?? []).includes('All') || (p.conditions?.users?.includeGroups ?? []).length > 0;
  const blocks = (p: CaPolicy) => !!p.grantControls?.builtInControls?.includes('block');
  const appControl = (policies ?? []).filter((p) => p.sessionControls?.cloudAppSecurity?.isEnabled);
  const routed = appControl.filter((p) => p.state === 'enabled');
  const p = authz?.defaultUserRolePermissions;
  return [
    ca(
      'Compliant or hybrid-joined device required',
      "Require a compliant device: a stolen session cookie then fails from the attacker's machine.",
      (x) => all(x) && !!x.grantControls?.builtInControls?.some((c) => c === 'compliantDevice' || c === 'domainJoinedDevice'),
      'compliantDevice',
    ),
    ca(
      'Phishing-resistant MFA',
      'Require the "Phishing-resistant MFA" authentication strength (FIDO2, Windows Hello, certificates): AiTM proxies cannot relay it.',
      (x) => all(x) && x.grantControls?.authenticationStrength?.id === AUTH_STRENGTH.phishingResistantMfa,
      'phishingResistantMfa',
    ),
    ca(
      'Token protection',
      'Enable token protection (sign-in session binding) for supported clients.',
      (x) => !!x.sessionControls?.secureSignInSession?.isEnabled,
    ),
    ca(
      'Sign-in frequency for browser sessions',
      'Limit browser sessions (e.g. 1 hour for Outlook on the web) so a stolen cookie expires soon.',
      (x) => !!x.sessionControls?.signInFrequency?.isEnabled,
    ),
    ca(
      'Security-info registration only from trusted locations',
      'Add a policy on the user action "Register security information" that requires a trusted location or device.',
      (x) => (x.conditions?.applications?.includeUserActions ?? []).includes(REGISTER_SECURITY_INFO),
      'registrationFromTrustedLocations',
    ),
    ca(
      'Device code flow blocked (except an exclusion group)',
      'Block the device code flow: attackers phish device codes to get tokens without a password.',
      (x) => x.conditions?.authenticationFlows?.transferMethods?.includes('deviceCodeFlow') === true && blocks(x),
      'blockDeviceCodeFlow',
    ),
    ca(
      'Risky sign-ins challenged or blocked',
      'Add a sign-in risk policy (Entra ID P2).',
      (x) => (x.conditions?.signInRiskLevels ?? []).length > 0,
    ),
    p
      ? (p.permissionGrantPoliciesAssigned ?? []).some((x) => /ManagePermissionGrantsForSelf/i.test(x))
        ? {
            id: 'userConsentOff',
            measure: 'Users may not consent to applications',
            status: 'missing',
            evidence: `users may consent (${p.permissionGrantPoliciesAssigned!.join(', ')}). Turn user consent off and use the admin consent workflow.`,
          }
        : {
            id: 'userConsentOff',
            measure: 'Users may not consent to applications',
            status: 'met',
            evidence: 'no self-consent permission grant policy is assigned to users',
          }
      : {
          id: 'userConsentOff',
          measure: 'Users may not consent to applications',
          status: 'unknown',
          evidence: 'the authorization policy could not be read',
        },
    p
      ? p.allowedToCreateApps
        ? {
            id: 'usersCannotRegisterApps',
            measure: 'Users may not register applications',
            status: 'missing',
            evidence: "allowedToCreateApps is true: any user can register an app (as Alice's attacker did). Set it to false.",
          }
        : {
            id: 'usersCannotRegisterApps',
            measure: 'Users may not register applications',
            status: 'met',
            evidence: 'allowedToCreateApps is false',
          }
      : {
          id: 'usersCannotRegisterApps',
          measure: 'Users may not register applications',
          status: 'unknown',
          evidence: 'the authorization policy could not be read',
        },
    !policies
      ? unknown('Harmful user agents blocked', 'harmfulUserAgents')
      : routed.length
        ? {
            id: 'harmfulUserAgents',
            measure: 'Harmful user agents blocked',
            status: 'unknown',
            evidence: `sessions are routed through Conditional Access App Control by ${routed.map((x) => `"${x.displayName}"`).join(', ')}; whether a Defender for Cloud Apps access policy blocks the tools' user agents has no API: check it in the Defender portal, and run "hunt user-agents" to see whether any get through.`,
          }
        : {
            id: 'harmfulUserAgents',
            measure: 'Harmful user agents blocked',
            status: 'missing',
            evidence: `${appControl.length ? `only in report-only mode: ${appControl.map((x) => `"${x.displayName}"`).join(', ')}.` : "no Conditional Access policy routes sessions through App Control, which a Defender for Cloud Apps access policy needs to block the tools' user agents."} Run "hunt user-agents": its card offers the measure with a pilot group of the users it found.`,
          },
  ];
}

/** `posture` without Contain's own records: the checks and what could not be read. */
export async function checkPosture(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<PostureView> {
  const read = await readPosture(ctx, options);
  return { kind: 'posture', checks: judgePosture(read).map(({ id: _id, ...c }) => c), notes: read.notes };
}
