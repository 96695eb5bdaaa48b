import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';

/** How Contain retries transient Graph failures; one policy for single calls and for $batch sub-requests. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Backoff base when the server gives no Retry-After. */
  baseDelayMs: number;
  /** No single wait is longer than this, whatever Retry-After says. */
  maxDelayMs: number;
  /** Fraction of the delay added at random so that many workers do not retry in lockstep. */
  jitter: number;
  /**
   * 429s do not use up attempts: Graph says to keep waiting Retry-After and retrying until the request succeeds
   * (https://learn.microsoft.com/graph/throttling). A request gives up only after waiting this long on throttling.
   */
  maxThrottledMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 0.2,
  maxThrottledMs: 600_000,
};

/** Whether a failed attempt is tried again: 429s while the time spent throttled allows, other transient ones by count. */
export function mayRetry(policy: RetryPolicy, status: number | 'network', failures: number, throttledMs: number): boolean {
  if (status === 429) return throttledMs < policy.maxThrottledMs;
  return (status === 'network' || isRetryableStatus(status)) && failures < policy.maxAttempts;
}

/** 429 and 503/504 are transient by Graph's contract; 500/502 are retried too because they are on the sandbox's fault list and seen in practice. 408 is a timeout. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Parse Retry-After: delta seconds (possibly fractional) or an HTTP date. Returns milliseconds, or undefined. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const trimmed = header.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(parseFloat(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before retry number `attempt` (1 = first retry), honouring Retry-After, with jitter, capped. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const base = retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 1);
  const withJitter = base + base * policy.jitter * random();
  return Math.min(policy.maxDelayMs, Math.round(withJitter));
}

/** Wait, but wake early with an AbortError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export interface RetryObserver {
  (event: { attempt: number; status: number | 'network'; delayMs: number; url: string }): void;
}

/** Marks a request whose outcome, once sent, must not be guessed: it is resent only after a 429 or a refused connection. */
export class SendOnce implements MiddlewareOptions {}

/** Network failures that happen before a request leaves this machine: nothing reached the service. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return NOT_SENT.has(String(cause?.code ?? (err as { code?: string })?.code ?? ''));
}

/**
 * Graph client middleware: retries 408/429/5xx and network errors per the policy; never other 4xx. A SendOnce
 * request (a change) is retried only on 429 and on connections that never opened: its 5xx, 408 or dropped
 * connection leaves the outcome unknown, and the caller decides after reading the tenant.
 */
export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly onRetry: RetryObserver = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const signal = context.options?.signal ?? undefined;
    const once = !!context.middlewareControl?.getMiddlewareOptions(SendOnce);
    let [failures, throttles, throttledMs] = [0, 0, 0];
    for (let attempt = 1; ; attempt++) {
      context.response = undefined;
      let status: number | 'network';
      let retryAfter: number | undefined;
      try {
        await this.next!.execute(context);
        status = context.response!.status;
        if (status !== 429) failures++;
        if (!(once ? status === 429 : isRetryableStatus(status)) || !mayRetry(this.policy, status, failures, throttledMs)) return;
        retryAfter = parseRetryAfter(context.response!.headers.get('Retry-After'));
        // Drain the body so the socket goes back to the pool before we sleep.
        await context.response!.arrayBuffer().catch(() => undefined);
      } catch (err) {
        if ((err as Error).name === 'AbortError' || !mayRetry(this.policy, 'network', ++failures, throttledMs) || (once && !neverSent(err)))
          throw err;
        status = 'network';
      }
      // Without Retry-After (Conditional Access sends none) a throttled request backs off by its own count.
      const delayMs = retryDelayMs(this.policy, status === 429 ? ++throttles : failures, retryAfter, this.random);
      if (status === 429) throttledMs += delayMs;
      this.onRetry({ attempt, status, delayMs, url: typeof context.request === 'string' ? context.request : context.request.url });
      await sleep(delayMs, signal);
    }
  }
}
