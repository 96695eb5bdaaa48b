import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { query, segment } from '../graph/odata';

const TTL_MS = 5 * 60_000;
let roster: { key: string; members: Set<string>; at: number } | undefined;
let refreshing: Promise<Set<string>> | undefined;

/**
 * Everyone who may approve: configured user ids plus the transitive user members of configured groups. Built once and
 * refreshed in the background every five minutes (stale-while-revalidate), so a click never waits on Graph; a person
 * removed from the group loses approval within that refresh. Undefined when it could not be built: callers fall back
 * to a per-person membership check.
 */
export async function approverRoster(ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>): Promise<Set<string> | undefined> {
  const key = [...ctx.policy.approvers].sort().join(',');
  const now = ctx.now().getTime();
  const fresh = roster && roster.key === key;
  if (fresh && now - roster!.at < TTL_MS) return roster!.members;
  const refresh = (refreshing ??= build(ctx, key).finally(() => (refreshing = undefined)));
  if (fresh) {
    refresh.catch((err) => ctx.log.warn('approver roster refresh failed; keeping the previous one', { err }));
    return roster!.members;
  }
  try {
    return await refresh;
  } catch (err) {
    ctx.log.warn('approver roster unavailable; checking membership per person', { err });
    return undefined;
  }
}

async function build(ctx: Pick<ContainContext, 'graph' | 'now' | 'policy'>, key: string): Promise<Set<string>> {
  const members = new Set<string>();
  for (const id of ctx.policy.approvers) {
    try {
      for await (const u of ctx.graph.list<{ id: string }>(
        `/groups/${segment(id)}/transitiveMembers/microsoft.graph.user${query({ $select: 'id', $top: 999 })}`,
        { what: 'reading the approvers group' },
      ))
        members.add(u.id.toLowerCase());
    } catch (err) {
      // Not a group: a user id listed directly.
      if (err instanceof ContainError && err.code === 'GRAPH_NOT_FOUND') members.add(id);
      else throw err;
    }
  }
  roster = { key, members, at: ctx.now().getTime() };
  return members;
}

export function clearApproverRoster(): void {
  roster = undefined;
}
