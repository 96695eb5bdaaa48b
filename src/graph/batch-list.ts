import { runBatch, type BatchResponse } from './batch';
import { splitAbsolute, type Graph, type GraphVersion, type Page } from './client';

/** What one listed collection gave: its items, or the failed answer that stopped it (with the items read before). */
export interface Listed<T> {
  items: T[];
  failed?: BatchResponse;
}

/**
 * Read several collections through $batch: the first pages together, then every next page together, until each
 * collection is read or has `max` items. The round trips are runBatch's, so retries and pacing are too.
 */
export async function batchList<T>(
  graph: Graph,
  lists: { id: string; url: string }[],
  options: { version?: GraphVersion; max?: number; signal?: AbortSignal } = {},
): Promise<Map<string, Listed<T>>> {
  const version = options.version ?? 'v1.0';
  const out = new Map<string, Listed<T>>(lists.map((l) => [l.id, { items: [] }]));
  let next = lists;
  while (next.length) {
    const res = await runBatch(
      graph,
      next.map((l) => ({ id: l.id, method: 'GET' as const, url: l.url })),
      { version, signal: options.signal },
    );
    const more: { id: string; url: string }[] = [];
    for (const l of next) {
      const got = out.get(l.id)!;
      const r = res.get(l.id);
      if (!r || r.status >= 300) {
        got.failed = r ?? { id: l.id, status: 0, headers: {} };
        continue;
      }
      const page = r.body as Page<T>;
      got.items.push(...page.value);
      const link = page['@odata.nextLink'];
      if (link && (options.max === undefined || got.items.length < options.max))
        more.push({ id: l.id, url: splitAbsolute(graph.baseUrl, link, version).relative });
    }
    next = more;
  }
  if (options.max !== undefined) for (const l of out.values()) l.items.splice(options.max);
  return out;
}
