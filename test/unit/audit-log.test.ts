import { loadConfig, type Config } from '../../src/config';
import { createGraph, type Graph } from '../../src/graph/client';
import { auditLogRecords, type AuditLogProgress } from '../../src/investigate/audit-log';
import { checkResultLink, resultLink } from '../../src/links';
import { ContainError } from '../../src/errors';
import { serveEmulator } from '../helpers/emulator-server';

let server: Awaited<ReturnType<typeof serveEmulator>>;
let graph: Graph;
const config = (env: Record<string, string> = {}): Config =>
  loadConfig({ CONTAIN_MODE: 'local', CONTAIN_AUDIT_POLL_SECONDS: '0.02', ...env });
const window = () => ({
  displayName: 'Contain test',
  start: new Date(Date.now() - 7 * 86_400_000).toISOString(),
  end: new Date().toISOString(),
});
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

beforeAll(async () => {
  server = await serveEmulator();
  graph = createGraph({ baseUrl: server.baseUrl, retry: { maxAttempts: 4, baseDelayMs: 5 }, random: () => 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.emulator.reset();
  server.emulator.auditQueryMs = 150;
});

describe('Audit Log Query API client', () => {
  test('creates the query with its filters, polls until it succeeds, pages every record and normalises them', async () => {
    const progress: AuditLogProgress[] = [];
    const records = await collect(
      auditLogRecords(
        { graph, config: config() },
        { ...window(), users: ['alice.aoki@contoso.example'], operations: ['New-InboxRule', 'MailItemsAccessed'] },
        { onProgress: (p) => void progress.push(p) },
      ),
    );
    expect(records.map((r) => r.operation).sort()).toEqual([
      'MailItemsAccessed',
      'MailItemsAccessed',
      'MailItemsAccessed',
      'New-InboxRule',
      'New-InboxRule',
    ]);
    // Ports and brackets are stripped; times are UTC.
    expect(new Set(records.map((r) => r.ip))).toEqual(new Set(['203.0.113.10', '152.42.161.220', '240b:10:32c1:ab00:857:889:3734:e93']));
    for (const r of records) expect(r.time).toMatch(/Z$/);
    const log = server.emulator.requests().filter((r) => r.path.includes('/security/auditLog/queries'));
    expect(log[0].method).toBe('POST');
    expect(log.filter((r) => r.path.endsWith('/records'))).toHaveLength(2); // 5 records, 4 a page
    expect(progress.map((p) => p.status)).toEqual(expect.arrayContaining(['notStarted', 'succeeded']));
    expect(progress.at(-1)!.status).toBe('succeeded');
  });

  test('an earlier query is picked up while it lives; a failed or unknown one is replaced, and the new id reported', async () => {
    const created: string[] = [];
    const onCreated = (id: string) => void created.push(id);
    const run = (existingQueryId?: string) =>
      collect(
        auditLogRecords({ graph, config: config() }, { ...window(), users: ['bob.brown@contoso.example'] }, { existingQueryId, onCreated }),
      );
    await run();
    expect(created).toHaveLength(1);
    expect(await run(created[0])).toHaveLength(2);
    expect(created).toHaveLength(1); // picked up, not created again
    server.emulator.auditQueryOutcome = 'failed';
    server.emulator.auditQueryMs = 0;
    await expect(run(created[0])).rejects.toThrow(/failed in Purview/); // the replacement fails too: said so
    expect(created).toHaveLength(2);
    server.emulator.auditQueryOutcome = 'succeeded';
    expect(await run('00000000-0000-4000-8000-000000000000')).toHaveLength(2);
    expect(created).toHaveLength(3);
  });

  test('a throttled poll is retried; the query still completes', async () => {
    server.emulator.faults.add({ route: '/security/auditLog/queries/[^/]+$', method: 'GET', status: 429, retryAfter: 0.01, times: 2 });
    const records = await collect(auditLogRecords({ graph, config: config() }, { ...window(), users: ['bob.brown@contoso.example'] }));
    expect(records).toHaveLength(2);
  });

  test('a query Purview fails, a forbidden one, one that outlives the wait, and a stop: each a clear ContainError', async () => {
    server.emulator.faults.add({
      route: '/security/auditLog/queries$',
      method: 'POST',
      status: 403,
      code: 'Forbidden',
      message: 'Missing AuditLogsQuery.Read.All',
      times: 1,
    });
    await expect(collect(auditLogRecords({ graph, config: config() }, window()))).rejects.toMatchObject({ code: 'GRAPH_FORBIDDEN' });

    server.emulator.auditQueryMs = 60_000;
    const slow = collect(auditLogRecords({ graph, config: config({ CONTAIN_AUDIT_TIMEOUT_MINUTES: '0.01' }) }, window()));
    await expect(slow).rejects.toThrow(/still (queued|running) after 1 min\. It keeps running in Purview > Audit as "Contain test"/);

    const stop = new AbortController();
    const stopped = collect(auditLogRecords({ graph, config: config() }, window(), { signal: stop.signal }));
    setTimeout(() => stop.abort(), 50);
    await expect(stopped).rejects.toMatchObject({ code: 'ABORTED' });

    server.emulator.auditQueryMs = 150;
    server.emulator.auditQueryOutcome = 'failed';
    await expect(collect(auditLogRecords({ graph, config: config() }, window()))).rejects.toThrow(
      /query failed in Purview; search Purview > Audit for "Contain test"/,
    );
  });
});

describe('result links', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const cfg = config({ CONTAIN_LINK_KEY: 'k'.repeat(40), PORT: '7071' });

  test('a link made here opens until it expires; altered, unsigned or expired links do not', () => {
    const link = new URL(resultLink(cfg, 'investigation-20261125-x', 'md', now)!);
    expect(link.origin).toBe('http://127.0.0.1:7071');
    const [expires, sig] = [link.searchParams.get('expires'), link.searchParams.get('sig')];
    expect(checkResultLink(cfg, 'investigation-20261125-x', expires, sig, now)).toBeUndefined();
    expect(checkResultLink(cfg, 'investigation-20261125-y', expires, sig, now)).toBe('forged');
    expect(checkResultLink(cfg, 'investigation-20261125-x', String(Number(expires) + 1), sig, now)).toBe('forged');
    expect(checkResultLink(cfg, 'investigation-20261125-x', expires, null, now)).toBe('unsigned');
    expect(checkResultLink(cfg, 'investigation-20261125-x', expires, sig, new Date(now.getTime() + 25 * 3_600_000))).toBe('expired');
    expect(checkResultLink(config({ CONTAIN_LINK_KEY: 'z'.repeat(40) }), 'investigation-20261125-x', expires, sig, now)).toBe('forged');
  });

  test('without a key there are no links, and a short key is refused at start-up', () => {
    expect(resultLink(config(), 'a', 'md', now)).toBeUndefined();
    expect(() => config({ CONTAIN_LINK_KEY: 'short' })).toThrow(ContainError);
    expect(() => config({ CONTAIN_LINK_KEY: 'short' })).not.toThrow(/short/);
  });
});
