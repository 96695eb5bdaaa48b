/**
 * The shapes of the ids Contain reads and makes, in one place: Entra object ids, incident ids, action references and
 * result ids. Everything that checks or builds one of them uses these.
 */

/** A GUID as Entra ID and Graph write them (object ids, app ids, network message ids), any version. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);

/** INC-YYYYMMDD-NNNN: the day it was opened and that day's counter. */
export const INCIDENT_ID = /^INC-\d{8}-\d{4}$/;
/** An incident id as typed: case does not matter. */
export const isIncidentId = (s: string): boolean => INCIDENT_ID.test(s.toUpperCase());
/** Text that names an incident somewhere (INC-2...): never a user to look up. */
export const mentionsIncidentId = (text: string): boolean => /\bINC-\d/i.test(text);
/** The id of a day's n-th incident. */
export const incidentId = (day: string, n: number): string => `INC-${day}-${String(n).padStart(4, '0')}`;

/** "20261125": the UTC day as incident and result ids carry it. */
export const compactDay = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');

/** Action ids within an incident: a01, a02 ... */
export const actionId = (n: number): string => `a${String(n).padStart(2, '0')}`;
const ACTION_REF = /^(INC-\d{8}-\d{4})\/(a\d{2,3})$/;

/** Opaque reference carried by card buttons: identifies an action, grants nothing. */
export function actionRef(a: { incidentId: string; id: string }): string {
  return `${a.incidentId}/${a.id}`;
}

export function parseActionRef(ref: string): { incidentId: string; actionId: string } | undefined {
  const m = ACTION_REF.exec(ref);
  return m ? { incidentId: m[1], actionId: m[2] } : undefined;
}

const STEP_REF = /^(INC-\d{8}-\d{4})\/s(\d{2})$/;

/** Opaque reference carried by a playbook step's buttons (approve or reject the step, show all): INC-.../s05. */
export function stepRef(incidentId: string, step: number): string {
  return `${incidentId}/s${String(step).padStart(2, '0')}`;
}

export function parseStepRef(ref: string): { incidentId: string; step: number } | undefined {
  const m = STEP_REF.exec(ref);
  return m ? { incidentId: m[1], step: Number(m[2]) } : undefined;
}

/** A full result kept for download: its kind, the day and a random GUID (investigation-20261125-...). */
export const RESULT_ID = /^[a-z]+-\d{8}-[0-9a-f-]{36}$/;
export const resultId = (kind: string, now: Date, uuid: string): string => `${kind}-${compactDay(now)}-${uuid}`;

/** A phishing wave's campaign: CMP-YYYYMMDD- and eight hex digits of a random GUID (CMP-20261125-3f2a9c1b). */
export const CAMPAIGN_ID = /^CMP-\d{8}-[0-9a-f]{8}$/;
export const campaignId = (now: Date, uuid: string): string => `CMP-${compactDay(now)}-${uuid.replace(/-/g, '').slice(0, 8).toLowerCase()}`;
