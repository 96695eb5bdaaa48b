import type { Graph } from './client';

/**
 * Rows of one advanced-hunting query (POST /security/runHuntingQuery, ThreatHunting.Read.All). A read, though a POST:
 * safe to send again when its answer is lost.
 */
export async function huntingRows<T = Record<string, unknown>>(
  graph: Graph,
  query: string,
  options: { signal?: AbortSignal; what?: string } = {},
): Promise<T[]> {
  const r = await graph.post<{ results?: T[] }>(
    '/security/runHuntingQuery',
    { Query: query },
    { idempotent: true, signal: options.signal, what: options.what ?? 'advanced hunting' },
  );
  return r.results ?? [];
}
