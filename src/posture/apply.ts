import type { Graph } from '../graph/client';
import { groupRequests } from './groups';
import type { AuthorizationPlan, AuthorizationPolicySetting, ConditionalAccessPlan, GraphRequest } from './types';

/** Send one planned request through Contain's Graph client (paced, retried, errors as ContainError). */
export function send<T = unknown>(graph: Graph, r: GraphRequest, options: { signal?: AbortSignal; what?: string } = {}): Promise<T> {
  const o = { headers: r.headers, signal: options.signal, what: options.what };
  switch (r.method) {
    case 'GET':
      return graph.get<T>(r.url, o);
    case 'POST':
      return graph.post<T>(r.url, r.body ?? {}, o);
    case 'PATCH':
      return graph.patch<T>(r.url, r.body ?? {}, o);
    case 'DELETE':
      return graph.delete(r.url, o) as Promise<T>;
  }
}

/** What applying a Conditional Access measure left in the tenant: enough to Undo and to Enforce it. */
export interface AppliedConditionalAccess {
  policyId: string;
  groupIds: Record<string, string>;
  /** The tenant's policies before, as evidence. */
  before: unknown;
}

/**
 * Apply a Conditional Access measure once it is approved: snapshot, groups (members bound at creation, the rest one by
 * one), then the report-only policy. If a later request fails, what was created so far is removed again.
 */
export async function applyConditionalAccess(
  graph: Graph,
  plan: ConditionalAccessPlan,
  options: { signal?: AbortSignal } = {},
): Promise<AppliedConditionalAccess> {
  const before = await send(graph, plan.snapshot[0], { ...options, what: 'the Conditional Access policies' });
  const groupIds: Record<string, string> = {};
  try {
    for (const spec of plan.groups) {
      const g = groupRequests(spec);
      groupIds[spec.key] = (
        await send<{ id: string }>(graph, g.create, { ...options, what: `creating the group "${spec.displayName}"` })
      ).id;
      for (const add of g.addMembers(groupIds[spec.key]))
        await send(graph, add, { ...options, what: `adding a member to "${spec.displayName}"` });
    }
    const created = await send<{ id: string }>(graph, plan.policy(groupIds), {
      ...options,
      what: `creating the policy "${plan.displayName}"`,
    });
    return { policyId: created.id, groupIds, before };
  } catch (err) {
    for (const id of Object.values(groupIds)) await graph.delete(`/groups/${encodeURIComponent(id)}`, options).catch(() => undefined);
    throw err;
  }
}

/** Apply an authorization-policy measure once it is approved; returns the setting before (evidence, and Undo's input). */
export async function applyAuthorization(
  graph: Graph,
  plan: AuthorizationPlan,
  options: { signal?: AbortSignal } = {},
): Promise<AuthorizationPolicySetting> {
  const before = await send<AuthorizationPolicySetting>(graph, plan.snapshot[0], { ...options, what: 'the authorization policy' });
  await send(graph, plan.apply(before), { ...options, what: plan.displayName });
  return before;
}
