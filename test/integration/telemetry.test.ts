import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LocalStack } from '../../sandbox/local-stack';
import { mutatingCalls, startTestStack, settled, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json, post } from '../helpers/teams';
import { flushTelemetry, startTelemetry, stopTelemetry } from '../../functions/lib/telemetry';
import { templatePath } from '../../src/graph/tracing';
import { getContext } from '../../src/runtime';

const tls = (f: string) => readFileSync(join(__dirname, '..', 'fixtures', 'tls', f));

/** One Application Insights telemetry item as the exporter posts it (Breeze schema). */
interface Envelope {
  name: string;
  time: string;
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: {
      id?: string;
      name?: string;
      resultCode?: string;
      success?: boolean;
      properties?: Record<string, string>;
      metrics?: { name: string; value: number; count?: number }[];
    };
  };
}

describe('telemetry to Application Insights (OpenTelemetry, @azure/monitor-opentelemetry)', () => {
  let stack: LocalStack;
  let ingestion: Server;
  const received: Envelope[] = [];

  beforeAll(async () => {
    // The ingestion endpoint of the connection string is this server: what the exporter posts is decoded here.
    // The exporter speaks HTTPS only: a loopback server with a test certificate that only this test trusts.
    ingestion = createServer({ cert: tls('loopback.crt'), key: tls('loopback.key') }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        const items = (
          text.trim().startsWith('[')
            ? JSON.parse(text)
            : text
                .split('\n')
                .filter(Boolean)
                .map((l) => JSON.parse(l))
        ) as Envelope[];
        received.push(...items);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      });
    });
    await new Promise<void>((r) => ingestion.listen(0, '127.0.0.1', r));
    const port = (ingestion.address() as { port: number }).port;
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = `InstrumentationKey=00000000-0000-4000-8000-00000000c0de;IngestionEndpoint=https://127.0.0.1:${port}/`;
    process.env.APPLICATIONINSIGHTS_INSTRUMENTATION_LOGGING_LEVEL = 'ERROR'; // the SDK's own deprecation notices
    expect(await startTelemetry(process.env, { exporter: { tlsOptions: { ca: tls('loopback.crt').toString() } } })).toBe(true);
    stack = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await stopTelemetry();
    delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    await new Promise((r) => ingestion.close(r));
  });

  const traceOf = (id: string) => received.filter((e) => e.tags['ai.operation.id'] === id);
  const props = (e: Envelope) => e.data.baseData.properties ?? {};
  const metric = (name: string) => received.filter((e) => e.data.baseType === 'MetricData' && e.data.baseData.metrics?.[0].name === name);

  test('one `contain alice` with approval is one trace, from the chat message through the queue to every Graph request', async () => {
    // Graph throttles once: a sign-in read (a request of its own) and a mailbox read inside a $batch.
    stack.emulator.faults.add({ route: '^/v1.0/auditLogs/signIns$', status: 429, retryAfter: 0, times: 1 });
    stack.emulator.faults.add({ route: '^/v1.0/users/[^/]+/mailFolders/inbox/messageRules$', status: 429, retryAfter: 0, times: 1 });
    const before = new Set(stack.connector.all().map((r) => r.activityId));
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
    const card = await waitFor(
      () =>
        stack.connector
          .all()
          .find((x) => x.op !== 'update' && !before.has(x.activityId) && json(cardsOf(x)).includes('"verb":"approve-all"')),
      { what: 'the containment card' },
    );
    const incidentId = /"ref":"(INC-\d{8}-\d{4})"/.exec(json(cardsOf(card)))![1];
    const proposed = (await (await getContext()).store.listActions(incidentId)).filter((a) => a.state === 'proposed').length;
    await stack.sweep(); // the sweeper's minute: approvals waiting
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, '19:soc-incidents@thread.tacv2;messageid=1'));
    await settled(incidentId);
    await stack.idle();
    await flushTelemetry();
    const executed = await waitFor(
      () =>
        received.find(
          (e) =>
            e.data.baseType === 'RequestData' &&
            props(e)['contain.work.type'] === 'execute' &&
            props(e)['contain.incident_id'] === incidentId,
        ),
      { what: 'the exported execute request' },
    );

    // The incident's trace: the chat message's request is its root; the queued command and the execution are in it.
    const spans = traceOf(executed.tags['ai.operation.id']);
    const root = spans.filter((e) => !e.tags['ai.operation.parentId']);
    expect(root.map((e) => [e.data.baseType, e.data.baseData.name])).toEqual([['RequestData', 'teams-messages']]);
    expect(
      spans
        .filter((e) => e.data.baseType === 'RequestData')
        .map((e) => props(e)['contain.work.type'] ?? e.data.baseData.name)
        .sort(),
    ).toEqual(['command', 'execute', 'teams-messages']);
    // The approval's own request is a trace of its own; what it caused joins the incident's.
    expect(spans.map((e) => e.data.baseData.name)).toContain('contain approved');
    expect(received.filter((e) => e.data.baseData.name === 'teams-messages').length).toBe(2);

    // Every change Graph saw is a span of this trace, by method and path; so are discovery's reads.
    const names = spans.map((e) => e.data.baseData.name);
    const template = (p: string) => templatePath(p.replace(/^\/(v1\.0|beta)(?=\/)/, ''));
    for (const call of mutatingCalls(stack)) expect(names).toContain(`${call.method} ${template(call.path)}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /users/{id}/authentication/methods',
        'POST /users/{id}/revokeSignInSessions',
        'PATCH /users/{id}',
        'GET /v1.0/auditLogs/signIns',
      ]),
    );
    // Each HTTP request to Graph carries Graph's request-id and the client-request-id Contain sent.
    const http = spans.filter(
      (e) =>
        e.data.baseType === 'RemoteDependencyData' && props(e)['graph.client_request_id'] && !e.data.baseData.name?.startsWith('graph '),
    );
    expect(http.length).toBeGreaterThan(3);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const e of http)
      expect([e.data.baseData.name, props(e)['graph.request_id']]).toEqual([e.data.baseData.name, expect.stringMatching(uuid)]);
    // The throttled read: its 429 and its retry, both in the trace.
    expect(
      spans
        .filter((e) => e.data.baseData.name === 'GET /v1.0/auditLogs/signIns')
        .map((e) => e.data.baseData.resultCode)
        .sort(),
    ).toEqual(['200', '429']);

    // Metrics: time to contain (once), the approvals that waited, the 429s and retries.
    const ttc = metric('contain.incident.time_to_contain');
    expect(ttc).toHaveLength(1);
    expect(ttc[0].data.baseData.metrics![0]).toMatchObject({ count: 1 });
    expect(ttc[0].data.baseData.metrics![0].value).toBeGreaterThan(0);
    expect(metric('contain.approvals.waiting').map((e) => e.data.baseData.metrics![0].value)).toContain(proposed);
    const sum = (name: string, batch: string) =>
      metric(name)
        .filter((e) => props(e)['graph.batch'] === batch)
        .reduce((n, e) => n + e.data.baseData.metrics![0].value, 0);
    expect([sum('contain.graph.throttled', 'false'), sum('contain.graph.throttled', 'true')]).toEqual([1, 1]);
    expect([sum('contain.graph.retries', 'false'), sum('contain.graph.retries', 'true')]).toEqual([1, 1]);
  }, 60_000);
});
