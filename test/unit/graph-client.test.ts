import { createGraph, type Graph } from '../../src/graph/client';
import { runBatch } from '../../src/graph/batch';
import { ContainError } from '../../src/errors';
import { odataString, query } from '../../src/graph/odata';
import { parseRetryAfter, retryDelayMs, defaultRetryPolicy } from '../../src/graph/retry';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { serveEmulator } from '../helpers/emulator-server';

let server: Awaited<ReturnType<typeof serveEmulator>>;
let graph: Graph;
const retries: { status: number | 'network'; delayMs: number }[] = [];

beforeAll(async () => {
  server = await serveEmulator();
  graph = createGraph({ baseUrl: server.baseUrl, random: () => 0, onRetry: (e) => retries.push(e) });
});
afterAll(() => server.close());
beforeEach(() => {
  server.emulator.reset();
  retries.length = 0;
});

const calls = (re: RegExp) => server.emulator.requests().filter((r) => re.test(r.path));

describe('Graph client against the sandbox tenant', () => {
  test('retries 429 honouring a fractional Retry-After, then succeeds', async () => {
    server.emulator.faults.add({ route: '^/v1.0/users/[^/]+$', status: 429, retryAfter: 0.25, times: 2 });
    const t0 = Date.now();
    const user = await graph.get<{ id: string }>(`/users/${SEED_IDS.alice}`);
    expect(user.id).toBe(SEED_IDS.alice);
    expect(calls(/^\/v1\.0\/users\/[^/]+$/).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(retries.map((r) => r.delayMs)).toEqual([250, 250]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480);
  });

  test("retries 503 and gives up after the policy's attempts with a transient ContainError", async () => {
    const g = createGraph({ baseUrl: server.baseUrl, retry: { maxAttempts: 3, baseDelayMs: 10 }, random: () => 0 });
    server.emulator.faults.add({ route: '^/v1.0/users/', status: 503, retryAfter: 0 });
    const err = await g.get(`/users/${SEED_IDS.alice}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainError);
    expect((err as ContainError).code).toBe('GRAPH_UNAVAILABLE');
    expect((err as ContainError).transient).toBe(true);
    expect(calls(/^\/v1\.0\/users\//)).toHaveLength(3);
  });

  test('a call stopped while its request is in flight ends ABORTED, not as a Graph outage to retry', async () => {
    server.emulator.faults.add({ route: '^/v1.0/users/[^/]+$', latencyMs: 300 });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    await expect(graph.get(`/users/${SEED_IDS.alice}`, { signal: stop.signal })).rejects.toMatchObject({
      code: 'ABORTED',
      transient: false,
    });
    expect(retries).toHaveLength(0);
    // The sandbox still answers the abandoned request; let it finish here rather than in the next test's log.
    while (!server.emulator.requests().length) await new Promise((r) => setTimeout(r, 20));
  });

  test("never retries a 400, and reports Graph's code and request id", async () => {
    const err = (await graph
      .get(`/users${query({ $filter: "startswith(displayName,'x' ) ) or" })}`)
      .catch((e: unknown) => e)) as ContainError;
    expect(err.code).toBe('GRAPH_BAD_REQUEST');
    expect(err.details.graphCode).toBe('Request_BadRequest');
    expect(err.details.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls(/^\/v1\.0\/users$/)).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  test('a 403 for an unlicensed feature becomes GRAPH_UNLICENSED, not retried', async () => {
    server.emulator.faults.add({
      route: '^/v1.0/auditLogs/signIns$',
      status: 403,
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: "Neither tenant is B2C or tenant doesn't have premium license",
    });
    const err = (await graph.get('/auditLogs/signIns').catch((e: unknown) => e)) as ContainError;
    expect(err.code).toBe('GRAPH_UNLICENSED');
    expect(err.userMessage).toMatch(/Entra ID P1/);
    expect(calls(/signIns/)).toHaveLength(1);
  });

  test('pages across absolute @odata.nextLink links lazily', async () => {
    const pages: number[] = [];
    for await (const p of graph.pages<{ id: string }>(`/users${query({ $top: 5, $select: 'id' })}`)) pages.push(p.value.length);
    const total = server.emulator.state.users.length;
    expect(pages.reduce((a, b) => a + b, 0)).toBe(total);
    expect(pages.length).toBe(Math.ceil(total / 5));
    const ids: string[] = [];
    for await (const u of graph.list<{ id: string }>(`/users${query({ $top: 5 })}`, { max: 7 })) ids.push(u.id);
    expect(ids).toHaveLength(7);
    expect(calls(/^\/v1\.0\/users$/).length).toBe(pages.length + 2); // the second listing stopped after two pages
  });

  test("finds o'brien through an escaped OData literal", async () => {
    const page = await graph.get<{ value: { displayName: string }[] }>(
      `/users${query({ $filter: `mail eq ${odataString("dan.o'brien@contoso.example")}` })}`,
    );
    expect(page.value.map((u) => u.displayName)).toEqual(["Dan O'Brien"]);
    const byName = await graph.get<{ value: { displayName: string }[] }>(
      `/users${query({ $filter: `startswith(surname,${odataString("O'B")})` })}`,
    );
    expect(byName.value.map((u) => u.displayName)).toEqual(["Dan O'Brien"]);
  });

  test('refuses to follow a nextLink to another host (no token leaves the Graph base URL)', async () => {
    await expect(graph.get('https://evil.example/v1.0/users')).rejects.toThrow(/outside/);
  });
});

describe('JSON batching', () => {
  test('only the throttled sub-request is sent again, after its own Retry-After; answers are matched by id', async () => {
    server.emulator.faults.add({ route: `^/v1.0/users/${SEED_IDS.bob}$`, status: 429, retryAfter: 0.1, times: 1 });
    const ids = [SEED_IDS.alice, SEED_IDS.bob, SEED_IDS.carol, SEED_IDS.erin];
    const res = await runBatch(
      graph,
      ids.map((id) => ({ id, method: 'GET', url: `/users/${id}?$select=id` })),
      { random: () => 0 },
    );
    for (const id of ids) expect(res.get(id)).toMatchObject({ status: 200, body: { id } });
    const envelopes = server.emulator.requests().filter((r) => !r.batchId);
    expect(envelopes).toHaveLength(2);
    // A batch's sub-requests are logged right after its envelope.
    const log = server.emulator.requests();
    const second = log.slice(log.indexOf(envelopes[1]) + 1).filter((r) => r.batchId);
    expect(second.map((r) => r.path)).toEqual([`/v1.0/users/${SEED_IDS.bob}`]);
  });

  test('a change answered 5xx is not sent again (its outcome is unknown); a read answered 5xx is', async () => {
    server.emulator.faults.add({ route: '/revokeSignInSessions$', status: 500, when: 'after', times: 1 });
    server.emulator.faults.add({ route: `^/v1.0/users/${SEED_IDS.bob}$`, status: 500, times: 1 });
    const res = await runBatch(
      graph,
      [
        { id: 'revoke', method: 'POST', url: `/users/${SEED_IDS.alice}/revokeSignInSessions`, body: {} },
        { id: 'read', method: 'GET', url: `/users/${SEED_IDS.bob}?$select=id` },
      ],
      { random: () => 0, retry: { baseDelayMs: 10 } },
    );
    expect(res.get('revoke')!.status).toBe(500);
    expect(res.get('read')!.status).toBe(200);
    const revokes = server.emulator.requests().filter((r) => r.path.endsWith('/revokeSignInSessions'));
    expect(revokes.map((r) => [r.status, r.applied])).toEqual([[500, true]]);
  });

  test('a change answered 429 is sent again: Graph refused it before doing anything', async () => {
    server.emulator.faults.add({ route: '/revokeSignInSessions$', status: 429, retryAfter: 0.05, times: 1 });
    const res = await runBatch(graph, [{ id: 'revoke', method: 'POST', url: `/users/${SEED_IDS.alice}/revokeSignInSessions`, body: {} }], {
      random: () => 0,
    });
    expect(res.get('revoke')!.status).toBe(200);
    expect(
      server.emulator
        .requests()
        .filter((r) => r.path.endsWith('/revokeSignInSessions'))
        .map((r) => [r.status, r.applied]),
    ).toEqual([
      [429, false],
      [200, true],
    ]);
  });

  test('a batch of changes whose connection drops is not sent again; a batch of reads is', async () => {
    server.emulator.faults.add({ route: '/revokeSignInSessions$', drop: true, when: 'after', times: 1 });
    const err = await runBatch(graph, [
      { id: 'revoke', method: 'POST', url: `/users/${SEED_IDS.alice}/revokeSignInSessions`, body: {} },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainError);
    expect((err as ContainError).transient).toBe(true);
    expect(
      server.emulator
        .requests()
        .filter((r) => r.path.endsWith('/revokeSignInSessions'))
        .map((r) => r.applied),
    ).toEqual([true]);
    server.emulator.faults.add({ route: `^/v1.0/users/${SEED_IDS.bob}$`, drop: true, times: 1 });
    const reads = await runBatch(graph, [{ id: 'read', method: 'GET', url: `/users/${SEED_IDS.bob}?$select=id` }], {
      retry: { baseDelayMs: 10 },
    });
    expect(reads.get('read')!.status).toBe(200);
  });

  test('more than 20 requests are split into several batches', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({
      id: `r${i}`,
      method: 'GET' as const,
      url: `/users/${SEED_IDS.alice}?$select=id`,
    }));
    const res = await runBatch(graph, many);
    expect(res.size).toBe(45);
    expect(server.emulator.requests().filter((r) => !r.batchId)).toHaveLength(3);
  });
});

describe('retry arithmetic', () => {
  test('Retry-After in seconds (fractional) or as an HTTP date', () => {
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  test('jitter adds at most the configured fraction and the cap holds', () => {
    expect(retryDelayMs(defaultRetryPolicy, 1, 1000, () => 1)).toBe(1200);
    expect(retryDelayMs(defaultRetryPolicy, 1, 1000, () => 0)).toBe(1000);
    expect(retryDelayMs(defaultRetryPolicy, 10, undefined, () => 0)).toBe(defaultRetryPolicy.maxDelayMs);
    expect(retryDelayMs(defaultRetryPolicy, 1, 600_000, () => 0)).toBe(defaultRetryPolicy.maxDelayMs);
  });
});
