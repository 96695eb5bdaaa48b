import { errorBody, json, type Call, type EmulatorResponse } from './emulator';
import { BUDGETS, budgetUpdateSchema, OUTLOOK, WRITE, type BudgetDef, type Req } from './budget-table';

/**
 * The published Microsoft Graph throttling budgets, enforced per app and tenant (the sandbox serves one app in one
 * tenant), as Graph answers them: 429 with Retry-After (none where the docs say so). Token buckets where the docs
 * describe one (identity and access), sliding windows where they give "N requests per T", in-flight counts for
 * concurrency. Sub-requests of a $batch count one by one. Every figure is cited in test/conformance/budgets.test.ts.
 */

export { BUDGETS, resourceUnits, SANDBOX_APP_ID, THROTTLING_LIMITS } from './budget-table';

interface Override {
  limit?: number;
  windowSeconds?: number;
  enabled?: boolean;
}
interface Bucket {
  tokens: number;
  at: number;
}

/** A batch sub-request's place: which of the batch's requests run at the same time as it. */
export interface BatchPlace {
  requests: { id: string; method: string; url: string; dependsOn?: string[] }[];
  id: string;
}

/** The throttling state of the sandbox tenant: budgets in force, what has been spent, requests in flight. */
export class Budgets {
  enabled = true;
  private overrides = new Map<string, Override>();
  private buckets = new Map<string, Bucket>();
  private windows = new Map<string, number[]>();
  private inFlight = new Map<string, number>();
  /** Per HTTP request: the Outlook slots it holds by mailbox. */
  private held = new Map<string, Map<string, number>>();
  /** Per batch: Outlook sub-requests admitted so far, by mailbox and wave. */
  private admitted = new Map<string, Map<string, number>>();

  constructor(private readonly env: { now: () => number; tenantUsers: () => number; mailbox: (idOrUpn: string) => string }) {}

  /** Defaults back, nothing spent. */
  reset(): void {
    this.enabled = true;
    this.overrides.clear();
    this.buckets.clear();
    this.windows.clear();
  }

  /** What GET /sandbox/budgets shows. */
  describe() {
    return {
      enabled: this.enabled,
      budgets: BUDGETS.map((b) => ({
        id: b.id,
        what: b.what,
        scope: b.scope,
        algorithm: b.algorithm,
        limit: this.limit(b),
        windowSeconds: this.window(b),
        retryAfter: b.retryAfter,
        enabled: this.on(b),
        doc: b.doc,
      })),
    };
  }

  /** Apply a PUT /sandbox/budgets body; throws on an unknown budget id or a malformed body. */
  update(input: unknown) {
    const u = budgetUpdateSchema.parse(input);
    for (const b of u.budgets ?? [])
      if (!BUDGETS.some((d) => d.id === b.id)) throw new Error(`No budget '${b.id}'; known: ${BUDGETS.map((d) => d.id).join(', ')}.`);
    if (u.enabled !== undefined) this.enabled = u.enabled;
    for (const { id, ...o } of u.budgets ?? []) this.overrides.set(id, { ...this.overrides.get(id), ...o });
    return this.describe();
  }

  /** An HTTP request arrived: it holds its Outlook slots (a batch, the most it runs at once per mailbox) until it ends. */
  arrive(requestId: string, pathAndQuery: string, bodyText: string): () => void {
    const slots = new Map<string, number>();
    const path = new URL(pathAndQuery, 'http://sandbox').pathname.replace(/^\/(v1\.0|beta)/, '');
    if (path === '/$batch') {
      try {
        const reqs = (JSON.parse(bodyText) as { requests?: BatchPlace['requests'] }).requests ?? [];
        const waves = waveOf(reqs);
        const per = new Map<string, number>();
        for (const r of reqs) {
          const mb = this.mailboxOf(new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://sandbox').pathname);
          if (mb) per.set(`${mb}|${waves.get(r.id)}`, (per.get(`${mb}|${waves.get(r.id)}`) ?? 0) + 1);
        }
        for (const [k, n] of per) slots.set(k.split('|')[0], Math.max(slots.get(k.split('|')[0]) ?? 0, n));
      } catch {
        // A malformed batch is refused by the batch handler; it holds nothing.
      }
    } else {
      const mb = this.mailboxOf(path);
      if (mb) slots.set(mb, 1);
    }
    for (const [mb, n] of slots) this.inFlight.set(mb, (this.inFlight.get(mb) ?? 0) + n);
    this.held.set(requestId, slots);
    return () => {
      for (const [mb, n] of slots) this.inFlight.set(mb, (this.inFlight.get(mb) ?? 0) - n);
      this.held.delete(requestId);
      this.admitted.delete(requestId);
    };
  }

  /**
   * Charge one request (or one sub-request of the batch `requestId`) against every budget it counts toward. Either
   * all of them have room and all are charged, or none is and the 429 to answer comes back.
   */
  charge(call: Call, requestId: string, place?: BatchPlace): EmulatorResponse | undefined {
    if (!this.enabled) return undefined;
    const req: Req = { method: call.method, path: call.path, query: call.query, mailbox: this.mailboxOf(call.path) };
    const now = this.env.now();
    let refusal: { budget: BudgetDef; retryAfterMs: number } | undefined;
    const spend: (() => void)[] = [];
    for (const b of BUDGETS) {
      if (!this.on(b)) continue;
      const cost = b.cost(req);
      if (cost === 0) continue;
      const key = b.scope === 'app+mailbox' ? `${b.id}|${req.mailbox}` : b.id;
      const wait =
        b.algorithm === 'concurrency'
          ? this.concurrencyWait(b, req.mailbox!, requestId, spend, place)
          : b.algorithm === 'token-bucket'
            ? this.bucketWait(b, key, cost, now, spend)
            : this.windowWait(b, key, now, spend);
      if (wait > 0 && (!refusal || wait > refusal.retryAfterMs)) refusal = { budget: b, retryAfterMs: wait };
    }
    if (!refusal) {
      for (const s of spend) s();
      return undefined;
    }
    const { budget, retryAfterMs } = refusal;
    const headers: Record<string, string> = { ...(budget.refusal.headers?.(WRITE.has(req.method) ? 'Write' : 'Read', budget.scope) ?? {}) };
    if (budget.retryAfter) headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    return json(429, errorBody(budget.refusal.code, budget.refusal.message, requestId), headers);
  }

  private on(b: BudgetDef): boolean {
    return this.overrides.get(b.id)?.enabled ?? true;
  }
  private limit(b: BudgetDef): number {
    return this.overrides.get(b.id)?.limit ?? (typeof b.limit === 'number' ? b.limit : b.limit(this.env.tenantUsers()));
  }
  private window(b: BudgetDef): number {
    return this.overrides.get(b.id)?.windowSeconds ?? b.windowSeconds;
  }

  /** Token bucket: `limit` tokens, refilled at limit/window per second; ms until `cost` tokens are there. */
  private bucketWait(b: BudgetDef, key: string, cost: number, now: number, spend: (() => void)[]): number {
    const limit = this.limit(b);
    const perMs = limit / (this.window(b) * 1000);
    const prev = this.buckets.get(key) ?? { tokens: limit, at: now };
    const tokens = Math.min(limit, prev.tokens + (now - prev.at) * perMs);
    if (tokens >= cost) {
      spend.push(() => this.buckets.set(key, { tokens: tokens - cost, at: now }));
      return 0;
    }
    return Math.ceil((cost - tokens) / perMs);
  }

  /** Sliding window: at most `limit` requests in any `window` seconds; ms until the oldest leaves it. */
  private windowWait(b: BudgetDef, key: string, now: number, spend: (() => void)[]): number {
    const span = this.window(b) * 1000;
    const log = (this.windows.get(key) ?? []).filter((t) => t > now - span);
    this.windows.set(key, log);
    if (log.length < this.limit(b)) {
      spend.push(() => log.push(now));
      return 0;
    }
    return log[log.length - this.limit(b)] + span - now;
  }

  /**
   * At most `limit` requests at once per mailbox. A batch's sub-requests run in waves (those without dependsOn at once,
   * then those whose dependencies are done): the fifth one for a mailbox in a wave is refused, as Exchange refuses
   * the fifth concurrent request. Other HTTP requests in flight for the mailbox count too.
   */
  private concurrencyWait(b: BudgetDef, mailbox: string, requestId: string, spend: (() => void)[], place?: BatchPlace): number {
    const limit = this.limit(b);
    const own = this.held.get(requestId)?.get(mailbox) ?? 0;
    const others = (this.inFlight.get(mailbox) ?? 0) - own;
    if (!place) return others + 1 > limit ? 1000 : 0;
    const wave = waveOf(place.requests).get(place.id) ?? 0;
    const counts = this.admitted.get(requestId) ?? this.admitted.set(requestId, new Map()).get(requestId)!;
    const key = `${mailbox}|${wave}`;
    const before = counts.get(key) ?? 0;
    if (others + before + 1 > limit) return 1000;
    spend.push(() => counts.set(key, before + 1));
    return 0;
  }

  private mailboxOf(path: string): string | undefined {
    const m = OUTLOOK.exec(path);
    return m ? this.env.mailbox(decodeURIComponent(m[1])) : undefined;
  }
}

const waves = new WeakMap<object, Map<string, number>>();
/** Wave of each batch request: 0 without dependsOn, else one more than its latest dependency. */
function waveOf(reqs: BatchPlace['requests']): Map<string, number> {
  const known = waves.get(reqs);
  if (known) return known;
  const byId = new Map(reqs.map((r) => [r.id, r]));
  const out = new Map<string, number>();
  const visit = (id: string, depth = 0): number => {
    if (out.has(id)) return out.get(id)!;
    const deps = depth > reqs.length ? [] : (byId.get(id)?.dependsOn ?? []);
    const w = deps.length ? 1 + Math.max(...deps.map((d) => visit(d, depth + 1))) : 0;
    out.set(id, w);
    return w;
  };
  for (const r of reqs) visit(r.id);
  waves.set(reqs, out);
  return out;
}
