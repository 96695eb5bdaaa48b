import { z } from 'zod';

/** A fault rule, as POSTed to /sandbox/faults. */
export const faultSchema = z.object({
  route: z.string().min(1).refine((r) => {
    try {
      new RegExp(r);
      return true;
    } catch {
      return false;
    }
  }, 'route must be a valid regular expression'),
  method: z.string().optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(403), z.literal(404), z.literal(400)]).optional(),
  rate: z.number().min(0).max(1).default(1),
  retryAfter: z.number().min(0).max(300).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  /** Stop applying the status after this many hits (latency still applies). */
  times: z.number().int().min(1).optional(),
  /** A throttling budget: at most this many matching requests per second; the rest get 429 until the next second. */
  budgetPerSecond: z.number().int().min(1).optional(),
});
export type Fault = z.infer<typeof faultSchema> & { hits: number; regex: RegExp; window?: { second: number; used: number } };

export const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
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
    const rule: Fault = { ...f, hits: 0, regex: new RegExp(f.route) };
    this.rules.push(rule);
    return rule;
  }
  clear(): void {
    this.rules = [];
  }
  list(): Omit<Fault, 'regex'>[] {
    return this.rules.map(({ regex: _r, ...rest }) => rest);
  }
  /** Total injected latency for an HTTP request to this path. */
  latency(method: string, path: string): number {
    return this.rules.filter((r) => this.applies(r, method, path)).reduce((ms, r) => ms + (r.latencyMs ?? 0), 0);
  }
  /** The error to answer instead, if a status rule fires for this request. */
  failure(method: string, path: string): { status: number; retryAfter?: number; code: string; message: string } | undefined {
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
      if (r.status === undefined || !this.applies(r, method, path)) continue;
      if (r.times !== undefined && r.hits >= r.times) continue;
      if (this.random() >= r.rate) continue;
      r.hits++;
      const [code, message] = DEFAULT_CODES[r.status];
      return { status: r.status, retryAfter: r.retryAfter ?? (r.status === 429 || r.status === 503 ? 1 : undefined), code: r.code ?? code, message: r.message ?? message };
    }
    return undefined;
  }
  private applies(r: Fault, method: string, path: string): boolean {
    return r.regex.test(path) && (!r.method || r.method.toUpperCase() === method.toUpperCase());
  }
}
