import type { Incident, TargetUser } from '../incidents/model';
import type { MeasureId } from './types';

/**
 * A posture record is an incident of kind 'posture': one requested change to the tenant's defensive measures (Apply,
 * Enforce or Undo of one measure) by the person who pressed the button, decided by a different approver and run by
 * the engine like any containment. Its "target" is the tenant: no account is changed, so no account can be protected
 * from it; the measures themselves exclude the protected accounts. One record per request keeps four-eyes exact (the
 * requester is the record's) and every change's evidence and audit trail in one place.
 */
export const POSTURE_TARGET: TargetUser = {
  id: 'tenant-defensive-measures',
  displayName: 'Defensive measures',
  userPrincipalName: 'the tenant',
};

export const isPostureRecord = (incident: Pick<Incident, 'kind'>): boolean => incident.kind === 'posture';

/** What the posture card and the change cards call each measure. */
export const MEASURE_TITLES: Record<MeasureId, string> = {
  compliantDevice: 'Require a compliant or hybrid-joined device',
  phishingResistantMfa: 'Require phishing-resistant MFA',
  registrationFromTrustedLocations: 'Register security info only from trusted locations',
  blockDeviceCodeFlow: 'Block the device code flow (with an exclusion group)',
  userConsentOff: 'Users may not consent to applications',
  usersCannotRegisterApps: 'Users may not register applications',
  harmfulUserAgents: 'Block harmful user agents (App Control, pilot group)',
};

/** Measures that are authorization-policy settings: no report-only state, Undo restores the snapshot. */
export const isSettingMeasure = (m: string): boolean => m === 'userConsentOff' || m === 'usersCannotRegisterApps';
