import type { ContainContext } from '../context';
import { currentDoctor } from '../doctor/latest';
import { ContainError } from '../errors';
import { runBatch } from '../graph/batch';
import { odataString, query, segment } from '../graph/odata';
import { actionId, parseActionRef } from '../ids';
import type { Action, Actor, Incident, Threads } from '../incidents/model';
import { authorize } from '../incidents/policy';
import { BUTTON_ROLES } from '../incidents/roles';
import type { PostureVerb } from '../views/buttons';
import { postureChangeView } from '../views/posture';
import type { PostureChangeView } from '../views/types';
import { formatUtc } from '../views/time';
import { resolveExclusions } from './exclusions';
import { POSTURE_STEP } from './handlers';
import { isMeasureId, isPolicyNamed, planFor, requestOf, requestParams, type MeasureRequest, type Pilot } from './params';
import { readPilot } from './pilot';
import { isSettingMeasure, MEASURE_TITLES, POSTURE_TARGET } from './record';
import { appliedMeasures, pendingApply, postureBlocker, postureRecords, type PostureRecord } from './records';
import type { MeasureId } from './types';

export interface PostureRequestInput {
  verb: PostureVerb;
  /** The button's reference: a measure id, an Apply action's reference, or a hunt's pilot. */
  ref: string;
  actor: Actor;
  /** Where the change card goes. */
  threads: Threads;
  signal?: AbortSignal;
}

export type PostureRequestResult =
  { kind: 'requested'; incident: Incident; actions: Action[]; view: PostureChangeView } | { kind: 'already'; message: string };

type Proposal = Pick<Action, 'kind' | 'objectId' | 'params' | 'title' | 'detail' | 'reason'>;

/** How far back the authorization measures' "who did this lately" reads look. */
const IMPACT_DAYS = 30;
const notMade = () => new ContainError('INVALID_INPUT', 'That button is not one Contain made.');

/**
 * A button on the posture or hunt card pressed: a new posture record holding one proposed change (Apply, Enforce or
 * Undo of one measure), requested by the presser, waiting for a different approver. Nothing changes in the tenant here.
 * A second press while one waits (or for a measure already applied) says so instead of requesting it twice.
 */
export async function requestPostureChange(ctx: ContainContext, input: PostureRequestInput): Promise<PostureRequestResult> {
  await authorize(ctx, input.actor, BUTTON_ROLES[input.verb], input.verb);
  const records = await postureRecords(ctx);
  const now = ctx.now();
  if (input.verb === 'posture-apply' || input.verb === 'posture-pilot') {
    const measure: MeasureId | undefined =
      input.verb === 'posture-pilot' ? 'harmfulUserAgents' : isMeasureId(input.ref) ? input.ref : undefined;
    if (!measure) throw notMade();
    if (input.verb === 'posture-apply' && measure === 'harmfulUserAgents')
      throw new ContainError(
        'INVALID_INPUT',
        'The harmful-user-agent measure comes from "hunt user-agents": its card offers it with a pilot group of the users the tools targeted.',
      );
    const blocked = postureBlocker(await currentDoctor(ctx, { signal: input.signal }), measure);
    if (blocked) throw new ContainError('GRAPH_FORBIDDEN', `${blocked} Until then, the posture card gives the portal steps.`);
    const already = await alreadyThere(ctx, records, measure, input.signal);
    if (already) return { kind: 'already', message: already };
    const pilot = input.verb === 'posture-pilot' ? await pilotIds(ctx, input.ref, input.signal) : undefined;
    const exclusions = await resolveExclusions(ctx.graph, [...ctx.policy.protectedUsers], { signal: input.signal });
    const id = await ctx.store.nextIncidentId(now);
    return create(
      ctx,
      input,
      id,
      applyProposal(
        {
          measure,
          label: id,
          exclusions,
          since: new Date(now.getTime() - IMPACT_DAYS * 86_400_000).toISOString(),
          ...(pilot ? { pilot } : {}),
        },
        input.actor,
      ),
    );
  }
  const ref = parseActionRef(input.ref);
  const apply = ref && records.flatMap((r) => r.actions).find((a) => a.incidentId === ref.incidentId && a.id === ref.actionId);
  if (!apply || apply.kind !== 'applyMeasure') throw notMade();
  if (apply.state !== 'succeeded')
    throw new ContainError(
      'CONFLICT',
      `"${apply.title}" was not applied (${apply.state}): there is nothing to ${input.verb === 'posture-enforce' ? 'enforce' : 'undo'}.`,
    );
  const state = appliedMeasures(records).find((x) => x.apply.id === apply.id && x.apply.incidentId === apply.incidentId)!;
  if (state.pending)
    return {
      kind: 'already',
      message: `"${state.pending.action.title}" is already requested (${state.pending.incident.id}, by ${state.pending.incident.requester.name}); it waits for a decision or is running.`,
    };
  if (state.undone)
    return {
      kind: 'already',
      message: `${MEASURE_TITLES[apply.params.measure as MeasureId]} was already undone (${state.undone.incidentId}).`,
    };
  const proposal =
    input.verb === 'posture-enforce' ? await enforceProposal(ctx, apply, input.signal) : await undoProposal(ctx, apply, input.signal);
  if ('already' in proposal) return { kind: 'already', message: proposal.already };
  return create(ctx, input, await ctx.store.nextIncidentId(now), proposal);
}

/**
 * A pending Apply of the measure, or its policy applied and still in the tenant: said, not requested again. (A setting
 * is offered only while it is missing, so applying it again is what the card asks for.)
 */
async function alreadyThere(
  ctx: ContainContext,
  records: PostureRecord[],
  measure: MeasureId,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const pending = pendingApply(records, measure);
  if (pending)
    return `${MEASURE_TITLES[measure]} is already requested (${pending.incident.id}, by ${pending.incident.requester.name}); it waits for a decision or is running.`;
  if (isSettingMeasure(measure)) return undefined;
  for (const x of appliedMeasures(records).filter((y) => y.apply.params.measure === measure && !y.undone))
    if (await findPolicy(ctx, x.apply.params.policyName, signal))
      return `${MEASURE_TITLES[measure]} is already applied (${x.incident.id}): "posture" offers Enforce and Undo for it.`;
  return undefined;
}

function applyProposal(r: MeasureRequest, actor: Actor): Proposal {
  const plan = planFor(r);
  const params = requestParams(r);
  const groups =
    plan.kind === 'conditionalAccess' && plan.groups.length
      ? `, with the group${plan.groups.length > 1 ? 's' : ''} ${plan.groups.map((g) => `"${g.displayName}" (${g.memberIds.length})`).join(' and ')}`
      : '';
  return {
    kind: 'applyMeasure',
    objectId: r.measure,
    params,
    title: isSettingMeasure(r.measure) ? `Apply: ${MEASURE_TITLES[r.measure]}` : `Create "${plan.displayName}" in report-only state`,
    detail:
      plan.kind === 'authorizationPolicy'
        ? `Changes the authorization policy; the setting before is kept as evidence. ${plan.noReportOnly}`
        : `Conditional Access policy in report-only state${groups}. Nothing is enforced until someone asks for Enforce and another approver agrees.`,
    reason: `Missing on the posture card; requested by ${actor.name}.`,
  };
}

/** The users a hunt found, as object ids; the ones the directory no longer knows are left out. */
async function pilotIds(ctx: ContainContext, ref: string, signal?: AbortSignal): Promise<Pilot> {
  const found = await readPilot(ctx, ref);
  if (!found.targeted.length) throw new ContainError('INVALID_INPUT', 'That hunt found no targeted user to put in a pilot group.');
  const upns = [...new Set([...found.targeted, ...found.legitimate].map((u) => u.toLowerCase()))];
  const answers = await runBatch(
    ctx.graph,
    upns.map((u, i) => ({ id: String(i), method: 'GET' as const, url: `/users/${segment(u)}${query({ $select: 'id' })}` })),
    { signal },
  );
  const ids = new Map(
    upns.map((u, i) => [u, answers.get(String(i))?.status === 200 ? (answers.get(String(i))!.body as { id: string }).id : undefined]),
  );
  const known = (xs: string[]) => [...new Set(xs.map((u) => ids.get(u.toLowerCase())).filter((x): x is string => !!x))];
  return { targetedUserIds: known(found.targeted), legitimateUserIds: known(found.legitimate), userAgents: found.userAgents };
}

/** The applied policy, found by its name now: it may have been renamed (enforced) or deleted since. */
async function findPolicy(ctx: ContainContext, name: string, signal?: AbortSignal): Promise<{ id: string; state: string } | undefined> {
  for await (const p of ctx.graph.list<{ id: string; displayName?: string; state: string }>(
    `/identity/conditionalAccess/policies${query({ $select: 'id,displayName,state' })}`,
    { signal, what: 'Conditional Access policies' },
  ))
    if (isPolicyNamed(p.displayName, name)) return p;
  return undefined;
}

const follow = (apply: Action, extra: Record<string, string>) => ({
  ...apply.params,
  ...extra,
  applied: `${apply.incidentId}/${apply.id}`,
});

async function enforceProposal(ctx: ContainContext, apply: Action, signal?: AbortSignal): Promise<Proposal | { already: string }> {
  if (isSettingMeasure(apply.params.measure))
    throw new ContainError(
      'INVALID_INPUT',
      'A setting of the authorization policy has no report-only state: it is in force since it was applied.',
    );
  const policy = await findPolicy(ctx, apply.params.policyName, signal);
  if (!policy)
    throw new ContainError('NOT_FOUND', `The policy "${apply.params.policyName}" is no longer in the tenant: there is nothing to enforce.`);
  if (policy.state === 'enabled') return { already: `"${apply.params.policyName}" is already enforced.` };
  return {
    kind: 'enforceMeasure',
    objectId: policy.id,
    params: follow(apply, { policyId: policy.id }),
    title: `Enforce "${apply.params.policyName}"`,
    detail: 'Sets the policy from report-only to On. Its report-only results (on the posture card) show whom it will block.',
    reason: `Report-only since ${formatUtc(apply.proposedAt)} (${apply.incidentId}); requested from the posture card.`,
  };
}

async function undoProposal(ctx: ContainContext, apply: Action, signal?: AbortSignal): Promise<Proposal> {
  const title = MEASURE_TITLES[apply.params.measure as MeasureId];
  const reason = `Takes back ${apply.incidentId} ("${apply.title}").`;
  if (isSettingMeasure(apply.params.measure)) {
    if (!apply.evidence)
      throw new ContainError(
        'CONFLICT',
        `The setting before "${apply.title}" was not kept, so it cannot be put back; change it in the Entra admin center.`,
      );
    return {
      kind: 'undoMeasure',
      objectId: apply.params.measure,
      params: follow(apply, { restore: JSON.stringify(apply.evidence) }),
      title: `Undo: ${title}`,
      detail: `Puts the authorization policy back as the snapshot before ${apply.incidentId} held it.`,
      reason,
    };
  }
  const policy = await findPolicy(ctx, apply.params.policyName, signal);
  if (!policy)
    throw new ContainError('NOT_FOUND', `The policy "${apply.params.policyName}" is no longer in the tenant: there is nothing to undo.`);
  const plan = planFor(requestOf(apply.params));
  const groupIds: Record<string, string> = {};
  for (const g of plan.kind === 'conditionalAccess' ? plan.groups : []) {
    const found = await ctx.graph.get<{ value: { id: string }[] }>(
      `/groups${query({ $filter: `mailNickname eq ${odataString(g.mailNickname)}`, $select: 'id' })}`,
      { signal, what: `the group "${g.displayName}"` },
    );
    if (found.value[0]) groupIds[g.key] = found.value[0].id;
  }
  const groups = Object.keys(groupIds).length;
  return {
    kind: 'undoMeasure',
    objectId: policy.id,
    params: follow(apply, { policyId: policy.id, groupIds: JSON.stringify(groupIds) }),
    title: `Undo: delete "${apply.params.policyName}"${groups ? ` and its ${groups} group${groups > 1 ? 's' : ''}` : ''}`,
    detail: 'The policy as it is now is kept as evidence before it is deleted.',
    reason,
  };
}

/** The posture record: one proposed change, requested by the presser, its card in the presser's conversation. */
async function create(ctx: ContainContext, input: PostureRequestInput, id: string, p: Proposal): Promise<PostureRequestResult> {
  const now = ctx.now();
  const incident: Incident = {
    id,
    kind: 'posture',
    createdAt: now.toISOString(),
    requester: input.actor,
    target: POSTURE_TARGET,
    state: 'open',
    dryRun: false,
    threads: input.threads,
    facts: { signIns: [], notes: [] },
  };
  const action: Action = {
    incidentId: id,
    id: actionId(1),
    step: POSTURE_STEP,
    ...p,
    state: 'proposed',
    proposedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString(),
    fastPath: false,
    attempts: 0,
  };
  await ctx.store.createIncident(incident, [action]);
  await ctx.store.appendAudit(id, {
    at: now.toISOString(),
    event: 'incident.opened',
    actor: input.actor,
    details: { posture: input.verb, measure: p.params.measure, title: p.title },
  });
  ctx.log.info('posture change requested', { incidentId: id, verb: input.verb, measure: p.params.measure, by: input.actor.aadObjectId });
  return { kind: 'requested', incident, actions: [action], view: postureChangeView(incident, [action]) };
}
