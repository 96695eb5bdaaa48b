import { randomUUID } from 'node:crypto';
import { FaultTable } from './faults';
import { Budgets } from './budgets';
import { FilterSyntaxError } from './odata-filter';
import { seedTenant, type TenantData } from './seed';
import { registerContainmentRoutes } from './routes-containment';
import { registerDirectoryRoutes } from './routes-directory';
import { registerInvestigationRoutes } from './routes-investigation';
import { registerIdentityRoutes } from './routes-identity';
import { registerAlertRoutes } from './routes-alerts';
import { registerRestoreRoutes } from './routes-restore';
import { registerPostureRoutes } from './routes-posture';
import { checkAppIdentity } from './app-rules';
import { addPhishRecipients, addWaveUsers, scenarioSchema, type ScenarioResult } from './scenario';
import { addSuspiciousObjects, extraSchema, type ExtraInput, type ExtraResult } from './scenario-extra';
import type { z } from 'zod';
import { runJsonBatch } from './batch-run';
import {
  collection,
  errorBody,
  faultResponse,
  GraphHttpError,
  json,
  lower,
  notFound,
  type Call,
  type EmulatorResponse,
  type Handler,
  type LoggedRequest,
} from './http';

export { errorBody, GraphHttpError, json, type Call, type EmulatorResponse, type Handler, type LoggedRequest } from './http';

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
    this.budgets = new Budgets({
      now: options.budgetClock ?? Date.now,
      tenantUsers: () => this.state.users.length,
      mailbox: (key) =>
        this.state.users.find((u) => u.id === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase())?.id ??
        key.toLowerCase(),
    });
    this.state = seedTenant(this.clock());
    registerDirectoryRoutes(this);
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
  async handle(
    method: string,
    pathAndQuery: string,
    headers: Record<string, string>,
    bodyText: string,
    base: string,
    options: { isAborted?: () => boolean } = {},
  ): Promise<EmulatorResponse> {
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
    this.log.push({
      method,
      path,
      query: url.search || undefined,
      status: disconnect ? 0 : answered.status,
      time: new Date().toISOString(),
      applied,
    });
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
      return reqs.map((r) =>
        this.faults.latency(r.method, `/${version}${new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://sandbox').pathname}`),
      );
    } catch {
      return [];
    }
  }

  /** Sub-requests of the batch being dispatched; handle() moves them to the log after the envelope. */
  private pendingBatchLog: LoggedRequest[] = [];
  /** Set while a batch runs when one of its sub-requests carries a drop or kill fault: the whole answer is lost. */
  private pendingDisconnect?: 'drop' | 'kill';

  private dispatch(
    method: string,
    path: string,
    search: string,
    headers: Record<string, string>,
    bodyText: string,
    base: string,
    requestId: string,
  ): { res: EmulatorResponse; applied: boolean } {
    const fault = this.faults.failure(method, path);
    if (fault) return { res: faultResponse(fault.drop ? { ...fault, disconnect: 'drop' } : fault, requestId), applied: false };
    const m = /^\/(v1\.0|beta)(\/.*)$/.exec(path);
    if (!m) return { res: json(400, errorBody('BadRequest', `Invalid version in '${path}'.`, requestId)), applied: false };
    let body: unknown = undefined;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return {
          res: json(
            400,
            errorBody(
              'BadRequest',
              'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
              requestId,
            ),
          ),
          applied: false,
        };
      }
    }
    const call: Call = {
      method,
      version: m[1] as Call['version'],
      path: m[2],
      query: new URLSearchParams(search),
      headers: lower(headers),
      body,
      base,
    };
    const res =
      call.path === '/$batch' && method === 'POST'
        ? this.batch(call, requestId)
        : (this.budgets.charge(call, requestId) ?? this.route(call, requestId));
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
      if (pathMatched)
        throw new GraphHttpError(405, 'Request_BadRequest', `The HTTP method '${call.method}' is not supported for this resource.`);
      throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.path.split('/')[1] ?? ''}'.`);
    } catch (err) {
      if (err instanceof GraphHttpError) return json(err.status, errorBody(err.code, err.message, requestId), err.headers);
      if (err instanceof FilterSyntaxError)
        return json(400, errorBody('Request_BadRequest', `Invalid filter clause: ${err.message}`, requestId));
      return json(500, errorBody('InternalServerError', 'The sandbox tenant failed this request.', requestId));
    }
  }

  /** JSON batching as Graph does it (sandbox/graph/batch-run.ts); sub-requests go through route() and the log. */
  private batch(call: Call, requestId: string): EmulatorResponse {
    return runJsonBatch(call, requestId, {
      faults: this.faults,
      budgets: this.budgets,
      random: this.options.random ?? Math.random,
      route: (sub, id) => this.route(sub, id),
      log: (entry) => void this.pendingBatchLog.push(entry),
      disconnect: (how) => void (how === 'kill' ? (this.pendingDisconnect = 'kill') : (this.pendingDisconnect ??= 'drop')),
    });
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

  /** $filter, $select, $top, $count and $skiptoken paging with absolute nextLinks, as Graph collections do. */
  collection<T extends object>(c: Call, path: string, all: T[], o: { defaultTop?: number } = {}): EmulatorResponse {
    return collection(c, path, all, o);
  }
}
