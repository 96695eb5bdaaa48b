import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { sleep } from './retry';

/**
 * Client-side pacing: Contain spends Graph's published budgets itself (https://learn.microsoft.com/graph/throttling-limits)
 * instead of learning them from 429s. Every request, and every sub-request of a $batch, waits here until the budgets
 * it counts against have room. The budgets are per app and tenant on Graph's side and per process here, so the 429
 * handling in retry.ts stays the backstop (other apps, other instances).
 */

/** One request as the pacer sees it: method and URL below the version ("/users/{id}?$select=id"). */
export interface PacedRequest {
  id?: string;
  method: string;
  url: string;
  dependsOn?: string[];
}

interface Rule {
  id: string;
  limit: number;
  windowMs: number;
  /** Requests at once instead of requests per window. */
  concurrent?: boolean;
  /** The budget this request is counted in (one per mailbox for Outlook), or undefined. */
  key(method: string, path: string): string | undefined;
}

const OUTLOOK =
  /^\/users\/([^/]+)\/(messages|mailFolders|mailboxSettings|events|calendar|calendars|calendarView|contacts|contactFolders|inferenceClassification|outlook)(\/|$)/i;
const REPORTS = /^\/(auditLogs\/(signIns|directoryAudits|provisioning)|reports\/authenticationMethods)(\/|$)/i;
const DIRECTORY =
  /^\/(users|groups|applications|servicePrincipals|devices|directoryObjects|directoryRoles|oauth2PermissionGrants|policies|roleManagement)(\/|$|\()/i;
const READ_POSTS = /\/(checkMemberObjects|checkMemberGroups|getMemberObjects|getMemberGroups|getByIds|getObjectsById)$/i;
const mailbox = (path: string) => OUTLOOK.exec(path)?.[1].toLowerCase();
const when = (re: RegExp, id: string) => (_m: string, path: string) => (re.test(path) ? id : undefined);

/**
 * The published budgets Contain can reach, with their documented figures (the sandbox enforces the full list; see
 * sandbox/graph/budgets.ts). Identity resource units (3,500 per 10 s at least) and the global 130,000 per 10 s are
 * left out: the report and write budgets bind long before them in everything Contain does.
 */
export const PUBLISHED_BUDGETS: Rule[] = [
  { id: 'reports', limit: 5, windowMs: 10_000, key: when(REPORTS, 'reports') },
  {
    id: 'identity-protection-ca',
    limit: 1,
    windowMs: 1_000,
    key: when(/^\/(identity\/conditionalAccess|identityProtection|riskyUsers|riskDetections)(\/|$)/i, 'ca'),
  },
  { id: 'security-detections', limit: 150, windowMs: 60_000, key: when(/^\/security\/(alerts|alerts_v2|incidents)(\/|$)/i, 'security') },
  { id: 'message-trace', limit: 100, windowMs: 300_000, key: when(/^\/admin\/exchange\/tracing\//i, 'trace') },
  { id: 'advanced-hunting', limit: 45, windowMs: 60_000, key: when(/^\/security\/runHuntingQuery$/i, 'hunting') },
  { id: 'device-writes', limit: 25, windowMs: 10_000, key: (m, p) => (m !== 'GET' && /^\/devices(\/|$)/i.test(p) ? 'devices' : undefined) },
  {
    id: 'identity-writes',
    limit: 3_000,
    windowMs: 150_000,
    key: (m, p) => (m !== 'GET' && DIRECTORY.test(p) && !OUTLOOK.test(p) && !READ_POSTS.test(p) ? 'writes' : undefined),
  },
  { id: 'outlook-requests', limit: 10_000, windowMs: 600_000, key: (_m, p) => mailbox(p) },
  { id: 'outlook-concurrency', limit: 4, windowMs: 0, concurrent: true, key: (_m, p) => mailbox(p) },
];

/** The first published budget a request counts against ("reports", "outlook-requests", ...), else "other": a low-cardinality name for metrics. */
export function budgetOf(method: string, path: string): string {
  return PUBLISHED_BUDGETS.find((r) => r.key(method.toUpperCase(), path) !== undefined)?.id ?? 'other';
}

/** Graph may count a window coarser than this clock: leave a little room at its end. */
const margin = (windowMs: number) => Math.max(50, windowMs * 0.01);

/**
 * A request counted in a window. Graph counts it when it arrives, which the client only knows to be before the
 * answer: until then it counts as arriving now, afterwards as having arrived when the answer came.
 */
interface Sent {
  at?: number;
}

type Demand = Map<string, { rule: Rule; n: number }>;

export class Pacer {
  private readonly sent = new Map<string, Sent[]>();
  private readonly inFlight = new Map<string, number>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly rules: Rule[] = PUBLISHED_BUDGETS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget what was spent (a fresh tenant, e.g. the sandbox after a reset); requests in flight stay counted. */
  forget(): void {
    this.sent.clear();
  }

  /** Wait until one request fits every budget it counts against; the returned function ends it (call it once answered). */
  async acquire(req: PacedRequest, signal?: AbortSignal): Promise<() => void> {
    return (await this.take([req], signal)).release;
  }

  /**
   * Of a batch's requests, those that may go now: whole dependsOn groups, as many as fit, in order. Waits until at
   * least one group fits; a group that can never fit (more than a budget holds) goes alone once its budgets are empty.
   */
  async take<T extends PacedRequest>(reqs: T[], signal?: AbortSignal): Promise<{ admitted: T[]; release: () => void }> {
    const groups = dependencyGroups(reqs);
    for (;;) {
      const now = this.now();
      const admitted: T[] = [];
      let wait = Infinity;
      for (const g of groups) {
        const w = this.waitMs(this.demand([...admitted, ...g]), now, admitted.length === 0);
        if (w === 0) admitted.push(...g);
        else if (!admitted.length) wait = Math.min(wait, w);
      }
      if (admitted.length) return { admitted, release: this.spend(this.demand(admitted)) };
      // A concurrency wait ends when a request in flight is answered; a window wait when its oldest entry leaves.
      const freed = new Promise<void>((resolve) => this.waiters.push(resolve));
      await Promise.race([freed, sleep(Number.isFinite(wait) ? wait : 1_000, signal)]);
    }
  }

  /** Requests per budget key: a count for windows; for concurrency, the most that run at once (one dependsOn wave). */
  private demand(reqs: PacedRequest[]): Demand {
    const out: Demand = new Map();
    const waves = waveOf(reqs);
    const perWave = new Map<string, number>();
    for (const r of reqs) {
      const path = r.url.split('?')[0];
      for (const rule of this.rules) {
        const key = rule.key(r.method.toUpperCase(), path);
        if (key === undefined) continue;
        const k = `${rule.id}|${key}`;
        if (!rule.concurrent) {
          out.set(k, { rule, n: (out.get(k)?.n ?? 0) + 1 });
          continue;
        }
        const wk = `${k}|${waves.get(r) ?? 0}`;
        perWave.set(wk, (perWave.get(wk) ?? 0) + 1);
        out.set(k, { rule, n: Math.max(out.get(k)?.n ?? 0, perWave.get(wk)!) });
      }
    }
    return out;
  }

  /** 0 when the demand fits now; else how long until it may (Infinity: until a request in flight ends). */
  private waitMs(demand: Demand, now: number, alone: boolean): number {
    let wait = 0;
    for (const [k, { rule, n }] of demand) {
      if (rule.concurrent) {
        const busy = this.inFlight.get(k) ?? 0;
        if (busy + n > rule.limit && !(alone && busy === 0)) wait = Infinity;
        continue;
      }
      const span = rule.windowMs + margin(rule.windowMs);
      const log = (this.sent.get(k) ?? []).filter((e) => (e.at ?? now) > now - span);
      this.sent.set(k, log);
      if (log.length + n <= rule.limit || (alone && log.length === 0)) continue;
      const times = log.map((e) => e.at ?? now).sort((a, b) => a - b);
      wait = Math.max(wait, times[Math.min(times.length - 1, times.length + n - rule.limit - 1)] + span - now);
    }
    return wait;
  }

  private spend(demand: Demand): () => void {
    const entries: Sent[] = [];
    for (const [k, { rule, n }] of demand) {
      if (rule.concurrent) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + n);
      else {
        const log = this.sent.get(k) ?? this.sent.set(k, []).get(k)!;
        for (let i = 0; i < n; i++) {
          const e: Sent = {};
          log.push(e);
          entries.push(e);
        }
      }
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const answered = this.now();
      for (const e of entries) e.at = answered;
      for (const [k, { rule, n }] of demand) if (rule.concurrent) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) - n);
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    };
  }
}

/**
 * Planned batch chunks, cut further so that each round trip fits the budgets; between round trips it waits as the
 * budgets require. The budget share of a chunk is given back when the caller asks for the next one.
 */
export async function* paced<T extends PacedRequest>(pacer: Pacer | undefined, chunks: T[][], signal?: AbortSignal): AsyncGenerator<T[]> {
  for (const chunk of chunks) {
    if (!pacer) {
      yield chunk;
      continue;
    }
    let rest = chunk;
    while (rest.length) {
      const { admitted, release } = await pacer.take(rest, signal);
      try {
        yield admitted;
      } finally {
        release();
      }
      rest = rest.filter((r) => !admitted.includes(r));
    }
  }
}

/** Graph client middleware: single requests wait for their budgets ($batch envelopes are paced by runBatch). */
export class PacingMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly pacer: Pacer,
    private readonly baseUrl: string,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const below = url.startsWith(this.baseUrl + '/') ? url.slice(this.baseUrl.length).replace(/^\/(v1\.0|beta)(?=\/)/, '') : undefined;
    if (below === undefined || below.split('?')[0] === '/$batch') return this.next!.execute(context);
    const release = await this.pacer.acquire(
      { method: (context.options?.method ?? 'GET').toUpperCase(), url: below },
      context.options?.signal ?? undefined,
    );
    try {
      await this.next!.execute(context);
    } finally {
      release();
    }
  }
}

/** Requests tied by dependsOn (either way) go together: a batch cannot send one without the other. */
function dependencyGroups<T extends PacedRequest>(reqs: T[]): T[][] {
  const root = new Map<T, T>(reqs.map((r) => [r, r]));
  const find = (r: T): T => (root.get(r) === r ? r : find(root.get(r)!));
  const byId = new Map(reqs.filter((r) => r.id !== undefined).map((r) => [r.id!, r]));
  for (const r of reqs) for (const d of r.dependsOn ?? []) if (byId.has(d)) root.set(find(r), find(byId.get(d)!));
  const groups = new Map<T, T[]>();
  for (const r of reqs) (groups.get(find(r)) ?? groups.set(find(r), []).get(find(r))!).push(r);
  return [...groups.values()];
}

/** Wave of each request: 0 without dependsOn (in the set), else one more than its latest dependency. */
function waveOf(reqs: PacedRequest[]): Map<PacedRequest, number> {
  const byId = new Map(reqs.filter((r) => r.id !== undefined).map((r) => [r.id!, r]));
  const out = new Map<PacedRequest, number>();
  const visit = (r: PacedRequest, depth: number): number => {
    if (out.has(r)) return out.get(r)!;
    const deps = depth > reqs.length ? [] : (r.dependsOn ?? []).map((d) => byId.get(d)).filter((d): d is PacedRequest => !!d);
    const w = deps.length ? 1 + Math.max(...deps.map((d) => visit(d, depth + 1))) : 0;
    out.set(r, w);
    return w;
  };
  for (const r of reqs) visit(r, 0);
  return out;
}
