import { z } from 'zod';

/** A fault rule, as POSTed to /sandbox/faults. */
export const faultSchema = z.object({
  route: z
    .string()
    .min(1)
    .refine((r) => {
      try {
        new RegExp(r);
        return true;
      } catch {
        return false;
      }
    }, 'route must be a valid regular expression'),
  method: z.string().optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  status: z
    .union([
      z.literal(408),
      z.literal(429),
      z.literal(500),
      z.literal(502),
      z.literal(503),
      z.literal(504),
      z.literal(403),
      z.literal(404),
      z.literal(400),
    ])
    .optional(),
  rate: z.number().min(0).max(1).default(1),
  retryAfter: z.number().min(0).max(300).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  /** Stop applying the status after this many hits (latency still applies). */
  times: z.number().int().min(1).optional(),
  /** Let this many matching requests through untouched first (e.g. fire on the third batch, not the first). */
  skip: z.number().int().min(0).optional(),
  /** A throttling budget: at most this many matching requests per second; the rest get 429 until the next second. */
  budgetPerSecond: z.number().int().min(1).optional(),
  /**
   * before (default): the request never reaches the service. after: the service applies it, then the caller gets
   * the fault's status instead of the real answer, or no answer at all (drop, kill): the outcome is unknown to it.
   */
  when: z.enum(['before', 'after']).default('before'),
  /** Close the connection without an answer. */
  drop: z.boolean().optional(),
  /** SIGKILL the worker process once the request is applied, before it can read the answer (implies when: after). */
  kill: z.literal('worker').optional(),
});
export type Fault = z.infer<typeof faultSchema> & { hits: number; seen: number; regex: RegExp; window?: { second: number; used: number } };

/** What happens to a request the service has applied: a different answer, no answer, or a dead caller. */
export interface AfterFault {
  status?: number;
  retryAfter?: number;
  code: string;
  message: string;
  disconnect?: 'drop' | 'kill';
}

export const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
  408: ['RequestTimeout', 'The request timed out.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: ['Request_ResourceNotFound', 'Resource does not exist or one of its queried reference-property objects are not present.'],
  429: ['TooManyRequests', 'Too many requests. Please retry after the time specified in the Retry-After header.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry after the time specified in the Retry-After header.'],
  504: ['GatewayTimeout', 'The gateway timed out.'],
};

/** The fault rules in force, matched by path regex (and method when given). */
export class FaultTable {
  private rules: Fault[] = [];
  constructor(private readonly random: () => number = Math.random) {}

  add(input: unknown): Fault {
    const f = faultSchema.parse(input);
    if (f.kill) f.when = 'after';
    const rule: Fault = { ...f, hits: 0, seen: 0, regex: new RegExp(f.route) };
    this.rules.push(rule);
    return rule;
  }
  clear(): void {
    this.rules = [];
  }
  list(): Omit<Fault, 'regex' | 'seen'>[] {
    return this.rules.map(({ regex: _r, seen: _s, ...rest }) => rest);
  }
  /** Total injected latency for an HTTP request to this path. */
  latency(method: string, path: string): number {
    let total = 0;
    for (const r of this.rules) {
      if (!r.latencyMs || !this.applies(r, method, path)) continue;
      // A latency-only rule counts its own hits (skip, times); on a rule with a status, those count the status.
      if (r.status === undefined && !r.drop && !r.kill && r.budgetPerSecond === undefined) {
        if (r.skip !== undefined && r.seen++ < r.skip) continue;
        if (r.times !== undefined && r.hits++ >= r.times) continue;
      }
      total += r.latencyMs;
    }
    return total;
  }
  /** The error to answer instead, if a status rule fires for this request. */
  failure(
    method: string,
    path: string,
  ): { status: number; retryAfter?: number; code: string; message: string; drop?: boolean } | undefined {
    for (const r of this.rules) {
      if (r.budgetPerSecond !== undefined && this.applies(r, method, path)) {
        const now = Date.now();
        const second = Math.floor(now / 1000);
        if (r.window?.second !== second) r.window = { second, used: 0 };
        if (++r.window.used > r.budgetPerSecond) {
          r.hits++;
          const [code, message] = DEFAULT_CODES[429];
          return { status: 429, retryAfter: Math.max(0.05, (1000 - (now % 1000)) / 1000), code, message };
        }
        continue;
      }
      if (r.when === 'after' || (r.status === undefined && !r.drop) || !this.applies(r, method, path)) continue;
      if (r.skip !== undefined && r.seen++ < r.skip) continue;
      if (r.times !== undefined && r.hits >= r.times) continue;
      if (this.random() >= r.rate) continue;
      r.hits++;
      if (r.drop)
        return {
          status: 0,
          code: 'ConnectionDropped',
          message: 'The connection was closed before the request reached the service.',
          drop: true,
        };
      const [code, message] = DEFAULT_CODES[r.status!];
      return {
        status: r.status!,
        retryAfter: r.retryAfter ?? (r.status === 429 || r.status === 503 ? 1 : undefined),
        code: r.code ?? code,
        message: r.message ?? message,
      };
    }
    return undefined;
  }
  /** The fault, if any, for a request the service has just applied. */
  after(method: string, path: string): AfterFault | undefined {
    for (const r of this.rules) {
      if (r.when !== 'after' || !this.applies(r, method, path)) continue;
      if (r.skip !== undefined && r.seen++ < r.skip) continue;
      if (r.times !== undefined && r.hits >= r.times) continue;
      if (this.random() >= r.rate) continue;
      r.hits++;
      if (r.kill || r.drop)
        return { code: 'ConnectionDropped', message: 'The caller got no answer.', disconnect: r.kill ? 'kill' : 'drop' };
      if (r.status === undefined) continue;
      const [code, message] = DEFAULT_CODES[r.status];
      return {
        status: r.status,
        retryAfter: r.retryAfter ?? (r.status === 429 || r.status === 503 ? 1 : undefined),
        code: r.code ?? code,
        message: r.message ?? message,
      };
    }
    return undefined;
  }
  private applies(r: Fault, method: string, path: string): boolean {
    return r.regex.test(path) && (!r.method || r.method.toUpperCase() === method.toUpperCase());
  }
}
