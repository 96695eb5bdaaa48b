import { z } from 'zod';
import { errorBody, json, type Call, type EmulatorResponse } from './emulator';
import { TENANT_ID } from './ids';

/**
 * The published Microsoft Graph throttling budgets, enforced per app and tenant (the sandbox serves one app in one
 * tenant), as Graph answers them: 429 with Retry-After (none where the docs say so). Token buckets where the docs
 * describe one (identity and access), sliding windows where they give "N requests per T", in-flight counts for
 * concurrency. Sub-requests of a $batch count one by one. Every figure is cited in test/conformance/budgets.test.ts.
 */

export const THROTTLING_LIMITS = 'https://learn.microsoft.com/graph/throttling-limits';
/** The sandbox's own app registration, for x-ms-throttle-scope. */
export const SANDBOX_APP_ID = '5a4d0b07-0000-4000-8000-00000000c0a1';

type Algorithm = 'token-bucket' | 'sliding-window' | 'concurrency';
type Scope = 'app' | 'app+tenant' | 'tenant' | 'app+mailbox';

/** One request as the budgets see it: method, path below the version, query, and the mailbox it touches. */
interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  mailbox?: string;
}

interface BudgetDef {
  id: string;
  what: string;
  doc: string;
  scope: Scope;
  algorithm: Algorithm;
  /** Requests (or resource units) per window; for concurrency, requests at once. */
  limit: number | ((tenantUsers: number) => number);
  windowSeconds: number;
  retryAfter: boolean;
  /** What this request costs against the budget; 0 = it does not count. */
  cost(r: Req): number;
  refusal: { code: string; message: string; headers?: (limit: 'Read' | 'Write', scope: Scope) => Record<string, string> };
}

const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const TOO_MANY = { code: 'TooManyRequests', message: 'Please retry again later.' };
/** Identity and access answers with its documented x-ms-throttle-* headers. */
const identityRefusal = (information: string) => ({
  ...TOO_MANY,
  headers: (limit: 'Read' | 'Write', scope: Scope) => ({ 'x-ms-throttle-scope': `${scope === 'tenant' ? 'Tenant' : 'Tenant_Application'}/${limit}/${SANDBOX_APP_ID}/${TENANT_ID}`, 'x-ms-throttle-information': information }),
});

/** Mailbox resources of the Outlook service under /users/{id}/ (mail, folders, rules, calendar, contacts...). */
const OUTLOOK = /^\/users\/([^/]+)\/(messages|mailFolders|mailboxSettings|events|calendar|calendars|calendarView|calendarGroups|contacts|contactFolders|inferenceClassification|outlook|people)(\/|$)/i;
/** Identity and access reports: sign-ins, directory audits, provisioning, authentication-method reports. */
const REPORTS = /^\/(auditLogs\/(signIns|directoryAudits|provisioning)|reports\/(authenticationMethods|credentialUserRegistrationDetails|userCredentialUsageDetails|getCredentialUsageSummary|getCredentialUserRegistrationCount|getAzureADApplicationSignInSummary|applicationSignInDetailedSummary|getRelyingPartyDetailedSummary))(\/|$|\()/i;
// "Security detections and incidents service limits ... apply to any request on /security": alert 150 per minute.
const SECURITY_DETECTIONS = /^\/security\/(alerts|alerts_v2|incidents|securityActions|secureScores|secureScoreControlProfiles)(\/|$)/i;
const PROTECTION_CA = /^\/(identity\/conditionalAccess|identityProtection|riskyUsers|riskDetections|riskyServicePrincipals|servicePrincipalRiskDetections)(\/|$)/i;
// Entries addressed by alternate key (servicePrincipals(appId='...')) are the same resources.
const DIRECTORY = /^\/(users|groups|applications|servicePrincipals|devices|directoryObjects|directoryRoles|directoryRoleTemplates|domains|organization|contracts|subscribedSkus|oauth2PermissionGrants|policies|getObjectsById|administrativeUnits|orgContacts|groupSettings|groupSettingTemplates|roleManagement)(\/|$|\()/i;

const isDirectory = (r: Req) => DIRECTORY.test(r.path) && !OUTLOOK.test(r.path) && !PROTECTION_CA.test(r.path);
const isDevice = (r: Req) => /^\/devices(\/|$)/i.test(r.path);

/** Base resource-unit cost by the documented table; "me/" costs apply to "users/{id}/" too. Any other path costs 1. */
const RU_TABLE: [string, RegExp, number][] = [
  ['GET', /^\/applications$/i, 2],
  ['GET', /^\/applications\/[^/]+\/extensionProperties$/i, 2],
  ['GET', /^\/contracts$/i, 3],
  ['POST', /^\/directoryObjects\/getByIds$/i, 5],
  ['GET', /^\/domains\/[^/]+\/domainNameReferences$/i, 4],
  ['POST', /^\/getObjectsById$/i, 5],
  ['GET', /^\/groups\/[^/]+\/members(\/|$)/i, 3],
  ['GET', /^\/groups\/[^/]+\/transitiveMembers(\/|$)/i, 5],
  ['POST', /^\/(users\/[^/]+\/|groups\/[^/]+\/)?isMemberOf$/i, 4],
  ['POST', /^\/users\/[^/]+\/checkMemberGroups$/i, 4],
  ['POST', /^\/users\/[^/]+\/checkMemberObjects$/i, 4],
  ['POST', /^\/users\/[^/]+\/getMemberGroups$/i, 2],
  ['POST', /^\/users\/[^/]+\/getMemberObjects$/i, 2],
  ['GET', /^\/users\/[^/]+\/licenseDetails$/i, 2],
  ['GET', /^\/users\/[^/]+\/memberOf(\/|$)/i, 2],
  ['GET', /^\/users\/[^/]+\/ownedObjects(\/|$)/i, 2],
  ['GET', /^\/users\/[^/]+\/transitiveMemberOf(\/|$)/i, 2],
  ['GET', /^\/oauth2PermissionGrants(\/[^/]+)?$/i, 2],
  ['GET', /^\/servicePrincipals\/[^/]+\/appRoleAssignments$/i, 2],
  ['GET', /^\/subscribedSkus$/i, 3],
  ['GET', /^\/users$/i, 2],
];
/** Table entries with a POST read (getByIds, checkMemberObjects...) write nothing. */
const READ_POSTS = RU_TABLE.filter(([m]) => m === 'POST').map(([, re]) => re);

export function resourceUnits(r: Req): number {
  const row = RU_TABLE.find(([m, re]) => m === r.method && re.test(r.path));
  let cost = row ? row[2] : 1;
  if (r.query.has('$select')) cost -= 1;
  if (r.query.has('$expand')) cost += 1;
  const top = Number(r.query.get('$top'));
  if (r.query.has('$top') && top < 20) cost -= 1;
  return Math.max(1, cost);
}
const writes = (r: Req) => (isDirectory(r) && WRITE.has(r.method) && !READ_POSTS.some((re) => re.test(r.path)) ? 1 : 0);

const anchor = (a: string) => `${THROTTLING_LIMITS}#${a}`;

/** The budgets, in the order a request is checked against them. */
export const BUDGETS: BudgetDef[] = [
  { id: 'global', what: 'Any request', doc: THROTTLING_LIMITS, scope: 'app', algorithm: 'token-bucket', limit: 130_000, windowSeconds: 10, retryAfter: true, cost: () => 1, refusal: TOO_MANY },
  {
    id: 'identity-resource-units',
    what: 'Identity and access resource units (S: under 50 users, M: 50-500, L: above 500)',
    doc: anchor('identity-and-access-service-limits'),
    scope: 'app+tenant',
    algorithm: 'token-bucket',
    limit: (users) => (users < 50 ? 3_500 : users <= 500 ? 5_000 : 8_000),
    windowSeconds: 10,
    retryAfter: true,
    cost: (r) => (isDirectory(r) ? resourceUnits(r) : 0),
    refusal: identityRefusal('ResourceUnitLimitExceeded'),
  },
  { id: 'identity-writes', what: 'Identity and access writes', doc: anchor('identity-and-access-service-limits'), scope: 'app+tenant', algorithm: 'token-bucket', limit: 3_000, windowSeconds: 150, retryAfter: true, cost: writes, refusal: identityRefusal('WriteLimitExceeded') },
  { id: 'identity-writes-tenant', what: 'Identity and access writes, all apps', doc: anchor('identity-and-access-service-limits'), scope: 'tenant', algorithm: 'token-bucket', limit: 18_000, windowSeconds: 300, retryAfter: true, cost: writes, refusal: identityRefusal('WriteLimitExceeded') },
  // The device table's "per user per tenant" column has no user in app-only calls: the app is the caller, so it is counted per app.
  { id: 'device-writes', what: 'Device writes (POST, PATCH, DELETE)', doc: anchor('identity-and-access-device-operation-service-limits'), scope: 'app+tenant', algorithm: 'sliding-window', limit: 25, windowSeconds: 10, retryAfter: true, cost: (r) => (isDevice(r) && r.method !== 'GET' ? 1 : 0), refusal: identityRefusal('WriteLimitExceeded') },
  { id: 'device-writes-quota', what: 'Device write quota', doc: anchor('identity-and-access-device-operation-service-limits'), scope: 'app+tenant', algorithm: 'token-bucket', limit: 3_000, windowSeconds: 150, retryAfter: true, cost: (r) => (isDevice(r) && r.method !== 'GET' ? 1 : 0), refusal: identityRefusal('WriteLimitExceeded') },
  { id: 'reports', what: 'Identity and access reports: sign-ins, directory audits, authentication-method reports', doc: anchor('identity-and-access-reports-service-limits'), scope: 'app+tenant', algorithm: 'sliding-window', limit: 5, windowSeconds: 10, retryAfter: true, cost: (r) => (REPORTS.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'sign-in-activity', what: 'List users with $select=signInActivity', doc: anchor('identity-and-access-reports-service-limits'), scope: 'app+tenant', algorithm: 'sliding-window', limit: 10, windowSeconds: 60, retryAfter: true, cost: (r) => (r.method === 'GET' && /^\/users\/?$/i.test(r.path) && /signInActivity/i.test(r.query.get('$select') ?? '') ? 1 : 0), refusal: TOO_MANY },
  { id: 'identity-protection-ca', what: 'Identity Protection and Conditional Access (no Retry-After)', doc: anchor('identity-protection-and-conditional-access-service-limits'), scope: 'tenant', algorithm: 'sliding-window', limit: 1, windowSeconds: 1, retryAfter: false, cost: (r) => (PROTECTION_CA.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'outlook-concurrency', what: 'Outlook: concurrent requests per mailbox (mail, rules, folders)', doc: anchor('outlook-service-limits'), scope: 'app+mailbox', algorithm: 'concurrency', limit: 4, windowSeconds: 0, retryAfter: true, cost: (r) => (r.mailbox ? 1 : 0), refusal: { code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' } },
  { id: 'outlook-requests', what: 'Outlook: requests per mailbox (mail, rules, folders)', doc: anchor('outlook-service-limits'), scope: 'app+mailbox', algorithm: 'sliding-window', limit: 10_000, windowSeconds: 600, retryAfter: true, cost: (r) => (r.mailbox ? 1 : 0), refusal: { code: 'ApplicationThrottled', message: 'Application is over its MailboxRequestRate limit.' } },
  // The section is titled "Security detections and incidents" but its table names only alert, securityActions and
  // secureScore; the sandbox counts incidents (which Defender builds from alerts) against the same budget: stricter.
  { id: 'security-detections', what: 'Security alerts and incidents (/security/alerts, alerts_v2, incidents)', doc: anchor('security-detections-and-incidents-service-limits'), scope: 'app+tenant', algorithm: 'sliding-window', limit: 150, windowSeconds: 60, retryAfter: true, cost: (r) => (SECURITY_DETECTIONS.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'message-trace', what: 'Exchange message trace', doc: anchor('exchange-message-trace-service-limits'), scope: 'tenant', algorithm: 'sliding-window', limit: 100, windowSeconds: 300, retryAfter: true, cost: (r) => (/^\/admin\/exchange\/tracing\//i.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'advanced-hunting', what: 'Advanced hunting API calls per minute', doc: 'https://learn.microsoft.com/defender-xdr/api-advanced-hunting', scope: 'tenant', algorithm: 'sliding-window', limit: 45, windowSeconds: 60, retryAfter: true, cost: (r) => (/^\/security\/runHuntingQuery$/i.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'advanced-hunting-hourly', what: 'Advanced hunting API calls per hour', doc: 'https://learn.microsoft.com/defender-endpoint/api/run-advanced-query-api', scope: 'tenant', algorithm: 'sliding-window', limit: 1_500, windowSeconds: 3_600, retryAfter: true, cost: (r) => (/^\/security\/runHuntingQuery$/i.test(r.path) ? 1 : 0), refusal: TOO_MANY },
  { id: 'audit-log-queries', what: 'Audit log query submissions per day', doc: anchor('security-audit-log-query-service-limits'), scope: 'tenant', algorithm: 'sliding-window', limit: 200, windowSeconds: 86_400, retryAfter: true, cost: (r) => (r.method === 'POST' && /^\/security\/auditLog\/queries$/i.test(r.path) ? 1 : 0), refusal: TOO_MANY },
];

export const budgetUpdateSchema = z
  .object({
    enabled: z.boolean().optional(),
    budgets: z
      .array(z.object({ id: z.string(), limit: z.number().positive().optional(), windowSeconds: z.number().positive().optional(), enabled: z.boolean().optional() }).strict())
      .optional(),
  })
  .strict();

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
      budgets: BUDGETS.map((b) => ({ id: b.id, what: b.what, scope: b.scope, algorithm: b.algorithm, limit: this.limit(b), windowSeconds: this.window(b), retryAfter: b.retryAfter, enabled: this.on(b), doc: b.doc })),
    };
  }

  /** Apply a PUT /sandbox/budgets body; throws on an unknown budget id or a malformed body. */
  update(input: unknown) {
    const u = budgetUpdateSchema.parse(input);
    for (const b of u.budgets ?? []) if (!BUDGETS.some((d) => d.id === b.id)) throw new Error(`No budget '${b.id}'; known: ${BUDGETS.map((d) => d.id).join(', ')}.`);
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
      const wait = b.algorithm === 'concurrency' ? this.concurrencyWait(b, req.mailbox!, requestId, spend, place) : b.algorithm === 'token-bucket' ? this.bucketWait(b, key, cost, now, spend) : this.windowWait(b, key, now, spend);
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
