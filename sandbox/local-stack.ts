import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { teamsMessages } from '../functions/teams-messages';
import { slackEvents } from '../functions/slack-events';
import { incidentReport } from '../functions/incident-report';
import { results } from '../functions/results';
import { sweeper } from '../functions/sweeper';
import { alerts } from '../functions/alerts';
import { health } from '../functions/health';
import { getContext, resetContext } from '../src/runtime';
import { approverRoster, clearApproverRoster } from '../src/directory/roster';
import { createLogger, type Logger } from '../src/log';
import { startAzurite, type AzuriteHandle } from './azurite';
import { FakeConnector, connectorLimitsSchema } from './connector';
import { FakeSlackApi } from './slack-api';
import { GraphEmulator } from './graph/emulator';
import { flowApi } from './flow-api';
import { addSandboxAlert } from './graph/seed-alerts';
import { exchangeApi, mountExchange } from './exchange-api';
import { replaySignIns } from './graph/ca-evaluate';
import { sandboxAppRoutes } from './app-routes';
import { localDefaults, SANDBOX_SLACK_SECRET } from './local-env';
import { PLAYGROUND_PEOPLE } from './playground-people';
import { startWorkerLoop } from './worker-loop';
import { superviseWorkers, type WorkerSupervisor } from './worker-supervisor';
import { changesTenant, stateFiles, TenantFile } from './local-state';

export interface LocalStackOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Extra settings; they win over the environment and the local defaults. */
  env?: Record<string, string>;
  /** Storage to use; when absent and no STORAGE_CONNECTION_STRING is set, Azurite is started from node_modules. */
  storageConnectionString?: string;
  /** How often the worker loop polls the queue. */
  pollMs?: number;
  /** Run a queue worker at all (false: tests that drive the queue themselves). */
  runWorker?: boolean;
  /**
   * Where the worker runs: in this process, or in supervised child processes that kill faults can SIGKILL and that
   * are restarted as the Functions host restarts a crashed worker. Default from CONTAIN_LOCAL_WORKER, else inline.
   */
  worker?: 'inline' | 'process';
  /** Worker processes in 'process' mode (default 1). */
  workerProcesses?: number;
  /** Period of the sweeper timer; 0 turns it off (tests call stack.sweep()). Default 60 s, as in host. */
  sweepMs?: number;
  /** Period of the alert poll timer; 0 turns it off (tests call stack.pollAlerts()). Default CONTAIN_ALERT_POLL_SECONDS (5 s). */
  alertPollMs?: number;
  /** Keep Azurite's data and the sandbox tenant here across restarts (`npm start`); absent (tests): all fresh, in memory. */
  stateDir?: string;
  log?: Logger;
}

export interface LocalStack {
  port: number;
  url: string;
  emulator: GraphEmulator;
  connector: FakeConnector;
  slack: FakeSlackApi;
  /** The Azurite process this stack started, if it started one. */
  azuritePid?: number;
  /** Whether the sandbox tenant was restored from the state folder rather than seeded. */
  restored?: boolean;
  /** Resolves when the worker loop has no message in flight and the queue looked empty. */
  idle(): Promise<void>;
  /** Fire the sweeper timer function once. */
  sweep(): Promise<void>;
  /** Fire the alert poll timer function once. */
  pollAlerts(): Promise<void>;
  /** Stop the worker (queued work stays in the queue). */
  stopWorker(): Promise<void>;
  /** The supervised worker processes ('process' mode only). */
  workers?: WorkerSupervisor;
  stop(): Promise<void>;
}

export type Route = (
  req: IncomingMessage,
  body: string,
  url: URL,
) => Promise<{ status: number; headers?: Record<string, string>; body?: unknown; disconnect?: 'drop' | 'kill' }>;

/** Start Contain locally: Functions handlers behind a plain HTTP server, the sandbox tenant, fake connector, worker loop. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? createLogger({ level: (process.env.CONTAIN_LOG_LEVEL as never) ?? 'info', fields: { app: 'contain-local' } });
  let azurite: AzuriteHandle | undefined;
  const files = options.stateDir ? stateFiles(options.stateDir) : undefined;
  // A state folder brings its own Azurite: the data on disk belongs with that folder, whatever the environment says.
  const storage = files
    ? undefined
    : (options.storageConnectionString ?? options.env?.STORAGE_CONNECTION_STRING ?? process.env.STORAGE_CONNECTION_STRING);
  const connectionString = storage ?? (azurite = await startAzurite({ location: files?.azurite })).connectionString;

  const emulator = new GraphEmulator();
  mountExchange(emulator);
  const tenantFile = files ? new TenantFile(emulator, files.tenant) : undefined;
  const restored = tenantFile?.loadOrSave() ?? false;
  const connector = new FakeConnector();
  const slack = new FakeSlackApi();
  const server = createServer();
  let workers: WorkerSupervisor | undefined;
  const routes = buildRoutes(emulator, connector, slack, () => workers !== undefined);
  // A kill fault: the worker that sent the request dies after the service applied it, before it reads the answer.
  server.on('request', (req, res) => void serve(req, res, routes, log, () => workers?.killAll(), tenantFile));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? Number(process.env.PORT ?? 3978), '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const defaults = localDefaults(port);
  for (const [k, v] of Object.entries(defaults))
    if (!process.env[k] || ['PORT', 'GRAPH_BASE_URL', 'SLACK_API_URL', 'POWER_AUTOMATE_API_URL', 'EXCHANGE_ADMIN_API_URL'].includes(k))
      process.env[k] = v;
  process.env.STORAGE_CONNECTION_STRING = connectionString;
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v;
  resetContext();
  const ready = await getContext(); // fail fast on bad configuration, before anyone types a command
  // A reset tenant has its budgets back: Contain's pacer need not wait out what the old one spent.
  emulator.onReset(
    () =>
      void getContext().then(
        (c) => c.graph.pacer?.forget(),
        () => undefined,
      ),
  );
  clearApproverRoster();
  void approverRoster(ready).catch(() => undefined);

  const mode = options.worker ?? ready.config.local.worker;
  const pump = options.runWorker === false || mode === 'process' ? undefined : startWorkerLoop({ pollMs: options.pollMs ?? 100, log });
  if (options.runWorker !== false && mode === 'process') {
    workers = superviseWorkers({ count: options.workerProcesses ?? 1, env: { ...process.env }, log });
    await workers.ready();
  }
  const fireSweeper = () =>
    sweeper(
      { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext({ invocationId: randomUUID(), functionName: 'sweeper', logHandler: () => undefined }),
    );
  const sweepMs = options.sweepMs ?? 60_000;
  const timer =
    sweepMs > 0 ? setInterval(() => void fireSweeper().catch((err: unknown) => log.warn('sweeper failed', { err })), sweepMs) : undefined;
  timer?.unref();
  const fireAlerts = () =>
    alerts(
      { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext({ invocationId: randomUUID(), functionName: 'alerts', logHandler: () => undefined }),
    );
  const alertMs = options.alertPollMs ?? ready.config.alerts.pollMs;
  let alertPoll: Promise<void> | undefined;
  const alertTimer =
    alertMs > 0
      ? setInterval(() => void (alertPoll = fireAlerts().catch((err: unknown) => log.warn('alert poll failed', { err }))), alertMs)
      : undefined;
  alertTimer?.unref();

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    emulator,
    connector,
    slack,
    azuritePid: azurite?.pid,
    restored,
    idle: () => pump?.idle() ?? Promise.resolve(),
    sweep: fireSweeper,
    pollAlerts: fireAlerts,
    workers,
    stopWorker: async () => {
      await pump?.stop();
      await workers?.stop();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (alertTimer) clearInterval(alertTimer);
      await alertPoll;
      await pump?.stop();
      await workers?.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await azurite?.stop();
      resetContext();
    },
  };
}

function buildRoutes(
  emulator: GraphEmulator,
  connector: FakeConnector,
  slack: FakeSlackApi,
  canKill: () => boolean,
): [string, RegExp, Route][] {
  const functionRoute =
    (fn: (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>, params?: (url: URL) => Record<string, string>): Route =>
    async (req, body, url) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = new HttpRequest({
        method: req.method as 'POST',
        url: url.toString(),
        headers,
        body: req.method === 'GET' ? undefined : { string: body },
        params: params?.(url),
      });
      const invocation = new InvocationContext({ invocationId: randomUUID(), functionName: url.pathname, logHandler: () => undefined });
      const r = await fn(request, invocation);
      return { status: r.status ?? 200, headers: r.headers as Record<string, string>, body: r.jsonBody ?? r.body };
    };
  const admin =
    (fn: (body: string, url: URL) => unknown, status = 200): Route =>
    async (_req, body, url) => ({ status, body: fn(body, url) ?? {} });
  // Bad JSON or a body the schema refuses answers 400 with the reason.
  const tryAdmin = (fn: () => unknown, status = 200) => {
    try {
      return { status, body: fn() };
    } catch (err) {
      return { status: 400, body: { error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message } };
    }
  };
  return [
    ['POST', /^\/api\/messages$/, functionRoute(teamsMessages)],
    ['POST', /^\/api\/slack\/events$/, functionRoute(slackEvents)],
    ['GET', /^\/api\/incidents\/[^/]+\/report$/, functionRoute(incidentReport, (url) => ({ id: routeParam(url.pathname.split('/')[3]) }))],
    ['GET', /^\/api\/results\/[^/]+$/, functionRoute(results, (url) => ({ id: routeParam(url.pathname.split('/')[3]) }))],
    ['GET', /^\/api\/health$/, functionRoute(health)],
    [
      'POST',
      /^\/sandbox\/slack\/api\/[a-zA-Z.]+$/,
      async (req, body, url) =>
        slack.handle(url.pathname.split('/').pop()!, body, String(req.headers['content-type'] ?? ''), req.headers.authorization),
    ],
    ['GET', /^\/sandbox\/slack\/calls$/, admin(() => slack.all())],
    [
      '*',
      /^\/sandbox\/graph\//,
      async (req, body, url) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        // A killed caller's socket is destroyed; checking the flag needs no listener per keep-alive request.
        const r = await emulator.handle(
          req.method!,
          url.pathname.slice('/sandbox/graph'.length) + url.search,
          headers,
          body,
          `${url.origin}/sandbox/graph`,
          { isAborted: () => req.socket.destroyed },
        );
        return { status: r.status, headers: r.headers, body: r.body, disconnect: r.disconnect };
      },
    ],
    ['*', /^\/sandbox\/flow\//, async (req, _body, url) => flowApi(emulator, req.method!, url)],
    [
      '*',
      /^\/sandbox\/exchange\//,
      async (req, body, url) => exchangeApi(emulator, req.method!, url, req.headers as Record<string, string | undefined>, body),
    ],
    ['GET', /^\/sandbox\/requests$/, admin(() => emulator.requests())],
    [
      'POST',
      /^\/sandbox\/faults$/,
      async (_r, body) => {
        try {
          const parsed = JSON.parse(body || '{}');
          const rules = Array.isArray(parsed) ? parsed : [parsed];
          if (rules.some((f) => f?.kill) && !canKill())
            return {
              status: 400,
              body: { error: 'Kill faults need the worker in its own process: start the stack with CONTAIN_LOCAL_WORKER=process.' },
            };
          const added = rules.map((f) => emulator.faults.add(f));
          return { status: 201, body: { added: added.length, faults: emulator.faults.list() } };
        } catch (err) {
          return { status: 400, body: { error: (err as Error).message } };
        }
      },
    ],
    ...sandboxAppRoutes(emulator),
    ['GET', /^\/sandbox\/faults$/, admin(() => emulator.faults.list())],
    ['GET', /^\/sandbox\/budgets$/, admin(() => emulator.budgets.describe())],
    ['PUT', /^\/sandbox\/budgets$/, async (_r, body) => tryAdmin(() => emulator.budgets.update(JSON.parse(body || '{}')))],
    ['POST', /^\/sandbox\/scenario$/, async (_r, body) => tryAdmin(() => emulator.addScenario(JSON.parse(body || '{}')), 201)],
    ['POST', /^\/sandbox\/alerts$/, async (_r, body) => tryAdmin(() => addSandboxAlert(emulator, JSON.parse(body || '{}')), 201)],
    ['POST', /^\/sandbox\/signins\/replay$/, async (_r, body) => tryAdmin(() => replaySignIns(emulator, JSON.parse(body || '{}')), 201)],
    ['DELETE', /^\/sandbox\/faults$/, admin(() => emulator.faults.clear())],
    [
      'POST',
      /^\/sandbox\/reset$/,
      admin(() => {
        emulator.reset();
        connector.clear();
        slack.clear();
      }),
    ],
    ['GET', /^\/sandbox\/state$/, admin(() => emulator.state)],
    ['GET', /^\/sandbox\/connector\/activities$/, admin(() => connector.all())],
    ['GET', /^\/sandbox\/connector\/refusals$/, admin(() => connector.refusals())],
    ['GET', /^\/sandbox\/connector\/limits$/, admin(() => connector.limits)],
    [
      'PUT',
      /^\/sandbox\/connector\/limits$/,
      async (_r, body) => tryAdmin(() => Object.assign(connector.limits, connectorLimitsSchema.parse(JSON.parse(body || '{}')))),
    ],
    [
      '*',
      /^\/sandbox\/connector\/v3\//,
      async (req, body, url) => connector.handle(req.method!, url.pathname.slice('/sandbox/connector'.length), body),
    ],
    ['GET', /^\/favicon\.ico$/, async () => ({ status: 204 })],
    [
      'GET',
      /^\/sandbox\/slack\/(messages|views)$/,
      admin((_b, url) => (url.pathname.endsWith('/views') ? [...slack.modals.views.values()] : [...slack.messages.values()])),
    ],
    // The playground signs Slack requests in the browser with the sandbox's own signing secret (local mode only).
    // Only the sandbox's own secret is ever handed out; a real one configured by the developer stays on the server.
    [
      'GET',
      /^\/sandbox\/playground\/config$/,
      admin(() => ({
        slackSigningSecret: process.env.SLACK_SIGNING_SECRET === SANDBOX_SLACK_SECRET ? SANDBOX_SLACK_SECRET : null,
        people: PLAYGROUND_PEOPLE,
      })),
    ],
    [
      'GET',
      /^\/vendor\/adaptivecards\.js$/,
      async () => ({
        status: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8' },
        body: await readFile(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8'),
      }),
    ],
    [
      'GET',
      /^\/(index\.html|app\.js|blockkit\.js|dialog\.js|style\.css|teams-host-config\.js)?$/,
      async (_r, _b, url) => {
        const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
        const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
        return {
          status: 200,
          headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' },
          body: await readFile(playgroundFile(name), 'utf8'),
        };
      },
    ],
  ];
}

/** A route value as the Functions host gives it: percent-decoded, or as sent when it does not decode (the function then refuses it). */
function routeParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  routes: [string, RegExp, Route][],
  log: Logger,
  killWorkers: () => Promise<void> | undefined,
  tenantFile?: TenantFile,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const match = routes.find(([m, re]) => (m === '*' || m === req.method) && re.test(url.pathname));
    if (!match) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `No route for ${req.method} ${url.pathname}` }));
      return;
    }
    const r = await match[2](req, body, url);
    // On disk before the caller hears the answer: a crash right after cannot lose a change Contain was told was made.
    if (tenantFile && changesTenant(req.method ?? 'GET', url.pathname)) tenantFile.save();
    if (r.disconnect) {
      if (r.disconnect === 'kill') await killWorkers();
      req.socket.destroy();
      return;
    }
    const headers = { ...(r.headers ?? {}) };
    let payload: string | Buffer | undefined;
    if (r.body === undefined || r.body === null) payload = undefined;
    else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) payload = r.body;
    else {
      payload = JSON.stringify(r.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json; charset=utf-8';
    }
    res.writeHead(r.status, headers).end(payload);
  } catch (err) {
    log.error('local server error', { err });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'internal error' }));
  }
}

/** Static playground files live in sandbox/playground; the compiled server runs from dist/sandbox. */
function playgroundFile(name: string): string {
  const candidates = [join(__dirname, 'playground', name), join(__dirname, '..', '..', 'sandbox', 'playground', name)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}
