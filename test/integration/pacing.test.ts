import { createGraph } from '../../src/graph/client';
import { runBatch } from '../../src/graph/batch';
import { Pacer, PUBLISHED_BUDGETS } from '../../src/graph/pacing';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { serveEmulator } from '../helpers/emulator-server';

const signIns = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `s${i}`, method: 'GET' as const, url: `/auditLogs/signIns?$filter=userId eq '${i}'` }));
const folders = (user: string, n: number, prefix = 'f') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, method: 'GET' as const, url: `/users/${user}/mailFolders/f${i}` }));

describe('client-side pacing within the published budgets', () => {
  test('of 12 sign-in reads, 5 go now (5 per 10 s); other requests are not held up by them', async () => {
    const pacer = new Pacer(PUBLISHED_BUDGETS, () => 1_000_000);
    const users = [{ id: 'u', method: 'GET', url: `/users/${SEED_IDS.alice}` }];
    const { admitted } = await pacer.take([...signIns(12), ...users]);
    expect(admitted.map((r) => r.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 'u']);
  });

  test('at most 4 requests for one mailbox in a parallel batch; a sequential chain counts as one at a time', async () => {
    const pacer = new Pacer(PUBLISHED_BUDGETS, () => 1_000_000);
    const first = await pacer.take([...folders('alice', 6), ...folders('bob', 3, 'b')]);
    expect(first.admitted.map((r) => r.id)).toEqual(['f0', 'f1', 'f2', 'f3', 'b0', 'b1', 'b2']);
    first.release();
    const chain = folders('alice', 6).map((r, i) => ({ ...r, ...(i ? { dependsOn: [`f${i - 1}`] } : {}) }));
    expect((await pacer.take(chain)).admitted).toHaveLength(6);
  });

  test('requests in flight hold their mailbox slots until answered, then the next may go', async () => {
    const pacer = new Pacer();
    const held = await Promise.all([0, 1, 2, 3].map((i) => pacer.acquire({ method: 'GET', url: `/users/alice/mailFolders/f${i}` })));
    let fifth = false;
    const waiting = pacer.acquire({ method: 'GET', url: '/users/alice/messages' }).then((release) => ((fifth = true), release));
    await new Promise((r) => setTimeout(r, 50));
    expect(fifth).toBe(false);
    held[0]();
    (await waiting)();
    expect(fifth).toBe(true);
  });

  test('a window budget waits for its oldest entry (with a small margin), and an abort ends the wait', async () => {
    const rule = { id: 'tiny', limit: 1, windowMs: 200, key: () => 'k' };
    const pacer = new Pacer([rule]);
    (await pacer.acquire({ method: 'GET', url: '/x' }))();
    const t0 = Date.now();
    (await pacer.acquire({ method: 'GET', url: '/x' }))();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    const ctl = new AbortController();
    const aborted = pacer.acquire({ method: 'GET', url: '/x' }, ctl.signal);
    ctl.abort();
    await expect(aborted).rejects.toThrow();
  });
});

describe('against the sandbox, with its budgets scaled down (2 sign-in reads a second)', () => {
  const tiny = PUBLISHED_BUDGETS.map((r) => (r.id === 'reports' ? { ...r, limit: 2, windowMs: 1_000 } : r));
  let server: Awaited<ReturnType<typeof serveEmulator>>;
  beforeAll(async () => {
    server = await serveEmulator();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.emulator.reset();
    server.emulator.budgets.update({ budgets: [{ id: 'reports', limit: 2, windowSeconds: 1 }] });
  });

  test('paced: 7 sign-in reads in one runBatch all succeed without a single 429, in 4 round trips', async () => {
    const graph = createGraph({ baseUrl: server.baseUrl, pacer: new Pacer(tiny) });
    const res = await runBatch(graph, signIns(7));
    expect([...res.values()].map((r) => r.status)).toEqual(Array(7).fill(200));
    const log = server.emulator.requests();
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(log.filter((r) => !r.batchId)).toHaveLength(4);
  });

  test('unpaced, the same reads meet 429s and are retried after Retry-After until they succeed (none abandoned)', async () => {
    const graph = createGraph({ baseUrl: server.baseUrl, pacer: false, random: () => 0 });
    const res = await runBatch(graph, signIns(7));
    expect([...res.values()].map((r) => r.status)).toEqual(Array(7).fill(200));
    expect(server.emulator.requests().filter((r) => r.status === 429).length).toBeGreaterThan(0);
  }, 20_000);

  test('429s do not use up attempts: a request throttled more times than maxAttempts still succeeds', async () => {
    const graph = createGraph({ baseUrl: server.baseUrl, pacer: false, retry: { maxAttempts: 2 }, random: () => 0 });
    server.emulator.faults.add({ route: '^/v1.0/users/[^/]+$', status: 429, retryAfter: 0.01, times: 4 });
    await expect(graph.get(`/users/${SEED_IDS.alice}`)).resolves.toMatchObject({ id: SEED_IDS.alice });
    const short = createGraph({ baseUrl: server.baseUrl, pacer: false, retry: { maxAttempts: 6, maxThrottledMs: 15 }, random: () => 0 });
    server.emulator.faults.add({ route: '^/v1.0/users/[^/]+$', status: 429, retryAfter: 0.01 });
    await expect(short.get(`/users/${SEED_IDS.alice}`)).rejects.toMatchObject({ code: 'GRAPH_THROTTLED' });
  });
});
