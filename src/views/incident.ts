import type { Action, Incident } from '../incidents/model';
import { isPostureRecord } from '../posture/record';
import { containmentView } from './containment';
import { postureChangeView } from './posture';
import type { IncidentView, Tone } from './types';

/** The card of an incident or posture record: whatever refreshes a record's card (engine, decisions, sweeper, status) asks here. */
export function incidentView(incident: Incident, actions: Action[], banner?: { tone: Tone; text: string }): IncidentView {
  return isPostureRecord(incident) ? postureChangeView(incident, actions, banner) : containmentView(incident, actions, banner);
}
