import type { ContainContext } from '../context';
import type { DoctorResult } from '../doctor/run';
import type { Action, Incident } from '../incidents/model';
import { UNFINISHED } from '../incidents/model';
import { POSTURE_TARGET, isSettingMeasure } from './record';
import type { MeasureId } from './types';

/** One posture record and its actions. */
export interface PostureRecord {
  incident: Incident;
  actions: Action[];
}

/** The newest posture records (every state), newest first. */
export async function postureRecords(ctx: ContainContext, options: { max?: number } = {}): Promise<PostureRecord[]> {
  const incidents = (await ctx.store.findIncidents({ targetUserId: POSTURE_TARGET.id })).slice(0, options.max ?? 100);
  return Promise.all(incidents.map(async (incident) => ({ incident, actions: await ctx.store.listActions(incident.id) })));
}

/** A measure Contain applied: the Apply action, and what followed it (an Enforce made, an Undo made, a request pending). */
export interface AppliedRecord {
  incident: Incident;
  apply: Action;
  enforced?: Action;
  undone?: Action;
  pending?: { incident: Incident; action: Action };
}

const follows = (a: Action, apply: Action) => a.params.applied === `${apply.incidentId}/${apply.id}`;

/** Every Apply that was made, newest first, with what followed it. */
export function appliedMeasures(records: PostureRecord[]): AppliedRecord[] {
  const all = records.flatMap((r) => r.actions.map((action) => ({ incident: r.incident, action })));
  return all
    .filter((x) => x.action.kind === 'applyMeasure' && x.action.state === 'succeeded')
    .map(({ incident, action: apply }) => {
      const later = all.filter((x) => follows(x.action, apply));
      return {
        incident,
        apply,
        enforced: later.find((x) => x.action.kind === 'enforceMeasure' && x.action.state === 'succeeded')?.action,
        undone: later.find((x) => x.action.kind === 'undoMeasure' && x.action.state === 'succeeded')?.action,
        pending: later.find((x) => x.action.state === 'proposed' || UNFINISHED.includes(x.action.state)),
      };
    });
}

/** A request of this kind for this measure that still waits for a decision or runs. */
export function pendingApply(records: PostureRecord[], measure: MeasureId): { incident: Incident; action: Action } | undefined {
  for (const r of records) {
    const action = r.actions.find(
      (a) => a.kind === 'applyMeasure' && a.params.measure === measure && (a.state === 'proposed' || UNFINISHED.includes(a.state)),
    );
    if (action) return { incident: r.incident, action };
  }
  return undefined;
}

/** What each measure needs of Contain's app beyond reading (the optional rows of contain doctor). */
function needs(measure: MeasureId): string[] {
  if (isSettingMeasure(measure)) return ['Policy.ReadWrite.Authorization'];
  const ca = ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All'];
  return measure === 'blockDeviceCodeFlow' || measure === 'harmfulUserAgents' ? [...ca, 'Group.ReadWrite.All'] : ca;
}

/** Why Contain's app cannot make this measure, from the latest doctor result; undefined when nothing known stands in the way. */
export function postureBlocker(doctor: DoctorResult | undefined, measure: MeasureId): string | undefined {
  const missing = needs(measure).filter((p) => doctor?.checks.some((c) => c.id === `permission:${p}` && c.known && !c.ok));
  if (!missing.length) return undefined;
  return `Contain's app lacks the Microsoft Graph permission${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} (optional; "doctor" shows how to grant ${missing.length > 1 ? 'them' : 'it'}).`;
}
