import { SEED_IDS } from '../../sandbox/graph/seed';
import { serveEmulator } from '../helpers/emulator-server';

/**
 * JSON batching rules the sandbox enforces as Microsoft Graph does.
 * https://learn.microsoft.com/graph/json-batching (20 requests; dependsOn; 424 for dependents of a failed request;
 * responses in any order; "Batch should be either fully sequential or fully parallel") and
 * https://learn.microsoft.com/graph/known-issues#json-batching (the allowed dependency shapes). Mixing requests that
 * depend on something with requests that depend on nothing is refused by the service with that message (Microsoft Q&A
 * answers quoting it); the docs are silent on the exact text for duplicate ids and unknown dependencies.
 */
let server: Awaited<ReturnType<typeof serveEmulator>>;
beforeAll(async () => {
  server = await serveEmulator();
});
afterAll(() => server.close());
beforeEach(() => server.emulator.reset());

const get = (id: string, user: string = SEED_IDS.alice, dependsOn?: string[]) => ({
  id,
  method: 'GET',
  url: `/users/${user}?$select=id`,
  ...(dependsOn ? { dependsOn } : {}),
});
const revoke = (id: string, user: string, dependsOn?: string[]) => ({
  id,
  method: 'POST',
  url: `/users/${user}/revokeSignInSessions`,
  body: {},
  headers: { 'Content-Type': 'application/json' },
  ...(dependsOn ? { dependsOn } : {}),
});

async function batch(
  requests: unknown[],
): Promise<{ status: number; body: { responses?: { id: string; status: number }[]; error?: { code: string; message: string } } }> {
  const r = await fetch(`${server.baseUrl}/v1.0/$batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requests }),
  });
  return { status: r.status, body: await r.json() };
}
const applied = () => server.emulator.requests().filter((r) => r.batchId && r.applied);

describe('$batch conformance (learn.microsoft.com/graph/json-batching)', () => {
  test('21 requests are refused whole with 400; nothing runs', async () => {
    const r = await batch(Array.from({ length: 21 }, (_, i) => get(String(i))));
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/limit of 20/);
    expect(applied()).toHaveLength(0);
  });

  test('20 requests are accepted', async () => {
    const r = await batch(Array.from({ length: 20 }, (_, i) => get(String(i))));
    expect(r.status).toBe(200);
    expect(r.body.responses).toHaveLength(20);
  });

  test('pairs "change A -> read A", "change B -> read B" are refused: "Batch should be either fully sequential or fully parallel"', async () => {
    const before = server.emulator.state.users.find((u) => u.id === SEED_IDS.alice)!.signInSessionsValidFromDateTime;
    const r = await batch([
      revoke('a', SEED_IDS.alice),
      get('a-check', SEED_IDS.alice, ['a']),
      revoke('b', SEED_IDS.bob),
      get('b-check', SEED_IDS.bob, ['b']),
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'BadRequest', message: 'Batch should be either fully sequential or fully parallel' });
    expect(applied()).toHaveLength(0); // refused before any change was made
    expect(server.emulator.state.users.find((u) => u.id === SEED_IDS.alice)!.signInSessionsValidFromDateTime).toBe(before);
  });

  test('a request with dependsOn next to one without is mixed, and refused', async () => {
    const r = await batch([get('a'), get('b', SEED_IDS.alice, ['a']), get('c', SEED_IDS.bob)]);
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toBe('Batch should be either fully sequential or fully parallel');
  });

  test('fully parallel, fully sequential (in any listed order) and all-on-one batches are accepted', async () => {
    expect((await batch([get('a'), get('b'), get('c')])).status).toBe(200);
    // The docs' own example lists 1, 2, 4, 3 with 3 depending on 4: a chain, whatever the listing order.
    expect(
      (await batch([get('1'), get('2', SEED_IDS.alice, ['1']), get('4', SEED_IDS.alice, ['2']), get('3', SEED_IDS.alice, ['4'])])).status,
    ).toBe(200);
    expect((await batch([get('root'), get('x', SEED_IDS.alice, ['root']), get('y', SEED_IDS.bob, ['root'])])).status).toBe(200);
  });

  test('a sequential batch runs in dependency order, and a failed request answers its dependents 424', async () => {
    const r = await batch([
      get('1', '00000000-0000-4000-8000-000000000000'),
      get('2', SEED_IDS.alice, ['1']),
      get('3', SEED_IDS.bob, ['2']),
    ]);
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.body.responses!.map((x) => [x.id, x.status]));
    expect(by).toEqual({ '1': 404, '2': 424, '3': 424 });
    expect(
      server.emulator
        .requests()
        .filter((x) => x.batchId)
        .map((x) => x.status),
    ).toEqual([404, 424, 424]);
  });

  test('a branching dependency graph (two dependents of different requests in a chain) is refused', async () => {
    const r = await batch([get('1'), get('2', SEED_IDS.alice, ['1']), get('3', SEED_IDS.alice, ['1']), get('4', SEED_IDS.alice, ['2'])]);
    expect(r.status).toBe(400);
  });

  test('duplicate ids, unknown dependencies, absolute urls and a body without Content-Type are refused with 400', async () => {
    expect((await batch([get('a'), get('a')])).status).toBe(400);
    expect((await batch([get('a'), get('b', SEED_IDS.alice, ['zzz'])])).status).toBe(400);
    expect((await batch([{ id: 'a', method: 'GET', url: `https://graph.microsoft.com/v1.0/users/${SEED_IDS.alice}` }])).status).toBe(400);
    expect((await batch([{ id: 'a', method: 'POST', url: `/users/${SEED_IDS.alice}/revokeSignInSessions`, body: {} }])).status).toBe(400);
    expect(applied()).toHaveLength(0);
  });

  test('sub-responses may come back in any order; each carries its id', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const orders = new Set<string>();
    for (let i = 0; i < 5; i++) orders.add((await batch(ids.map((id) => get(id)))).body.responses!.map((x) => x.id).join(','));
    expect(orders.size).toBeGreaterThan(1);
  });
});
