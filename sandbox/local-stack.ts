import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sweeper } from '../functions/sweeper';
import { alerts } from '../functions/alerts';
import { getContext, resetContext } from '../src/runtime';
import { approverRoster, clearApproverRoster } from '../src/directory/roster';
import { createLogger, type Logger } from '../src/log';
import { startAzurite, type AzuriteHandle } from './azurite';
import { FakeConnector } from './connector';
import { FakeSlackApi } from './slack-api';
import { GraphEmulator } from './graph/emulator';
import { mountExchange } from './exchange-api';
import { localDefaults } from './local-env';
import { startWorkerLoop } from './worker-loop';
import { superviseWorkers, type WorkerSupervisor } from './worker-supervisor';
import { changesTenant, stateFiles, TenantFile } from './local-state';
import { buildRoutes, type Route } from './local-routes';

export type { Route } from './local-routes';

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
