import { ContainError } from '../errors';
import type { Graph, GraphVersion } from './client';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, sleep, defaultRetryPolicy, type RetryPolicy } from './retry';

/** One request inside a JSON batch; `url` is relative to the version ("/users/{id}"). */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export const BATCH_LIMIT = 20;

/**
 * Run requests through POST /$batch, 20 at a time, and return every sub-response by id. Sub-requests that come back
 * 429/5xx are retried (only those, after the longest Retry-After among them); everything else is returned as it
 * came, for the caller to interpret. Requests linked by dependsOn must fit in one chunk of 20.
 */
export async function runBatch(graph: Graph, requests: BatchRequest[], options: { version?: GraphVersion; signal?: AbortSignal; retry?: Partial<RetryPolicy>; random?: () => number } = {}): Promise<Map<string, BatchResponse>> {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const results = new Map<string, BatchResponse>();
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: BatchRequest[] = [];
    let waitMs: number | undefined;
    for (const chunk of chunks(pending)) {
      const body = {
        requests: chunk.map((r) => ({
          id: r.id,
          method: r.method,
          url: r.url,
          ...(r.body !== undefined ? { body: r.body, headers: { 'Content-Type': 'application/json', ...r.headers } } : r.headers ? { headers: r.headers } : {}),
          ...(r.dependsOn?.length ? { dependsOn: r.dependsOn.filter((d) => chunk.some((c) => c.id === d)) } : {}),
        })),
      };
      const res = await graph.post<{ responses: BatchResponse[] }>('/$batch', body, { version: options.version, signal: options.signal, what: 'a batch of Graph requests' });
      // Graph may answer in any order: index by id.
      for (const sub of res.responses) {
        const headers = Object.fromEntries(Object.entries(sub.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        const r: BatchResponse = { id: sub.id, status: sub.status, headers, body: sub.body };
        const original = chunk.find((c) => c.id === sub.id)!;
        if (isRetryableStatus(sub.status) && attempt < policy.maxAttempts) {
          retry.push(original);
          const ra = parseRetryAfter(headers['retry-after']);
          waitMs = Math.max(waitMs ?? 0, retryDelayMs(policy, attempt, ra, options.random));
        } else {
          results.set(sub.id, r);
        }
      }
    }
    // A request that failed only because its dependency was throttled (424) is retried with it.
    const retryIds = new Set(retry.map((r) => r.id));
    for (const r of pending) {
      const got = results.get(r.id);
      if (got?.status === 424 && r.dependsOn?.some((d) => retryIds.has(d))) {
        results.delete(r.id);
        retry.push(r);
      }
    }
    pending = retry;
    if (pending.length && waitMs !== undefined) await sleep(waitMs, options.signal);
  }
  return results;
}

function chunks(requests: BatchRequest[]): BatchRequest[][] {
  const out: BatchRequest[][] = [];
  let cur: BatchRequest[] = [];
  for (const r of requests) {
    const needsPrevious = r.dependsOn?.some((d) => cur.some((c) => c.id === d));
    if (cur.length >= BATCH_LIMIT && !needsPrevious) {
      out.push(cur);
      cur = [];
    }
    if (cur.length >= BATCH_LIMIT) throw new ContainError('INTERNAL', 'A chain of dependent Graph requests is longer than one batch (20).');
    cur.push(r);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** The Graph error code and message of a failed sub-response, if it has the standard error body. */
export function subError(r: BatchResponse): { code?: string; message?: string; requestId?: string } {
  const e = (r.body as { error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } } } | undefined)?.error;
  return { code: e?.code, message: e?.message, requestId: e?.innerError?.['request-id'] ?? r.headers['request-id'] };
}
