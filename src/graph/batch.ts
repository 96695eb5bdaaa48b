import { randomUUID } from 'node:crypto';
import type { Graph, GraphVersion } from './client';
import { isRetryableStatus, mayRetry, parseRetryAfter, retryDelayMs, sleep, defaultRetryPolicy, type RetryPolicy } from './retry';
import { budgetOf, paced } from './pacing';
import { countRetry, countThrottled, recordSpan, SpanKind, withSpan } from '../telemetry';
import { templatePath } from './tracing';

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
export async function runBatch(
  graph: Graph,
  requests: BatchRequest[],
  options: { version?: GraphVersion; signal?: AbortSignal; retry?: Partial<RetryPolicy>; random?: () => number } = {},
): Promise<Map<string, BatchResponse>> {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const results = new Map<string, BatchResponse>();
  let pending = requests;
  let throttledMs = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: BatchRequest[] = [];
    let waitMs: number | undefined;
    let throttledNow = false;
    const slices = Array.from({ length: Math.ceil(pending.length / BATCH_LIMIT) }, (_, i) =>
      pending.slice(i * BATCH_LIMIT, (i + 1) * BATCH_LIMIT),
    );
    for await (const chunk of paced(graph.pacer, slices, options.signal)) {
      const body = {
        requests: chunk.map((r) => ({
          id: r.id,
          method: r.method,
          url: r.url,
          ...(r.body !== undefined
            ? { body: r.body, headers: { 'Content-Type': 'application/json', ...r.headers } }
            : r.headers
              ? { headers: r.headers }
              : {}),
        })),
      };
      // The envelope may be resent on a 5xx or a dropped connection only when every request in it is a read.
      const idempotent = chunk.every((r) => r.method === 'GET');
      // One span for the envelope (its HTTP attempts are children), and one per sub-request: each is a Graph request
      // of its own with its own request-id, answered inside the envelope's time.
      // The envelope's client-request-id is on every sub-request span: Graph gives a successful sub-request no id of its own.
      const clientRequestId = randomUUID();
      const res = await withSpan(
        'graph $batch',
        {
          kind: SpanKind.INTERNAL,
          attributes: { 'graph.batch.size': chunk.length, 'graph.batch.attempt': attempt, 'graph.client_request_id': clientRequestId },
        },
        async () => {
          const started = Date.now();
          const answer = await graph.post<{ responses: BatchResponse[] }>('/$batch', body, {
            version: options.version,
            signal: options.signal,
            idempotent,
            what: 'a batch of Graph requests',
            headers: { 'client-request-id': clientRequestId },
          });
          for (const sub of answer.responses)
            traceSubRequest(
              chunk.find((c) => c.id === sub.id),
              sub,
              clientRequestId,
              started,
              Date.now(),
            );
          return answer;
        },
      );
      // Graph may answer in any order: index by id.
      for (const sub of res.responses) {
        const headers = Object.fromEntries(Object.entries(sub.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
        const original = chunk.find((c) => c.id === sub.id)!;
        if (sub.status === 429) countThrottled({ service: budgetOf(original.method, original.url.split('?')[0]), batch: true });
        if (mayResend(original, sub.status) && mayRetry(policy, sub.status, attempt, throttledMs)) {
          countRetry({ status: sub.status, batch: true });
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

/** A finished span for one sub-request: method, templated path, status, Graph's request-id. */
function traceSubRequest(
  request: BatchRequest | undefined,
  sub: BatchResponse,
  batchClientRequestId: string,
  started: number,
  ended: number,
): void {
  if (!request) return;
  const path = templatePath(request.url.split('?')[0]);
  const requestId = Object.entries(sub.headers ?? {}).find(([k]) => k.toLowerCase() === 'request-id')?.[1] ?? subError(sub).requestId;
  recordSpan(
    `${request.method} ${path}`,
    started,
    ended,
    {
      'http.request.method': request.method,
      'url.template': path,
      'http.response.status_code': sub.status,
      'graph.batch.client_request_id': batchClientRequestId,
      'graph.batch.request': request.id,
      ...(requestId ? { 'graph.request_id': String(requestId) } : {}),
    },
    sub.status >= 400,
  );
}

/** The Graph error code and message of a failed sub-response, if it has the standard error body. */
export function subError(r: BatchResponse): { code?: string; message?: string; requestId?: string } {
  const e = (r.body as { error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } } } | undefined)?.error;
  return { code: e?.code, message: e?.message, requestId: e?.innerError?.['request-id'] ?? r.headers['request-id'] };
}
