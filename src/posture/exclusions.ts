import type { Graph } from '../graph/client';
import { ContainError } from '../errors';
import { segment } from '../graph/odata';
import type { Exclusions } from './types';

const notFound = (err: unknown) => err instanceof ContainError && err.code === 'GRAPH_NOT_FOUND';

/**
 * CONTAIN_PROTECTED_USERS (object ids or UPNs of users, groups or directory roles) as Conditional Access excludes
 * them: user ids, group ids and role template ids. Fails closed: an entry that cannot be resolved stops the measure,
 * so no policy is ever created that might apply to a break-glass account.
 */
export async function resolveExclusions(graph: Graph, entries: string[], options: { signal?: AbortSignal } = {}): Promise<Exclusions> {
  const out: Exclusions = { users: [], groups: [], roles: [] };
  for (const entry of entries) {
    const o = { signal: options.signal, what: `looking up the protected account ${entry}` };
    const user = await graph
      .get<{ id: string }>(`/users/${segment(entry)}?$select=id`, o)
      .catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err)));
    if (user) {
      out.users.push(user.id);
      continue;
    }
    if (entry.includes('@'))
      throw new ContainError(
        'INVALID_INPUT',
        `The protected account ${entry} does not exist in the tenant; fix CONTAIN_PROTECTED_USERS before Contain creates policies.`,
      );
    const role = await graph
      .get<{ roleTemplateId: string }>(`/directoryRoles/${segment(entry)}?$select=id,roleTemplateId`, o)
      .catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err)));
    if (role) {
      out.roles.push(role.roleTemplateId);
      continue;
    }
    const group = await graph
      .get<{ id: string }>(`/groups/${segment(entry)}?$select=id`, o)
      .catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err)));
    if (!group)
      throw new ContainError(
        'INVALID_INPUT',
        `The protected entry ${entry} is neither a user, a directory role nor a group of the tenant; fix CONTAIN_PROTECTED_USERS before Contain creates policies.`,
      );
    out.groups.push(group.id);
  }
  return out;
}
