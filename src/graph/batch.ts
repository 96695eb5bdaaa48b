import type { Graph, GraphVersion } from './client';
import { isRetryableStatus, mayRetry, parseRetryAfter, retryDelayMs, sleep, defaultRetryPolicy, type RetryPolicy } from './retry';
import { paced } from './pacing';

/** One request inside a JSON batch; `url` is relative to the version ("/users/{id}"). */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export const BATCH_LIMIT = 20;

/**
 * Whether a sub-request may be sent again when its outcome is unknown. Reads may; a change answered 5xx or 408 may
 * already have been made, so only its 429 (refused before it was processed) is sent again: deciding what to do
 * with the rest is the caller's (src/incidents/execute.ts verifies against the tenant first).
 */
function mayResend(r: BatchRequest, status: number): boolean {
  return r.method === 'GET' ? isRetryableStatus(status) : status === 429;
}

/**
 * Run requests through POST /$batch, 20 at a time, as fully parallel batches (no dependsOn: Graph accepts only
 * parallel, sequential or all-on-one dependency shapes, and Contain needs none), and return every sub-response by
 * id. Sub-requests that may be resent are retried (only those, after the longest Retry-After among them); every
 * other answer is returned as it came, for the caller to interpret.
 */
export async function runBatch(graph: Graph, requests: BatchRequest[], options: { version?: GraphVersion; signal?: AbortSignal; retry?: Partial<RetryPolicy>; random?: () => number } = {}): Promise<Map<string, BatchResponse>> {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const results = new Map<string, BatchResponse>();
  let pending = requests;
  let throttledMs = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: BatchRequest[] = [];
    let waitMs: number | undefined;
    let throttledNow = false;
    const slices = Array.from({ length: Math.ceil(pending.length / BATCH_LIMIT) }, (_, i) => pending.slice(i * BATCH_LIMIT, (i + 1) * BATCH_LIMIT));
    for await (const chunk of paced(graph.pacer, slices, options.signal)) {
      const body = {
        requests: chunk.map((r) => ({
          id: r.id,
          method: r.method,
          url: r.url,
          ...(r.body !== undefined ? { body: r.body, headers: { 'Content-Type': 'application/json', ...r.headers } } : r.headers ? { headers: r.headers } : {}),
        })),
      };
      // The envelope may be resent on a 5xx or a dropped connection only when every request in it is a read.
      const idempotent = chunk.every((r) => r.method === 'GET');
      const res = await graph.post<{ responses: BatchResponse[] }>('/$batch', body, { version: options.version, signal: options.signal, idempotent, what: 'a batch of Graph requests' });
      // Graph may answer in any order: index by id.
      for (const sub of res.responses) {
        const headers = Object.fromEntries(Object.entries(sub.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        const original = chunk.find((c) => c.id === sub.id)!;
        if (mayResend(original, sub.status) && mayRetry(policy, sub.status, attempt, throttledMs)) {
          retry.push(original);
          throttledNow ||= sub.status === 429;
          waitMs = Math.max(waitMs ?? 0, retryDelayMs(policy, attempt, parseRetryAfter(headers['retry-after']), options.random));
        } else {
          results.set(sub.id, { id: sub.id, status: sub.status, headers, body: sub.body });
        }
      }
    }
    pending = retry;
    if (throttledNow && waitMs !== undefined) throttledMs += waitMs;
    if (pending.length && waitMs !== undefined) await sleep(waitMs, options.signal);
  }
  return results;
}

/** The Graph error code and message of a failed sub-response, if it has the standard error body. */
export function subError(r: BatchResponse): { code?: string; message?: string; requestId?: string } {
  const e = (r.body as { error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } } } | undefined)?.error;
  return { code: e?.code, message: e?.message, requestId: e?.innerError?.['request-id'] ?? r.headers['request-id'] };
}
