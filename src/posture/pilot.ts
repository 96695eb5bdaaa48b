/**
 * The harmful-user-agent measure from `hunt user-agents`: who the attack tools targeted (the pilot group) and who
 * used such a client legitimately (the exclusion group), kept for the hunt card's button, and the offer on that card.
 */
import { randomUUID } from 'node:crypto';
import type { ContainContext } from '../context';
import { currentDoctor } from '../doctor/latest';
import { ContainError } from '../errors';
import { resultId, RESULT_ID } from '../ids';
import type { LogRecord } from '../investigate/record';
import { harmfulUserAgent } from '../investigate/user-agents';
import type { HuntView } from '../views/types';
import { harmfulUserAgentPortalSteps } from './portal-steps';
import { postureBlocker } from './records';

/** The people a hunt found, by UPN, and the tools it saw. */
export interface PilotCandidates {
  targeted: string[];
  legitimate: string[];
  userAgents: string[];
}

/** A pilot group stays small enough for one approval card and one action's record. */
export const MAX_PILOT = 500;
const SCOPE = 'posture-pilot';
/** A hunt's result backs its button this long; older ones ask for a new hunt (people change). */
const PILOT_TTL_MS = 7 * 86_400_000;

/**
 * Sign-ins with an attack tool's user agent: a success from a device the organisation manages or from one of its
 * trusted networks is legitimate business use (automation, scripts); every other one, failed or not, makes its user
 * targeted. A user in both groups is excluded: Conditional Access lets the exclusion win.
 */
export function pilotCandidates(records: LogRecord[], userAgentExclusions: string[] = []): PilotCandidates {
  const targeted = new Set<string>();
  const legitimate = new Set<string>();
  const tools = new Set<string>();
  for (const r of records) {
    if (!r.logon || !r.user) continue;
    const tool = harmfulUserAgent(r.userAgent, userAgentExclusions) ?? harmfulUserAgent(r.clientApp, userAgentExclusions);
    if (!tool) continue;
    tools.add(tool);
    (r.success !== false && (r.deviceTrusted || r.trustedNetwork) ? legitimate : targeted).add(r.user.toLowerCase());
  }
  return {
    targeted: [...targeted].sort().slice(0, MAX_PILOT),
    legitimate: [...legitimate].sort().slice(0, MAX_PILOT),
    userAgents: [...tools].sort(),
  };
}

/** What the hunt card offers: the button (its reference names the kept candidates), or why not and the steps by hand. */
export async function offerPilot(
  ctx: ContainContext,
  c: PilotCandidates,
  options: { signal?: AbortSignal } = {},
): Promise<HuntView['offer']> {
  if (!c.targeted.length) return undefined;
  const blocked = postureBlocker(await currentDoctor(ctx, options), 'harmfulUserAgents');
  if (blocked) return { kind: 'manual', why: `${blocked} Until then, do it in the portals:`, steps: manualSteps(c) };
  const ref = resultId('pilot', ctx.now(), randomUUID());
  try {
    await ctx.store.remember(SCOPE, ref, c);
  } catch (err) {
    ctx.log.warn("could not keep the hunt's pilot", { err });
    return {
      kind: 'manual',
      why: "the hunt's result could not be kept for the button just now (storage); run the hunt again, or do it in the portals:",
      steps: manualSteps(c),
    };
  }
  return { kind: 'pilot', ref, pilot: c.targeted.length, legitimate: c.legitimate.length, userAgents: c.userAgents };
}

/** The candidates a hunt card's button names. */
export async function readPilot(ctx: ContainContext, ref: string): Promise<PilotCandidates> {
  if (!RESULT_ID.test(ref) || !ref.startsWith('pilot-')) throw new ContainError('INVALID_INPUT', 'That button is not one Contain made.');
  const kept = await ctx.store.recall<PilotCandidates>(SCOPE, ref);
  if (!kept || ctx.now().getTime() - Date.parse(kept.at) > PILOT_TTL_MS)
    throw new ContainError(
      'NOT_FOUND',
      'That hunt is too old or no longer kept: run "hunt user-agents" again and use the button on its new card.',
    );
  return kept.value;
}

/** The whole measure by hand: the two groups, the report-only policy with App Control, then the access policy. */
function manualSteps(c: PilotCandidates): string[] {
  const pilot = 'Contain: harmful user agents - pilot';
  const legit = 'Contain: harmful user agents - legitimate use';
  return [
    `In the Microsoft Entra admin center, Identity > Groups > New group: security group "${pilot}" with the ${c.targeted.length} targeted user(s): ${c.targeted.slice(0, 20).join(', ')}${c.targeted.length > 20 ? ', … (all in the full result)' : ''}.`,
    `Security group "${legit}" with the ${c.legitimate.length} user(s) whose successes were legitimate${c.legitimate.length ? `: ${c.legitimate.slice(0, 20).join(', ')}` : ''}.`,
    `Protection > Conditional Access > Policies > New policy "Contain: route pilot sessions through App Control (harmful user agents)": Users include "${pilot}", exclude "${legit}" and the break-glass accounts; Target resources: All resources; Conditions > Client apps: Browser, Mobile apps and desktop clients; Session: Use Conditional Access App Control > Use custom policy; Enable policy: Report-only.`,
    ...harmfulUserAgentPortalSteps({ label: 'hunt', pilotGroup: pilot, exclusionGroup: legit, userAgents: c.userAgents }),
  ];
}
