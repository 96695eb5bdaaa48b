import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { StorageWorkQueue } from '../../src/store/queue-storage';
import { sign, slashCommand } from '../helpers/slack';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleFunctions } = require('../../scripts/bundle-functions.js') as {
  bundleFunctions: (o: { outDir: string; logLevel?: string }) => Promise<Metafile>;
};

interface Metafile {
  outputs: Record<
    string,
    { entryPoint?: string; inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }
  >;
}

const root = join(__dirname, '..', '..');
const BOTBUILDER = /node_modules\/(botbuilder|botframework)/;
const BOLT = /node_modules\/@slack\/bolt\//;
const MONITOR = /node_modules\/@azure\/monitor-opentelemetry\//;
const either = (...res: RegExp[]) => new RegExp(res.map((r) => r.source).join('|'));

/** Every output a trigger can ever load: its entry file, then every static or dynamic import, transitively. */
function reachable(meta: Metafile, trigger: string): string[] {
  const entry = Object.keys(meta.outputs).find((k) => meta.outputs[k].entryPoint === `functions/${trigger}.ts` && !k.includes('/chunks/'))!;
  const seen = new Set<string>();
  const walk = (k: string) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of meta.outputs[k].imports) if (!i.external) walk(i.path);
  };
  walk(entry);
  return [...seen];
}
const holds = (meta: Metafile, outputs: string[], re: RegExp) =>
  outputs.filter((o) => Object.keys(meta.outputs[o].inputs).some((i) => re.test(i)));

/** Run a copy of the bundle without the chunks holding `drop`'s code in a fresh process, answering `requests`. */
async function runWithout(meta: Metafile, bundle: string, drop: RegExp, requests: unknown[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'contain-bundle-run-'));
  try {
    cpSync(join(bundle, 'functions'), dir, { recursive: true });
    const dropped = Object.keys(meta.outputs).filter((o) => o.endsWith('.mjs') && holds(meta, [o], drop).length);
    for (const o of dropped) rmSync(join(dir, o.slice(o.indexOf('/functions/') + '/functions/'.length)));
    // Asynchronously: the test's stand-in Slack Web API must keep answering while the child runs.
    const r = await promisify(execFile)(
      process.execPath,
      ['-r', join(root, 'scripts', 'ts-register.js'), join(root, 'test', 'helpers', 'run-bundle.ts'), dir, JSON.stringify(requests)],
      { env: { ...process.env, ...env }, encoding: 'utf8', cwd: tmpdir() },
    );
    return {
      dropped: dropped.length,
      ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        names: string[];
        answers: { status: number; body: string }[];
        required: string[];
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Function App bundle (scripts/bundle-functions.js, what package:functions deploys)', () => {
  let bundle: string;
  let meta: Metafile;
  // The Teams route sends a typing indicator (and Slack calls would go here too): one stand-in server answers
  // with a success.
  let slackApi: Server;
  const prefix = `b${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    CONTAIN_MODE: 'local',
    CONTAIN_LOG_LEVEL: 'silent',
    CONTAIN_STORAGE_PREFIX: prefix,
    GRAPH_BASE_URL: 'http://127.0.0.1:9/graph',
    SLACK_SIGNING_SECRET: 'local-sandbox-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-bundle',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    CONTAIN_RESPONDERS: '',
  };

  beforeAll(async () => {
    bundle = mkdtempSync(join(tmpdir(), 'contain-bundle-'));
    meta = await bundleFunctions({ outDir: bundle, logLevel: 'error' });
    slackApi = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, team_id: 'T0CONTOSO', user_id: 'U0CONTAIN', bot_id: 'B0CONTAIN' })),
    );
    await new Promise<void>((r) => slackApi.listen(0, '127.0.0.1', r));
    env.SLACK_API_URL = `http://127.0.0.1:${(slackApi.address() as { port: number }).port}/api/`;
  }, 60_000);
  afterAll(async () => {
    rmSync(bundle, { recursive: true, force: true });
    await new Promise((r) => slackApi.close(r));
  });

  test('one small ES module per trigger; the code they share is in chunks loaded on first use', () => {
    const entries = readdirSync(join(bundle, 'functions')).filter((f) => f.endsWith('.mjs'));
    expect(entries.sort()).toEqual(
      readdirSync(join(root, 'functions'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, '.mjs'))
        .sort(),
    );
    for (const e of entries) expect(statSync(join(bundle, 'functions', e)).size).toBeLessThan(4096);
  });

  test('no module the Slack route can ever load holds botbuilder code, and none the Teams route can load holds Bolt', () => {
    const slack = reachable(meta, 'slack-events');
    const teams = reachable(meta, 'teams-messages');
    expect(holds(meta, slack, BOLT).length).toBeGreaterThan(0); // the walk does find what the route needs
    expect(holds(meta, slack, BOTBUILDER)).toEqual([]);
    expect(holds(meta, teams, BOTBUILDER).length).toBeGreaterThan(0);
    expect(holds(meta, teams, BOLT)).toEqual([]);
  });

  test('without any botbuilder chunk (nor the telemetry SDK, which loads only when configured), the bundled Slack route answers url_verification and queues a /contain command; nothing comes from node_modules', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const verification = JSON.stringify({ type: 'url_verification', challenge: 'bundled', token: 't' });
    const command = slashCommand('alice');
    const post = (body: string, contentType: string) => ({
      fn: 'slack-events',
      method: 'POST',
      url: 'http://127.0.0.1/api/slack/events',
      headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(body, ts) },
      body,
    });
    const r = await runWithout(
      meta,
      bundle,
      either(BOTBUILDER, MONITOR),
      [post(verification, 'application/json'), post(command.body, command.contentType)],
      { ...env, STORAGE_CONNECTION_STRING: process.env.STORAGE_CONNECTION_STRING! },
    );
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.names).toContain('slack-events');
    expect(r.answers[0]).toMatchObject({ status: 200, body: JSON.stringify({ challenge: 'bundled' }) });
    expect(r.answers[1].status).toBe(200);
    expect(r.answers[1].body).toContain('On it');
    // The child loads the stand-in host's own TypeScript helper only; the bundle itself required no package.
    expect(r.required.filter((p) => p !== 'typescript')).toEqual([]);
    const queue = StorageWorkQueue.fromConnectionString(process.env.STORAGE_CONNECTION_STRING!, prefix);
    const [m] = await queue.receive(1);
    expect(m.message).toMatchObject({ type: 'command', surface: 'slack' });
  }, 60_000);

  test('without any Bolt chunk, the bundled Teams route takes a message', async () => {
    const activity = {
      type: 'message',
      id: 'm1',
      text: 'help',
      channelId: 'msteams',
      serviceUrl: env.SLACK_API_URL.replace('/api/', '/'),
      from: { id: '29:x', aadObjectId: '00000000-0000-4000-8000-000000000001', name: 'X' },
      recipient: { id: '28:bot', name: 'Contain' },
      conversation: { id: '19:c@thread.tacv2', conversationType: 'channel' },
    };
    const r = await runWithout(
      meta,
      bundle,
      BOLT,
      [
        {
          fn: 'teams-messages',
          method: 'POST',
          url: 'http://127.0.0.1/api/messages',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        },
      ],
      { ...env, STORAGE_CONNECTION_STRING: process.env.STORAGE_CONNECTION_STRING! },
    );
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.answers[0].status).toBeLessThan(300);
    const queued = await StorageWorkQueue.fromConnectionString(process.env.STORAGE_CONNECTION_STRING!, prefix).receive(8);
    expect(queued.map((m) => `${m.message?.type} ${(m.message as { surface?: string } | undefined)?.surface}`)).toContain('command teams');
  }, 60_000);

  test('with an Application Insights connection string, the bundled app loads the telemetry SDK and exports the request (on appTerminate at the latest)', async () => {
    const cert = join(root, 'test', 'fixtures', 'tls', 'loopback.crt');
    const names: string[] = [];
    const collector = createHttpsServer(
      { cert: readFileSync(cert), key: readFileSync(join(root, 'test', 'fixtures', 'tls', 'loopback.key')) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const items = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as {
            data: { baseData: { name?: string } };
          }[];
          names.push(...items.map((i) => i.data.baseData.name ?? ''));
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
        });
      },
    );
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    try {
      const ts = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ type: 'url_verification', challenge: 'traced', token: 't' });
      const request = {
        fn: 'slack-events',
        method: 'POST',
        url: 'http://127.0.0.1/api/slack/events',
        headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(body, ts) },
        body,
      };
      const connection = `InstrumentationKey=00000000-0000-4000-8000-00000000c0de;IngestionEndpoint=https://127.0.0.1:${(collector.address() as { port: number }).port}/`;
      // The child trusts the collector's test certificate the standard way; nothing else differs from Azure.
      const r = await runWithout(meta, bundle, BOTBUILDER, [request], {
        ...env,
        STORAGE_CONNECTION_STRING: process.env.STORAGE_CONNECTION_STRING!,
        APPLICATIONINSIGHTS_CONNECTION_STRING: connection,
        NODE_EXTRA_CA_CERTS: cert,
        APPLICATIONINSIGHTS_INSTRUMENTATION_LOGGING_LEVEL: 'ERROR',
      });
      expect(r.answers[0].status).toBe(200);
      expect(names).toContain('slack-events');
    } finally {
      await new Promise((r) => collector.close(r));
    }
  }, 60_000);
});
