/**
 * `posture`: the defensive measures against the tenant (src/investigate/posture.ts), what Contain can do about each
 * missing one (Apply, or the portal steps when its app lacks the optional permissions), and the measures Contain
 * applied: their state now, a report-only policy's would-be impact from the sign-in logs, Enforce and Undo.
 */
import type { ContainContext } from '../context';
import { currentDoctor } from '../doctor/latest';
import type { DoctorResult } from '../doctor/run';
import { toContainError } from '../errors';
import { judgePosture, readPosture, type PostureCheck, type PostureRead } from '../investigate/posture';
import { stateLabel } from '../views/containment';
import type { AppliedMeasureView, MeasureOffer, PostureView } from '../views/types';
import { readReportOnlyImpact } from './impact';
import { enforcedName, isPolicyNamed, planFor, requestOf } from './params';
import { measurePortalSteps } from './portal-steps';
import { isSettingMeasure, MEASURE_TITLES } from './record';
import { appliedMeasures, pendingApply, postureBlocker, postureRecords, type AppliedRecord, type PostureRecord } from './records';
import type { MeasureId } from './types';

/** Contain's own measures shown, newest first (a card has room for so many), and how many get an impact read (sign-in reads are 5 per 10 s). */
const MAX_APPLIED = 5;
const MAX_IMPACT_READS = 3;

/** Contain's measure is still in the tenant: its policy exists (a setting that is missing again was changed back outside Contain). */
const stillThere = (x: AppliedRecord, read: PostureRead) =>
  !isSettingMeasure(x.apply.params.measure) &&
  (!read.policies || read.policies.some((p) => isPolicyNamed(p.displayName, x.apply.params.policyName)));

function offerFor(
  c: PostureCheck,
  records: PostureRecord[],
  doctor: DoctorResult | undefined,
  read: PostureRead,
): MeasureOffer | undefined {
  if (!c.id || c.status === 'met') return undefined;
  const pending = pendingApply(records, c.id);
  if (pending)
    return {
      kind: 'note',
      text: `Requested by ${pending.incident.requester.name} (${pending.incident.id}): ${stateLabel(pending.action)}.`,
    };
  const applied = appliedMeasures(records).find((x) => x.apply.params.measure === c.id && !x.undone && stillThere(x, read));
  if (applied) return { kind: 'note', text: `Applied by Contain (${applied.incident.id}): see "Applied by Contain" below.` };
  if (c.id === 'harmfulUserAgents')
    return {
      kind: 'note',
      text: 'Run "hunt user-agents": its card offers this measure with a pilot group of the users the attack tools targeted and an exclusion group for legitimate use.',
    };
  const steps = measurePortalSteps(c.id, `Contain: ${MEASURE_TITLES[c.id]}`);
  if (c.status === 'unknown')
    return { kind: 'manual', why: 'Contain could not read the current setting, so it offers no button. By hand:', steps };
  const blocked = postureBlocker(doctor, c.id);
  return blocked ? { kind: 'manual', why: `${blocked} Until then, by hand:`, steps } : { kind: 'apply', ref: c.id };
}

/** Enforce and Undo by hand, for when the app may not make them. */
function manualFollowUps(x: AppliedRecord, state: AppliedMeasureView['state']): string[] {
  const name = x.apply.params.policyName;
  if (isSettingMeasure(x.apply.params.measure))
    return [
      `Undo: put the setting back as it was before ${x.incident.id} (its evidence in "report ${x.incident.id}"), in the Microsoft Entra admin center.`,
    ];
  return [
    ...(state === 'report-only'
      ? [
          `Enforce: Entra admin center > Protection > Conditional Access > Policies > "${name}" > Enable policy: On (and rename it "${enforcedName(name)}").`,
        ]
      : []),
    `Undo: delete the policy "${name}", then the groups named "Contain ${x.incident.id}: …" (Identity > Groups).`,
  ];
}

async function appliedView(
  ctx: ContainContext,
  x: AppliedRecord,
  read: PostureRead,
  doctor: DoctorResult | undefined,
  impact: boolean,
  signal?: AbortSignal,
): Promise<AppliedMeasureView> {
  const measure = x.apply.params.measure as MeasureId;
  const name = x.apply.params.policyName;
  const policy = read.policies?.find((p) => isPolicyNamed(p.displayName, name));
  const state: AppliedMeasureView['state'] = isSettingMeasure(measure)
    ? 'applied'
    : !read.policies
      ? 'report-only'
      : !policy
        ? 'missing'
        : policy.state === 'enabled'
          ? 'enforced'
          : 'report-only';
  const ref = `${x.apply.incidentId}/${x.apply.id}`;
  const blocked = postureBlocker(doctor, measure);
  const may = !x.pending && !blocked;
  const view: AppliedMeasureView = {
    title: MEASURE_TITLES[measure],
    name: policy?.displayName ?? name,
    incidentId: x.incident.id,
    state,
    since: x.apply.proposedAt,
    ...(may && state === 'report-only' && policy ? { enforce: ref } : {}),
    ...(may && state !== 'missing' ? { undo: ref } : {}),
    ...(x.pending
      ? {
          pending: `${x.pending.action.title}: requested by ${x.pending.incident.requester.name} (${x.pending.incident.id}); ${stateLabel(x.pending.action)}.`,
        }
      : {}),
    ...(blocked && !x.pending ? { manual: { why: `${blocked} Until then, by hand:`, steps: manualFollowUps(x, state) } } : {}),
  };
  if (measure === 'harmfulUserAgents') {
    const plan = planFor(requestOf(x.apply.params));
    if (plan.kind === 'conditionalAccess') view.portalSteps = plan.portalSteps;
  }
  if (impact && policy && state === 'report-only') {
    try {
      const i = await readReportOnlyImpact(
        ctx.graph,
        { id: policy.id, appControl: measure === 'harmfulUserAgents' },
        { since: x.apply.proposedAt, signal },
      );
      view.impact = {
        evaluated: i.evaluated,
        inScope: i.inScope,
        wouldBlock: i.wouldBlock,
        wouldInterrupt: i.wouldInterrupt,
        byApp: i.byApp,
        byUserAgent: i.byUserAgent,
        byUser: i.byUser,
        notes: i.notes,
      };
    } catch (err) {
      const e = toContainError(err);
      if (e.code === 'ABORTED') throw e;
      view.impact = {
        evaluated: 0,
        inScope: 0,
        wouldBlock: 0,
        wouldInterrupt: 0,
        byApp: [],
        byUserAgent: [],
        byUser: [],
        notes: [`The sign-in logs could not be read for its impact: ${e.userMessage}`],
      };
    }
  }
  return view;
}

/** The posture card: every check with what can be done about it, and Contain's own measures. */
export async function postureView(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<PostureView> {
  const [read, doctor, records] = await Promise.all([
    readPosture(ctx, options),
    currentDoctor(ctx, options),
    postureRecords(ctx).catch((err: unknown) => {
      ctx.log.warn('could not read the posture records', { err });
      return [] as PostureRecord[];
    }),
  ]);
  const checks = judgePosture(read).map((c) => {
    const offer = offerFor(c, records, doctor, read);
    const { id: _id, ...shown } = c;
    return { ...shown, ...(offer ? { offer } : {}) };
  });
  const notes = [...read.notes];
  const live = appliedMeasures(records).filter((x) => !x.undone);
  // A policy deleted outside Contain is said once, not offered for Enforce or Undo; its measure may be applied again.
  const gone = live.filter((x) => !isSettingMeasure(x.apply.params.measure) && !stillThere(x, read));
  if (gone.length)
    notes.push(
      `No longer in the tenant (deleted outside Contain): ${gone.map((x) => `"${x.apply.params.policyName}" (${x.incident.id})`).join(', ')}.`,
    );
  const applied: AppliedMeasureView[] = [];
  let impactReads = 0;
  for (const x of live.filter((y) => !gone.includes(y)).slice(0, MAX_APPLIED))
    applied.push(
      await appliedView(
        ctx,
        x,
        read,
        doctor,
        !isSettingMeasure(x.apply.params.measure) && impactReads++ < MAX_IMPACT_READS,
        options.signal,
      ),
    );
  if (!doctor)
    notes.push(
      'What Contain\'s app may do could not be checked ("doctor"): the buttons are offered, and Graph refuses what it may not do.',
    );
  return { kind: 'posture', checks, ...(applied.length ? { applied } : {}), notes };
}
