import { randomUUID } from 'node:crypto';
import { FaultTable, type AfterFault } from './faults';
import { batchRefusal, executionOrder, type BatchSubRequest } from './batch-rules';
import { Budgets } from './budgets';
import { FilterSyntaxError, matches, parseFilter } from './odata-filter';
import { seedTenant, type SeedSignIn, type TenantData } from './seed';
import { registerContainmentRoutes } from './routes-containment';
import { registerInvestigationRoutes } from './routes-investigation';
import { registerIdentityRoutes } from './routes-identity';
import { registerAlertRoutes } from './routes-alerts';
import { registerRestoreRoutes } from './routes-restore';
import { registerPostureRoutes } from './routes-posture';
import { withAppliedPolicies } from './ca-evaluate';
import { checkAppIdentity } from './app-rules';
import { addPhishRecipients, addWaveUsers, scenarioSchema, type ScenarioResult } from './scenario';
import { addSuspiciousObjects, extraSchema, type ExtraInput, type ExtraResult } from './scenario-extra';
import type { z } from 'zod';

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** The caller gets no answer: the connection is dropped, or the worker process that sent it is killed first. */
  disconnect?: 'drop' | 'kill';
}

export interface LoggedRequest {
  method: string;
  path: string;
  query?: string;
  /** What the caller was answered; 0 when it got no answer (dropped connection, killed worker). */
  status: number;
  time: string;
  batchId?: string;
  /** True when the service carried the request out (a change made, a read served), whatever the caller was told. */
  applied: boolean;
}

export interface Call {
  method: string;
  version: 'v1.0' | 'beta';
  /** Path below the version, e.g. /users/abc. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  /** http://host:port/sandbox/graph, for absolute nextLinks. */
  base: string;
}

export type Handler = (call: Call, m: RegExpExecArray) => EmulatorResponse;

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers: body === undefined ? headers : { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', ...headers },
  body,
});

/** Graph's error body: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}. */
export function errorBody(code: string, message: string, requestId: string): unknown {
  return { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId } } };
}

const notFound = (what: string) => new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);

/**
 * A stateful Microsoft Graph emulator: real paths, shapes, status codes and error bodies for the endpoints Contain
 * uses, a request log, and fault injection. It is the project's sandbox tenant; tests and `npm start` talk to it
 * over HTTP through the real Graph client.
 */
export class GraphEmulator {
  state: TenantData;
  readonly faults: FaultTable;
  /** The published throttling budgets (sandbox/graph/budgets.ts), on by default; GET/PUT /sandbox/budgets. */
  readonly budgets: Budgets;
  private log: LoggedRequest[] = [];
  /** Power Automate calls, kept apart from the Graph log. */
  flowRequests: { method: string; path: string; time: string; status: number; applied: boolean }[] = [];
  private readonly routes: [string, RegExp, Handler, string][] = [];
  /** How long an audit log query takes to succeed; Purview takes minutes, the playground a few seconds. */
  auditQueryMs = 3000;
  /** How audit log queries end once they have run: set 'failed' to see a client handle Purview's failure. */
  auditQueryOutcome: 'succeeded' | 'failed' = 'succeeded';

  constructor(private readonly options: { random?: () => number; now?: () => number; budgetClock?: () => number } = {}) {
    this.faults = new FaultTable(options.random);
    this.budgets = new Budgets({ now: options.budgetClock ?? Date.now, tenantUsers: () => this.state.users.length, mailbox: (key) => this.state.users.find((u) => u.id === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase())?.id ?? key.toLowerCase() });
    this.state = seedTenant(this.clock());
    this.registerRoutes();
    registerContainmentRoutes(this);
    registerInvestigationRoutes(this);
    registerIdentityRoutes(this);
    registerAlertRoutes(this);
    registerRestoreRoutes(this);
    registerPostureRoutes(this);
  }

  /** The emulator's clock (injectable for tests). */
  clock(): number {
    return this.options.now?.() ?? Date.now();
  }

  private readonly resetHooks: (() => void)[] = [];
  /** Run `hook` after every reset (the local stack tells Contain's pacer that the budgets are fresh). */
  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  /** Restore the seed tenant, clear the log, faults and spent budgets. */
  reset(): void {
    this.state = seedTenant(this.clock());
    this.log = [];
    this.flowRequests = [];
    this.faults.clear();
    this.budgets.reset();
    this.auditQueryOutcome = 'succeeded';
    for (const hook of this.resetHooks) hook();
  }

  /** Add `n` compromised users for load tests: each with an attacker inbox rule moving mail to Deleted Items. */
  addWaveUsers(n: number): { id: string; upn: string }[] {
    return addWaveUsers(this.state, n);
  }

  /**
   * POST /sandbox/scenario: more recipients of Alice's phishing mail, `compromised` of them signed in by the attacker;
   * or, given `user`, `extra` suspicious objects of each kind added to that user (scenario-extra.ts).
   */
  addScenario(input: z.input<typeof scenarioSchema>): ScenarioResult;
  addScenario(input: ExtraInput): ExtraResult;
  addScenario(input: unknown): ScenarioResult | ExtraResult;
  addScenario(input: unknown): ScenarioResult | ExtraResult {
    if (typeof input === 'object' && input !== null && 'user' in input) {
      const extra = extraSchema.parse(input);
      return addSuspiciousObjects(this.state, this.clock(), this.user(extra.user), extra);
    }
    return addPhishRecipients(this.state, this.clock(), scenarioSchema.parse(input));
  }

  requests(): LoggedRequest[] {
    return [...this.log];
  }

  /** Handle one HTTP request whose URL path is below the emulator's mount point (e.g. "/v1.0/users?$top=1"). */
  async handle(method: string, pathAndQuery: string, headers: Record<string, string>, bodyText: string, base: string, options: { isAborted?: () => boolean } = {}): Promise<EmulatorResponse> {
    const requestId = randomUUID();
    const url = new URL(pathAndQuery, 'http://sandbox');
    const path = url.pathname;
    const leave = this.budgets.arrive(requestId, pathAndQuery, bodyText); // Outlook's concurrency counts requests in flight
    // A batch takes as long as its slowest sub-request (Graph runs them in parallel).
    const latency = Math.max(this.faults.latency(method, path), ...(path.endsWith('/$batch') ? this.subLatencies(path, bodyText) : []));
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    // A caller that hung up while the request waited (a killed worker) never reached the service: nothing changes.
    if (options.isAborted?.()) {
      leave();
      this.log.push({ method, path, query: url.search || undefined, status: 499, time: new Date().toISOString(), applied: false });
      return json(499, errorBody('ClientClosedRequest', 'The client closed the connection before the request was processed.', requestId));
    }
    const { res, applied } = this.dispatch(method, path, url.search, headers, bodyText, base, requestId);
    leave();
    const after = applied ? this.faults.after(method, path) : undefined;
    const answered = after ? faultResponse(after, requestId) : res;
    const disconnect = answered.disconnect ?? this.pendingDisconnect;
    this.pendingDisconnect = undefined;
    this.log.push({ method, path, query: url.search || undefined, status: disconnect ? 0 : answered.status, time: new Date().toISOString(), applied });
    // A batch's sub-requests are logged right after its envelope, in the order they ran.
    this.log.push(...this.pendingBatchLog.splice(0));
    answered.headers['request-id'] = requestId;
    answered.headers['client-request-id'] = headers['client-request-id'] ?? requestId;
    return disconnect ? { ...answered, disconnect } : answered;
  }

  private subLatencies(path: string, bodyText: string): number[] {
    try {
      const version = path.split('/')[1];
      const reqs = (JSON.parse(bodyText) as { requests?: { method: string; url: string }[] }).requests ?? [];
      return reqs.map((r) => this.faults.latency(r.method, `/${version}${new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://sandbox').pathname}`));
    } catch {
      return [];
    }
  }

  /** Sub-requests of the batch being dispatched; handle() moves them to the log after the envelope. */
  private pendingBatchLog: LoggedRequest[] = [];
  /** Set while a batch runs when one of its sub-requests carries a drop or kill fault: the whole answer is lost. */
  private pendingDisconnect?: 'drop' | 'kill';

  private dispatch(method: string, path: string, search: string, headers: Record<string, string>, bodyText: string, base: string, requestId: string): { res: EmulatorResponse; applied: boolean } {
    const fault = this.faults.failure(method, path);
    if (fault) return { res: faultResponse(fault.drop ? { ...fault, disconnect: 'drop' } : fault, requestId), applied: false };
    const m = /^\/(v1\.0|beta)(\/.*)$/.exec(path);
    if (!m) return { res: json(400, errorBody('BadRequest', `Invalid version in '${path}'.`, requestId)), applied: false };
    let body: unknown = undefined;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return { res: json(400, errorBody('BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', requestId)), applied: false };
      }
    }
    const call: Call = { method, version: m[1] as Call['version'], path: m[2], query: new URLSearchParams(search), headers: lower(headers), body, base };
    const res = call.path === '/$batch' && method === 'POST' ? this.batch(call, requestId) : (this.budgets.charge(call, requestId) ?? this.route(call, requestId));
    return { res, applied: res.status < 400 };
  }

  private route(call: Call, requestId: string): EmulatorResponse {
    try {
      let pathMatched = false;
      for (const [method, re, handler, pattern] of this.routes) {
        const m = re.exec(call.path);
        if (!m) continue;
        pathMatched = true;
        if (method !== call.method) continue;
        // The app's permissions and directory roles, as Graph checks them before it acts (app-rules.ts).
        checkAppIdentity(this, call, `${method} ${pattern}`, m);
        return handler(call, m);
      }
      if (pathMatched) throw new GraphHttpError(405, 'Request_BadRequest', `The HTTP method '${call.method}' is not supported for this resource.`);
      throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.path.split('/')[1] ?? ''}'.`);
    } catch (err) {
      if (err instanceof GraphHttpError) return json(err.status, errorBody(err.code, err.message, requestId), err.headers);
      if (err instanceof FilterSyntaxError) return json(400, errorBody('Request_BadRequest', `Invalid filter clause: ${err.message}`, requestId));
      return json(500, errorBody('InternalServerError', 'The sandbox tenant failed this request.', requestId));
    }
  }

  /**
   * JSON batching as Graph does it: the batch's rules checked first (at most 20 requests, unique ids, Content-Type
   * with a body, and a parallel, sequential or all-on-one dependency shape; else 400 and nothing runs), then each
   * request after the ones it depends on, 424 for dependents of a failed request, responses in arbitrary order.
   */
  private batch(call: Call, requestId: string): EmulatorResponse {
    const reqs = (call.body as { requests?: unknown })?.requests;
    const refusal = batchRefusal(reqs);
    if (refusal) return json(400, errorBody('BadRequest', refusal, requestId));
    const batchId = requestId;
    const results = new Map<string, EmulatorResponse>();
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    for (const r of executionOrder(reqs as BatchSubRequest[])) {
      let res: EmulatorResponse;
      let applied = false;
      const failedDep = (r.dependsOn ?? []).find((d) => results.get(d)!.status >= 400);
      const url = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://sandbox');
      const subPath = `/${call.version}${url.pathname}`;
      if (failedDep !== undefined) {
        res = json(424, errorBody('FailedDependency', `Request depends on request '${failedDep}' which failed.`, randomUUID()));
      } else {
        const fault = this.faults.failure(r.method, subPath);
        if (fault) {
          res = faultResponse(fault, randomUUID());
          if (fault.drop) this.pendingDisconnect ??= 'drop';
        } else {
          const sub: Call = { method: r.method.toUpperCase(), version: call.version, path: url.pathname, query: url.searchParams, headers: lower(r.headers ?? {}), body: r.body, base: call.base };
          res = this.budgets.charge(sub, batchId, { requests: reqs as BatchSubRequest[], id: r.id }) ?? this.route(sub, randomUUID());
          applied = res.status < 400;
          const after = applied ? this.faults.after(r.method, subPath) : undefined;
          if (after?.disconnect) this.pendingDisconnect = after.disconnect === 'kill' ? 'kill' : (this.pendingDisconnect ?? 'drop');
          else if (after) res = faultResponse(after, randomUUID());
        }
      }
      results.set(r.id, res);
      this.pendingBatchLog.push({ method: r.method.toUpperCase(), path: subPath, query: url.search || undefined, status: res.status, time: new Date().toISOString(), batchId, applied });
      responses.push({ id: r.id, status: res.status, headers: res.headers, body: res.body });
    }
    // Graph documents that responses may come back in any order; make sure callers do not rely on it.
    shuffle(responses, this.options.random ?? Math.random);
    return json(200, { responses });
  }

  /** "METHOD pattern" of every registered route, as the authorization rules are keyed. */
  routeKeys(): string[] {
    return this.routes.map(([method, , , pattern]) => `${method} ${pattern}`);
  }

  /** Register a route; `{name}` matches one path segment. */
  on(method: string, pattern: string, handler: Handler): void {
    const re = new RegExp('^' + pattern.replace(/\{(\w+)\}/g, '([^/]+)') + '/?$');
    this.routes.push([method, re, handler, pattern]);
  }

  user(idOrUpn: string) {
    const key = decodeURIComponent(idOrUpn).toLowerCase();
    const u = this.state.users.find((x) => x.id === key || x.userPrincipalName.toLowerCase() === key);
    if (!u) throw notFound(decodeURIComponent(idOrUpn));
    return u;
  }

  private registerRoutes(): void {
    this.on('GET', '/users', (c) => this.collection(c, '/users', this.state.users));
    this.on('GET', '/users/{id}', (c, m) => json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#users/$entity`, ...select(this.user(m[1]), c.query, USER_DEFAULT) }));
    this.on('POST', '/users/{id}/revokeSignInSessions', (c, m) => {
      const u = this.user(m[1]);
      u.signInSessionsValidFromDateTime = new Date(this.clock()).toISOString();
      return json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#Edm.Boolean`, value: true });
    });
    // Transitive membership in groups and directory roles, as checkMemberObjects answers it.
    this.on('POST', '/users/{id}/checkMemberObjects', (c, m) => {
      const u = this.user(m[1]);
      const ids = (c.body as { ids?: unknown })?.ids;
      if (!Array.isArray(ids) || ids.length > 20) throw new GraphHttpError(400, 'Request_BadRequest', 'ids must be an array of at most 20 object ids.');
      const mine = this.transitiveMemberOf(u.id);
      return json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#Collection(Edm.String)`, value: ids.filter((id) => mine.has(String(id).toLowerCase())) });
    });
    this.on('GET', '/auditLogs/signIns', (c) => {
      const rows = [...this.state.signIns].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
      // Beta lists interactive sign-ins only, unless the filter asks for other kinds by signInEventTypes.
      const kinds = c.version === 'beta' && !/signInEventTypes/.test(c.query.get('$filter') ?? '') ? rows.filter((r) => r.signInEventTypes.includes('interactiveUser')) : rows;
      const shaped = c.version === 'beta' ? kinds : rows.map(({ sessionId: _s, signInEventTypes: _t, autonomousSystemNumber: _a, ...v1 }) => v1);
      if (c.version === 'v1.0' && /signInEventTypes|sessionId/.test(c.query.get('$filter') ?? ''))
        throw new GraphHttpError(400, 'Request_UnsupportedQuery', "Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'.");
      // Each sign-in with the Conditional Access policies in force at its time (ca-evaluate.ts).
      return this.collection(c, '/auditLogs/signIns', withAppliedPolicies(this, shaped as SeedSignIn[], c.headers), { defaultTop: 1000 });
    });
  }

  private transitiveMemberOf(objectId: string): Set<string> {
    const out = new Set<string>();
    const visit = (id: string) => {
      for (const g of this.state.groups) {
        if (g.members.includes(id) && !out.has(g.id)) {
          out.add(g.id);
          if (g.kind === 'group') visit(g.id);
        }
      }
    };
    visit(objectId);
    return out;
  }

  /** $filter, $select, $top, $count and $skiptoken paging with absolute nextLinks, as Graph collections do. */
  collection<T extends object>(c: Call, path: string, all: T[], o: { defaultTop?: number } = {}): EmulatorResponse {
    const filter = c.query.get('$filter');
    let items = filter ? all.filter((x) => matches(parseFilter(filter), x)) : all;
    const wantsCount = c.query.get('$count') === 'true';
    if (wantsCount && c.headers['consistencylevel'] !== 'eventual' && path === '/users')
      throw new GraphHttpError(400, 'Request_BadRequest', "$count is not currently supported without the 'ConsistencyLevel: eventual' header.");
    const total = items.length;
    const top = Math.min(Number(c.query.get('$top') ?? o.defaultTop ?? 100), 999);
    if (!Number.isInteger(top) || top < 1) throw new GraphHttpError(400, 'Request_BadRequest', "Invalid value for '$top'.");
    const skip = Number(c.query.get('$skiptoken') ?? '0');
    items = items.slice(skip, skip + top);
    const body: Record<string, unknown> = { '@odata.context': `${c.base}/${c.version}/$metadata#${path.slice(1)}` };
    if (wantsCount) body['@odata.count'] = total;
    body.value = items.map((x) => select(x, c.query, path === '/users' ? USER_DEFAULT : undefined));
    if (skip + top < total) {
      const next = new URLSearchParams(c.query);
      next.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = `${c.base}/${c.version}${path}?${next.toString().replace(/%24/g, '$')}`;
    }
    return json(200, body);
  }
}

const USER_DEFAULT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];

function select(obj: object, q: URLSearchParams, defaults?: string[]): Record<string, unknown> {
  const sel = q.get('$select');
  const keys = sel ? sel.split(',').map((s) => s.trim()) : defaults;
  const src = obj as Record<string, unknown>;
  if (!keys) return { ...src };
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in src) out[k] = src[k];
  return out;
}

/** The answer a fault gives in place of the service's own. */
function faultResponse(f: Pick<AfterFault, 'status' | 'retryAfter' | 'code' | 'message' | 'disconnect'>, requestId: string): EmulatorResponse {
  if (f.disconnect || f.status === undefined || f.status === 0) return { status: 0, headers: {}, disconnect: f.disconnect ?? 'drop' };
  return json(f.status, errorBody(f.code, f.message, requestId), f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {});
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}
