import type { Graph } from '../graph/client';
import { odataString, query, segment } from '../graph/odata';
import { ContainError, toContainError } from '../errors';
import type { CallResult } from '../playbook/types';
import { send } from './apply';
import { groupRequests } from './groups';
import { isPolicyNamed, planFor, requestOf } from './params';

/**
 * A defensive measure's Graph work that is more than one request: creating a Conditional Access measure (its groups,
 * then the policy that names them) and removing one (the policy, then its groups). Run directly by the engine, each
 * made so that running it again after a lost answer finishes the job instead of doing it twice.
 */
export type PostureCall =
  | { api: 'posture'; op: 'ensureConditionalAccess'; params: Record<string, string> }
  | { api: 'posture'; op: 'removeConditionalAccess' | 'readConditionalAccess'; policyId: string; groupIds: Record<string, string> };

const POLICIES = '/identity/conditionalAccess/policies';
const isNotFound = (err: unknown) => err instanceof ContainError && err.code === 'GRAPH_NOT_FOUND';
const alreadyMember = (err: unknown) =>
  err instanceof ContainError && err.code === 'GRAPH_BAD_REQUEST' && /already exist/i.test(String(err.details.graphMessage ?? ''));

/**
 * Groups found by their mail nickname or created (members bound at creation, the rest one by one), then the policy
 * found by its name or created report-only. After a crash, the groups and the policy made before are found, not made
 * again. A policy Graph refuses takes with it the groups this run created, so nothing half-made stays behind.
 */
async function ensureConditionalAccess(
  graph: Graph,
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ policyId: string; groupIds: Record<string, string> }> {
  const plan = planFor(requestOf(params));
  if (plan.kind !== 'conditionalAccess')
    throw new ContainError('INVALID_INPUT', `${plan.displayName} is not a Conditional Access measure.`);
  const groupIds: Record<string, string> = {};
  const created: string[] = [];
  try {
    for (const spec of plan.groups) {
      const o = { signal, what: `the group "${spec.displayName}"` };
      const found = await graph.get<{ value: { id: string }[] }>(
        `/groups${query({ $filter: `mailNickname eq ${odataString(spec.mailNickname)}`, $select: 'id' })}`,
        o,
      );
      const requests = groupRequests(spec);
      if (found.value[0]) groupIds[spec.key] = found.value[0].id;
      else created.push((groupIds[spec.key] = (await send<{ id: string }>(graph, requests.create, o)).id));
      for (const add of requests.addMembers(groupIds[spec.key]))
        await send(graph, add, o).catch((err: unknown) => (alreadyMember(err) ? undefined : Promise.reject(err)));
    }
    const o = { signal, what: `the policy "${plan.displayName}"` };
    for await (const p of graph.list<{ id: string; displayName?: string }>(`${POLICIES}${query({ $select: 'id,displayName' })}`, o))
      if (isPolicyNamed(p.displayName, plan.displayName)) return { policyId: p.id, groupIds };
    return { policyId: (await send<{ id: string }>(graph, plan.policy(groupIds), o)).id, groupIds };
  } catch (err) {
    if (err instanceof ContainError && !err.transient)
      for (const id of created) await graph.delete(`/groups/${segment(id)}`, { signal }).catch(() => undefined);
    throw err;
  }
}

/** The policy, then its groups; what is already gone counts as removed. */
async function removeConditionalAccess(
  graph: Graph,
  policyId: string,
  groupIds: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  const gone = (err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err));
  await graph.delete(`${POLICIES}/${segment(policyId)}`, { signal, what: 'deleting the policy' }).catch(gone);
  for (const id of Object.values(groupIds))
    await graph.delete(`/groups/${segment(id)}`, { signal, what: 'deleting the group' }).catch(gone);
}

/** What of a measure is in the tenant now: the policy (and its state), and which of its groups still exist. */
async function readConditionalAccess(graph: Graph, policyId: string, groupIds: Record<string, string>, signal?: AbortSignal) {
  const absent = (err: unknown) => (isNotFound(err) ? null : Promise.reject(err));
  const policy = await graph
    .get<{ id: string; state: string; displayName: string }>(
      `${POLICIES}/${segment(policyId)}${query({ $select: 'id,state,displayName' })}`,
      { signal, what: 'the policy' },
    )
    .catch(absent);
  const groups: Record<string, boolean> = {};
  for (const [key, id] of Object.entries(groupIds))
    groups[key] =
      (await graph.get(`/groups/${segment(id)}${query({ $select: 'id' })}`, { signal, what: 'the group' }).catch(absent)) !== null;
  return { policy, groups };
}

/**
 * Run one composite operation, answered in the engine's CallResult shape. Graph's refusal (a 4xx that is not
 * throttling) becomes that status with Graph's words, since it proves the step refused was not made; an answer that
 * never came stays a transient ContainError, so the engine reads the tenant back before anything is sent again.
 */
export async function runPostureCall(
  graph: Graph,
  c: PostureCall,
  options: { signal?: AbortSignal } = {},
): Promise<CallResult | ContainError> {
  try {
    if (c.op === 'ensureConditionalAccess')
      return { status: 201, headers: {}, body: await ensureConditionalAccess(graph, c.params, options.signal) };
    if (c.op === 'removeConditionalAccess') {
      await removeConditionalAccess(graph, c.policyId, c.groupIds, options.signal);
      return { status: 204, headers: {}, body: undefined };
    }
    return { status: 200, headers: {}, body: await readConditionalAccess(graph, c.policyId, c.groupIds, options.signal) };
  } catch (err) {
    const e = toContainError(err);
    if (e.code === 'ABORTED') throw e;
    const status = Number(e.details.status);
    if (!e.transient && status >= 400 && status < 500)
      return {
        status,
        headers: {},
        body: { error: { code: e.details.graphCode ?? e.code, message: e.details.graphMessage ?? e.userMessage } },
      };
    return e.transient ? e : new ContainError(e.code, e.userMessage, { transient: true, cause: e, details: e.details });
  }
}
