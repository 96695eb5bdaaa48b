import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { teamsMessages } from '../functions/teams-messages';
import { slackEvents } from '../functions/slack-events';
import { incidentReport } from '../functions/incident-report';
import { results } from '../functions/results';
import { worker } from '../functions/worker';
import { sweeper } from '../functions/sweeper';
import { getContext, resetContext } from '../src/runtime';
import type { ContainContext } from '../src/context';
import type { ReceivedMessage } from '../src/store/work-queue';
import { approverRoster, clearApproverRoster } from '../src/directory/roster';
import { createLogger, type Logger } from '../src/log';
import { startAzurite, type AzuriteHandle } from './azurite';
import { FakeConnector } from './connector';
import { FakeSlackApi } from './slack-api';
import { GraphEmulator } from './graph/emulator';
import { flowApi } from './flow-api';
import { sandboxAppRoutes } from './app-routes';
import { localDefaults, SANDBOX_SLACK_SECRET } from './local-env';
import { PLAYGROUND_PEOPLE } from './playground-people';

export interface LocalStackOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Extra settings; they win over the environment and the local defaults. */
  env?: Record<string, string>;
  /** Storage to use; when absent and no STORAGE_CONNECTION_STRING is set, Azurite is started from node_modules. */
  storageConnectionString?: string;
  /** How often the worker loop polls the queue. */
  pollMs?: number;
  /** Run the queue worker in this process (tests of crash/resume run it in a child process instead). */
  runWorker?: boolean;
  /** Period of the sweeper timer; 0 turns it off (tests call stack.sweep()). Default 60 s, as in host. */
  sweepMs?: number;
  log?: Logger;
}

export interface LocalStack {
  port: number;
  url: string;
  emulator: GraphEmulator;
  connector: FakeConnector;
  slack: FakeSlackApi;
  /** Resolves when the worker loop has no message in flight and the queue looked empty. */
  idle(): Promise<void>;
  /** Fire the sweeper timer function once. */
  sweep(): Promise<void>;
  /** Stop the in-process worker loop (queued work stays in the queue). */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export type Route = (req: IncomingMessage, body: string, url: URL) => Promise<{ status: number; headers?: Record<string, string>; body?: unknown }>;

/** Start Contain locally: Functions handlers behind a plain HTTP server, the sandbox tenant, fake connector, worker loop. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? createLogger({ level: (process.env.CONTAIN_LOG_LEVEL as never) ?? 'info', fields: { app: 'contain-local' } });
  let azurite: AzuriteHandle | undefined;
  const storage = options.storageConnectionString ?? options.env?.STORAGE_CONNECTION_STRING ?? process.env.STORAGE_CONNECTION_STRING;
  const connectionString = storage ?? (azurite = await startAzurite()).connectionString;

  const emulator = new GraphEmulator();
  const connector = new FakeConnector();
  const slack = new FakeSlackApi();
  const server = createServer();
  const routes = buildRoutes(emulator, connector, slack);
  server.on('request', (req, res) => void serve(req, res, routes, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? Number(process.env.PORT ?? 3978), '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const defaults = localDefaults(port);
  for (const [k, v] of Object.entries(defaults)) if (!process.env[k] || ['PORT', 'GRAPH_BASE_URL', 'SLACK_API_URL', 'POWER_AUTOMATE_API_URL'].includes(k)) process.env[k] = v;
  process.env.STORAGE_CONNECTION_STRING = connectionString;
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v;
  resetContext();
  const ready = await getContext(); // fail fast on bad configuration, before anyone types a command
  clearApproverRoster();
  void approverRoster(ready).catch(() => undefined);

  const pump = options.runWorker === false ? undefined : startWorkerLoop({ pollMs: options.pollMs ?? 100, log });
  const fireSweeper = () => sweeper({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, new InvocationContext({ invocationId: randomUUID(), functionName: 'sweeper', logHandler: () => undefined }));
  const sweepMs = options.sweepMs ?? 60_000;
  const timer = sweepMs > 0 ? setInterval(() => void fireSweeper().catch((err: unknown) => log.warn('sweeper failed', { err })), sweepMs) : undefined;
  timer?.unref();

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    emulator,
    connector,
    slack,
    idle: () => pump?.idle() ?? Promise.resolve(),
    sweep: fireSweeper,
    stopWorker: async () => {
      await pump?.stop();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await pump?.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await azurite?.stop();
      resetContext();
    },
  };
}

/**
 * The Functions host's queue trigger, for local runs: receive up to `batchSize` messages, fetch more as soon as fewer
 * than `newBatchThreshold` are in flight (as the host does, so one slow message never holds up the rest), invoke the
 * real worker function, then delete the message or make it visible again after a growing delay.
 */
export function startWorkerLoop(options: { pollMs: number; log: Logger; maxDequeueCount?: number; batchSize?: number; newBatchThreshold?: number }) {
  const batchSize = options.batchSize ?? 16;
  const threshold = options.newBatchThreshold ?? batchSize / 2;
  let stopped = false;
  let inFlight = 0;
  let lastEmpty = false;
  const waiters: (() => void)[] = [];
  const running = new Set<Promise<void>>();
  const handle = async (m: ReceivedMessage, ctx: ContainContext) => {
    const invocation = new InvocationContext({ invocationId: randomUUID(), functionName: 'worker', logHandler: () => undefined });
    try {
      await worker(m.message ?? m.raw, invocation);
      await ctx.queue.delete(m);
    } catch (err) {
      if (m.dequeueCount >= (options.maxDequeueCount ?? 5)) {
        options.log.error('work message moved to poison queue', { messageId: m.messageId, err });
        const { QueueClient } = await import('@azure/storage-queue');
        const pq = new QueueClient(ctx.config.storage.connectionString, ctx.queue.name + '-poison');
        await pq.createIfNotExists();
        await pq.sendMessage(m.raw);
        await ctx.queue.delete(m);
      } else {
        await ctx.queue.ensure();
        await ctx.queue.client.updateMessage(m.messageId, m.popReceipt, undefined, Math.min(2 ** m.dequeueCount, 30)).catch(() => undefined);
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        if (inFlight > threshold) {
          await Promise.race([...running, new Promise((r) => setTimeout(r, options.pollMs))]);
          continue;
        }
        const ctx = await getContext();
        const msgs = await ctx.queue.receive(batchSize - inFlight, 30);
        lastEmpty = msgs.length === 0;
        if (lastEmpty) {
          if (inFlight === 0) while (waiters.length) waiters.shift()!();
          await new Promise((r) => setTimeout(r, options.pollMs));
          continue;
        }
        for (const m of msgs) {
          inFlight++;
          const p: Promise<void> = handle(m, ctx).finally(() => {
            inFlight--;
            running.delete(p);
          });
          running.add(p);
        }
      } catch (err) {
        if (!stopped) options.log.warn('worker loop error', { err });
        await new Promise((r) => setTimeout(r, options.pollMs * 5));
      }
    }
    await Promise.allSettled([...running]);
  })();
  return {
    idle: () => new Promise<void>((resolve) => (lastEmpty && inFlight === 0 ? resolve() : waiters.push(resolve))),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function buildRoutes(emulator: GraphEmulator, connector: FakeConnector, slack: FakeSlackApi): [string, RegExp, Route][] {
  const functionRoute =
    (fn: (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>, params?: (url: URL) => Record<string, string>): Route =>
    async (req, body, url) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = new HttpRequest({ method: req.method as 'POST', url: url.toString(), headers, body: req.method === 'GET' ? undefined : { string: body }, params: params?.(url) });
      const invocation = new InvocationContext({ invocationId: randomUUID(), functionName: url.pathname, logHandler: () => undefined });
      const r = await fn(request, invocation);
      return { status: r.status ?? 200, headers: r.headers as Record<string, string>, body: r.jsonBody ?? r.body };
    };
  const admin = (fn: (body: string, url: URL) => unknown, status = 200): Route => async (_req, body, url) => ({ status, body: fn(body, url) ?? {} });
  return [
    ['POST', /^\/api\/messages$/, functionRoute(teamsMessages)],
    ['POST', /^\/api\/slack\/events$/, functionRoute(slackEvents)],
    ['GET', /^\/api\/incidents\/[^/]+\/report$/, functionRoute(incidentReport, (url) => ({ id: decodeURIComponent(url.pathname.split('/')[3]) }))],
    ['GET', /^\/api\/results\/[^/]+$/, functionRoute(results, (url) => ({ id: decodeURIComponent(url.pathname.split('/')[3]) }))],
    ['POST', /^\/sandbox\/slack\/api\/[a-zA-Z.]+$/, async (req, body, url) => slack.handle(url.pathname.split('/').pop()!, body, String(req.headers['content-type'] ?? ''), req.headers.authorization)],
    ['GET', /^\/sandbox\/slack\/calls$/, admin(() => slack.all())],
    ['*', /^\/sandbox\/graph\//, async (req, body, url) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      // A killed caller's socket is destroyed; checking the flag needs no listener per keep-alive request.
      const r = await emulator.handle(req.method!, url.pathname.slice('/sandbox/graph'.length) + url.search, headers, body, `${url.origin}/sandbox/graph`, { isAborted: () => req.socket.destroyed });
      return { status: r.status, headers: r.headers, body: r.body };
    }],
    ['*', /^\/sandbox\/flow\//, async (req, _body, url) => flowApi(emulator, req.method!, url)],
    ['GET', /^\/sandbox\/requests$/, admin(() => emulator.requests())],
    ['POST', /^\/sandbox\/faults$/, async (_r, body) => {
      try {
        const parsed = JSON.parse(body || '{}');
        const added = (Array.isArray(parsed) ? parsed : [parsed]).map((f) => emulator.faults.add(f));
        return { status: 201, body: { added: added.length, faults: emulator.faults.list() } };
      } catch (err) {
        return { status: 400, body: { error: (err as Error).message } };
      }
    }],
    ...sandboxAppRoutes(emulator),
    ['GET', /^\/sandbox\/faults$/, admin(() => emulator.faults.list())],
    ['DELETE', /^\/sandbox\/faults$/, admin(() => emulator.faults.clear())],
    ['POST', /^\/sandbox\/reset$/, admin(() => {
      emulator.reset();
      connector.clear();
      slack.clear();
    })],
    ['GET', /^\/sandbox\/state$/, admin(() => emulator.state)],
    ['GET', /^\/sandbox\/connector\/activities$/, admin(() => connector.all())],
    ['*', /^\/sandbox\/connector\/v3\//, async (req, body, url) => connector.handle(req.method!, url.pathname.slice('/sandbox/connector'.length), body)],
    ['GET', /^\/favicon\.ico$/, async () => ({ status: 204 })],
    ['GET', /^\/sandbox\/slack\/messages$/, admin(() => [...slack.messages.values()])],
    // The playground signs Slack requests in the browser with the sandbox's own signing secret (local mode only).
    // Only the sandbox's own secret is ever handed out; a real one configured by the developer stays on the server.
    ['GET', /^\/sandbox\/playground\/config$/, admin(() => ({ slackSigningSecret: process.env.SLACK_SIGNING_SECRET === SANDBOX_SLACK_SECRET ? SANDBOX_SLACK_SECRET : null, people: PLAYGROUND_PEOPLE }))],
    ['GET', /^\/vendor\/adaptivecards\.js$/, async () => ({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' }, body: await readFile(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8') })],
    ['GET', /^\/(index\.html|app\.js|blockkit\.js|style\.css|teams-host-config\.js)?$/, async (_r, _b, url) => {
      const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
      return { status: 200, headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }, body: await readFile(playgroundFile(name), 'utf8') };
    }],
  ];
}

async function serve(req: IncomingMessage, res: ServerResponse, routes: [string, RegExp, Route][], log: Logger): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const match = routes.find(([m, re]) => (m === '*' || m === req.method) && re.test(url.pathname));
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `No route for ${req.method} ${url.pathname}` }));
      return;
    }
    const r = await match[2](req, body, url);
    const headers = { ...(r.headers ?? {}) };
    let payload: string | Buffer | undefined;
    if (r.body === undefined || r.body === null) payload = undefined;
    else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) payload = r.body;
    else {
      payload = JSON.stringify(r.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
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
