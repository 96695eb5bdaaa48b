import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { teamsMessages } from '../functions/teams-messages';
import { slackEvents } from '../functions/slack-events';
import { incidentReport } from '../functions/incident-report';
import { results } from '../functions/results';
import { health } from '../functions/health';
import { FakeConnector, connectorLimitsSchema } from './connector';
import { FakeSlackApi } from './slack-api';
import { GraphEmulator } from './graph/emulator';
import { flowApi } from './flow-api';
import { addSandboxAlert } from './graph/seed-alerts';
import { exchangeApi } from './exchange-api';
import { replaySignIns } from './graph/ca-evaluate';
import { sandboxAppRoutes } from './app-routes';
import { SANDBOX_SLACK_SECRET } from './local-env';
import { PLAYGROUND_PEOPLE } from './playground-people';

/** How the local server answers one request: the body read, the URL parsed. */
export type Route = (
  req: IncomingMessage,
  body: string,
  url: URL,
) => Promise<{ status: number; headers?: Record<string, string>; body?: unknown; disconnect?: 'drop' | 'kill' }>;

/** Every route of the local server: Contain's Functions handlers, the fakes' and the sandbox's admin routes, the playground's static files. */
export function buildRoutes(
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
      /^\/(index\.html|app\.js|blockkit\.js|dialog\.js|slack-sign\.js|state-panel\.js|style\.css|teams-host-config\.js|teams-markdown\.js)?$/,
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

/** Static playground files live in sandbox/playground; the compiled server runs from dist/sandbox. */
function playgroundFile(name: string): string {
  const candidates = [join(__dirname, 'playground', name), join(__dirname, '..', '..', 'sandbox', 'playground', name)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}
