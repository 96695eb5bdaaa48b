/**
 * The views of the defensive measures: the change card of one posture record (a requested Apply, Enforce or Undo, its
 * approval and outcome), and the parts of the posture card built from Contain's own records. Pure: the reads are in
 * src/posture/status.ts.
 */
import type { Action, Incident } from '../incidents/model';
import { enforcedName, planFor, requestOf } from '../posture/params';
import { isSettingMeasure, MEASURE_TITLES } from '../posture/record';
import type { Exclusions, MeasureId } from '../posture/types';
import { actionView } from './containment';
import { formatUtc } from './time';
import type { PostureChangeView, Tone } from './types';

const VERB: Record<string, string> = { applyMeasure: 'Apply', enforceMeasure: 'Enforce', undoMeasure: 'Undo' };

/** "3 users, 1 group, 1 role". */
function excluded(e: Exclusions): string {
  const n = (k: number, one: string) => (k ? `${k} ${one}${k === 1 ? '' : 's'}` : '');
  return (
    [n(e.users.length, 'user'), n(e.groups.length, 'group'), n(e.roles.length, 'directory role')].filter(Boolean).join(', ') ||
    'none configured (CONTAIN_PROTECTED_USERS)'
  );
}

/** What the change does, in words an approver decides on. */
function description(a: Action): string {
  const plan = planFor(requestOf(a.params));
  if (a.kind === 'applyMeasure') return plan.kind === 'authorizationPolicy' ? `${plan.description} ${plan.noReportOnly}` : plan.description;
  if (a.kind === 'enforceMeasure')
    return `Turns the report-only policy on: from now on it does what its report-only results showed (the posture card lists who would have been blocked). It is renamed "${enforcedName(a.params.policyName)}".`;
  return plan.kind === 'authorizationPolicy'
    ? 'Puts the setting back exactly as the snapshot taken before the change held it.'
    : "Deletes the policy and the groups Contain created for it. The policy as it was is kept as this record's evidence.";
}

/** The facts of the request: which measure, which object, whom it never applies to. */
function facts(incident: Incident, a: Action): { title: string; value: string }[] {
  const r = requestOf(a.params);
  const plan = planFor(r);
  const out = [
    { title: 'Measure', value: MEASURE_TITLES[r.measure] },
    {
      title: plan.kind === 'authorizationPolicy' ? 'Setting' : 'Policy',
      value: a.kind === 'applyMeasure' ? plan.displayName : a.params.policyName,
    },
  ];
  if (plan.kind === 'conditionalAccess') {
    for (const g of plan.groups)
      out.push({
        title: g.key === 'pilot' ? 'Pilot group' : 'Exclusion group',
        value: `${g.displayName} (${g.memberIds.length} member${g.memberIds.length === 1 ? '' : 's'})`,
      });
    out.push({ title: 'Never applies to', value: `break-glass and protected accounts: ${excluded(r.exclusions)}` });
  }
  out.push({ title: 'Requested by', value: incident.requester.name });
  return out;
}

/** The change card of a posture record. */
export function postureChangeView(incident: Incident, actions: Action[], banner?: { tone: Tone; text: string }): PostureChangeView {
  const a = actions[0];
  const measure = a.params.measure as MeasureId;
  const plan = planFor(requestOf(a.params));
  const reportOnly = a.kind === 'applyMeasure' && !isSettingMeasure(measure) ? ' (report-only)' : '';
  return {
    kind: 'posture-change',
    incidentId: incident.id,
    title: `${VERB[a.kind] ?? a.kind}${reportOnly}: ${MEASURE_TITLES[measure]}`,
    description: description(a),
    facts: facts(incident, a),
    portalSteps: plan.kind === 'conditionalAccess' ? plan.portalSteps : [],
    notes: incident.facts.notes,
    actions: actions.map((x) => actionView(incident, actions, x)),
    banner,
    footer: `${incident.id} · defensive measures · requested by ${incident.requester.name} at ${formatUtc(incident.createdAt)}`,
  };
}
