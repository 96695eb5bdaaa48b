import type { ContainContext } from '../context';
import { segment } from '../graph/odata';
import { isGuid } from '../ids';

/** The group and role ids among `candidates` worth asking Graph about for this user, sorted, without the user's own id. */
export function membershipCandidates(userId: string, candidates: readonly string[]): string[] {
  const user = userId.toLowerCase();
  return [...new Set(candidates.map((c) => c.toLowerCase()).filter((c) => isGuid(c) && c !== user))].sort();
}

/** The checkMemberObjects requests (20 ids each) that answer which of `ids` the user belongs to, transitively. */
export function membershipRequests(userId: string, ids: readonly string[]): { url: string; body: { ids: string[] } }[] {
  const out: { url: string; body: { ids: string[] } }[] = [];
  for (let i = 0; i < ids.length; i += 20)
    out.push({ url: `/users/${segment(userId.toLowerCase())}/checkMemberObjects`, body: { ids: ids.slice(i, i + 20) } });
  return out;
}
const cache = new Map<string, { ids: Set<string>; at: number }>();
const TTL_MS = 5 * 60_000;

/**
 * Which of the given object ids (groups, directory roles) the user belongs to, transitively, via checkMemberObjects
 * (20 ids per call). Ids equal to the user's own id count as a match, so one list can mix users and groups. Answers
 * are cached for five minutes; `fresh` asks Graph now (and refreshes the cache).
 */
export async function memberOf(
  ctx: Pick<ContainContext, 'graph' | 'now'>,
  userId: string,
  candidates: readonly string[],
  options: { signal?: AbortSignal; fresh?: boolean } = {},
): Promise<Set<string>> {
  const user = userId.toLowerCase();
  const ids = membershipCandidates(user, candidates);
  const key = `${user}|${ids.join(',')}`;
  const hit = cache.get(key);
  const now = ctx.now().getTime();
  const out = new Set<string>(candidates.map((c) => c.toLowerCase()).filter((c) => c === user));
  if (hit && now - hit.at < TTL_MS && !options.fresh) return new Set([...out, ...hit.ids]);
  // Concurrent lookups for the same person share one Graph call (a fresh one does not join an older call).
  let pending = options.fresh ? undefined : inFlight.get(key);
  if (!pending) {
    pending = (async () => {
      const found = new Set<string>();
      for (const req of membershipRequests(user, ids)) {
        const r = await ctx.graph.post<{ value: string[] }>(req.url, req.body, {
          signal: options.signal,
          idempotent: true,
          what: 'checking group membership',
        });
        for (const id of r.value) found.add(id.toLowerCase());
      }
      cache.set(key, { ids: found, at: now });
      return found;
    })();
    if (!options.fresh) {
      const shared = pending.finally(() => inFlight.delete(key));
      inFlight.set(key, shared);
      pending = shared;
    }
  }
  return new Set([...out, ...(await pending)]);
}

const inFlight = new Map<string, Promise<Set<string>>>();
