/**
 * A defensive measure as an action carries it: string params (stored with the action, shown as evidence of what was
 * asked) from which the same plan is built again wherever the action runs. One place for the round trip.
 */
import {
  blockDeviceCodePlan,
  compliantDevicePlan,
  harmfulUserAgentPlan,
  phishingResistantMfaPlan,
  registrationPlan,
  userConsentOffPlan,
  usersCannotRegisterAppsPlan,
} from './measures';
import type { Exclusions, MeasureId, MeasurePlan } from './types';

/** What a request for one measure needs beyond its id. */
export interface MeasureRequest {
  measure: MeasureId;
  /** Shown in every name Contain gives: the posture record's id. */
  label: string;
  exclusions: Exclusions;
  /** The start of the "who did this lately" reads of the authorization measures. */
  since: string;
  /** The harmful-user-agent measure: who the hunt found, and the tools. */
  pilot?: Pilot;
}

/** The harmful-user-agent measure's groups, from `hunt user-agents`. */
export interface Pilot {
  targetedUserIds: string[];
  legitimateUserIds: string[];
  userAgents: string[];
}

export const MEASURE_IDS: readonly MeasureId[] = [
  'compliantDevice',
  'phishingResistantMfa',
  'registrationFromTrustedLocations',
  'blockDeviceCodeFlow',
  'userConsentOff',
  'usersCannotRegisterApps',
  'harmfulUserAgents',
];
export const isMeasureId = (s: string): s is MeasureId => (MEASURE_IDS as readonly string[]).includes(s);

/** The plan of a measure request. */
export function planFor(r: MeasureRequest): MeasurePlan {
  const input = { label: r.label, exclusions: r.exclusions };
  switch (r.measure) {
    case 'compliantDevice':
      return compliantDevicePlan(input);
    case 'phishingResistantMfa':
      return phishingResistantMfaPlan(input);
    case 'registrationFromTrustedLocations':
      return registrationPlan(input);
    case 'blockDeviceCodeFlow':
      return blockDeviceCodePlan(input);
    case 'userConsentOff':
      return userConsentOffPlan({ ...input, since: r.since });
    case 'usersCannotRegisterApps':
      return usersCannotRegisterAppsPlan({ ...input, since: r.since });
    case 'harmfulUserAgents':
      return harmfulUserAgentPlan({ ...input, ...(r.pilot ?? { targetedUserIds: [], legitimateUserIds: [], userAgents: [] }) });
  }
}

/** The request as action params. */
export function requestParams(r: MeasureRequest): Record<string, string> {
  return {
    measure: r.measure,
    label: r.label,
    since: r.since,
    exclusions: JSON.stringify(r.exclusions),
    ...(r.pilot ? { pilot: JSON.stringify(r.pilot) } : {}),
    policyName: planFor(r).displayName,
  };
}

/** The request back from action params. */
export function requestOf(params: Record<string, string>): MeasureRequest {
  if (!isMeasureId(params.measure)) throw new Error(`Not a defensive measure: ${params.measure}`);
  return {
    measure: params.measure,
    label: params.label,
    since: params.since,
    exclusions: JSON.parse(params.exclusions) as Exclusions,
    ...(params.pilot ? { pilot: JSON.parse(params.pilot) as Pilot } : {}),
  };
}

/** Enforcing drops the "(report-only)" the name was created with; a policy is Contain's under either name. */
export const enforcedName = (name: string) => name.replace(/ \(report-only\)$/, '');
export const isPolicyNamed = (displayName: string | undefined, name: string) => displayName === name || displayName === enforcedName(name);
