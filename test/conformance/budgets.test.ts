/**
 * The published Microsoft Graph throttling budgets, as the sandbox enforces them. Each test names the documentation
 * it follows; where the docs are silent, the test says so and follows the most-cited public evidence.
 *
 * L = https://learn.microsoft.com/graph/throttling-limits (checked against the page dated 2025-01-14 and
 * microsoftgraph/microsoft-graph-docs-contrib concepts/throttling-limits.md).
 */
import { GraphEmulator } from '../../sandbox/graph/emulator';
import { BUDGETS, resourceUnits } from '../../sandbox/graph/budgets';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { serveEmulator } from '../helpers/emulator-server';

const L = 'https://learn.microsoft.com/graph/throttling-limits';

/** An emulator whose budget clock only moves when the test says so. */
function tenant() {
  let t = 1_700_000_000_000;
  const em = new GraphEmulator({ budgetClock: () => t });
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await em.handle(
      method,
      path,
      { 'content-type': 'application/json' },
      body === undefined ? '' : JSON.stringify(body),
      'http://sandbox/graph',
    );
    return {
      status: r.status,
      headers: r.headers,
      body: r.body as {
        error?: { code: string; message: string };
        responses?: { id: string; status: number; headers: Record<string, string>; body?: { error?: { code: string; message: string } } }[];
      },
    };
  };
  const statuses = async (n: number, method: string, path: string | ((i: number) => string), body?: unknown) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call(method, typeof path === 'string' ? path : path(i), body)).status);
    return out;
  };
  return { em, call, statuses, advance: (ms: number) => (t += ms) };
}
const budget = (id: string) => BUDGETS.find((b) => b.id === id)!;
const count = (xs: number[], s: number) => xs.filter((x) => x === s).length;

describe(`the published figures (${L})`, () => {
  test('every budget cites its documentation and carries the documented figure', () => {
    const em = new GraphEmulator();
    const shown = Object.fromEntries(em.budgets.describe().budgets.map((b) => [b.id, b]));
    const expected: Record<string, [number, number, string]> = {
      global: [130_000, 10, L], // "Any: 130,000 requests per 10 seconds" per app across all tenants
      'identity-resource-units': [3_500, 10, `${L}#identity-and-access-service-limits`], // S (under 50 users): 3,500 ResourceUnits per 10 s
      'identity-writes': [3_000, 150, `${L}#identity-and-access-service-limits`], // 3,000 requests per 2 minutes and 30 seconds
      'identity-writes-tenant': [18_000, 300, `${L}#identity-and-access-service-limits`], // tenant: 18,000 requests per 5 minutes
      'device-writes': [25, 10, `${L}#identity-and-access-device-operation-service-limits`], // POST, PATCH, DELETE: 25 requests per 10 seconds
      'device-writes-quota': [3_000, 150, `${L}#identity-and-access-device-operation-service-limits`],
      reports: [5, 10, `${L}#identity-and-access-reports-service-limits`], // "Five requests per 10 seconds" per app per tenant
      'sign-in-activity': [10, 60, `${L}#identity-and-access-reports-service-limits`], // GET signInActivity: 10 requests per minute
      'identity-protection-ca': [1, 1, `${L}#identity-protection-and-conditional-access-service-limits`], // one request per second per tenant
      'outlook-concurrency': [4, 0, `${L}#outlook-service-limits`], // four concurrent requests per app and mailbox
      'outlook-requests': [10_000, 600, `${L}#outlook-service-limits`], // 10,000 API requests in a 10-minute period
      'security-detections': [150, 60, `${L}#security-detections-and-incidents-service-limits`], // "Any operation on alert ...: 150 requests per minute"
      'message-trace': [100, 300, `${L}#exchange-message-trace-service-limits`], // per tenant: 100 requests per 5 minutes
      'advanced-hunting': [45, 60, 'https://learn.microsoft.com/defender-xdr/api-advanced-hunting'], // "at least 45 calls per minute per tenant"
      'advanced-hunting-hourly': [1_500, 3_600, 'https://learn.microsoft.com/defender-endpoint/api/run-advanced-query-api'], // "up to 1,500 calls per hour"
      'audit-log-queries': [200, 86_400, `${L}#security-audit-log-query-service-limits`], // at least 200 submissions per day
    };
    expect(Object.keys(shown).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, [limit, window, doc]] of Object.entries(expected))
      expect([id, shown[id].limit, shown[id].windowSeconds, shown[id].doc]).toEqual([id, limit, window, doc]);
    expect(shown['identity-protection-ca'].retryAfter).toBe(false); // "don't return a Retry-After header on 429"
    expect(BUDGETS.filter((b) => b.id !== 'identity-protection-ca').every((b) => b.retryAfter)).toBe(true);
    expect(budget('identity-resource-units').algorithm).toBe('token-bucket'); // "Throttling is based on a token bucket algorithm"
  });
});

describe(`identity and access reports: 5 requests per 10 s per app per tenant (${L}#identity-and-access-reports-service-limits)`, () => {
  test('six sign-in reads within 10 s over HTTP: the sixth gets 429 with Retry-After', async () => {
    const server = await serveEmulator();
    try {
      const got: { status: number; retryAfter: string | null; code?: string }[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${server.baseUrl}/v1.0/auditLogs/signIns?$top=1`);
        got.push({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          code: ((await r.json()) as { error?: { code: string } }).error?.code,
        });
      }
      expect(got.slice(0, 5).map((g) => g.status)).toEqual([200, 200, 200, 200, 200]);
      expect(got[5]).toMatchObject({ status: 429, code: 'TooManyRequests' });
      expect(Number(got[5].retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(got[5].retryAfter)).toBeLessThanOrEqual(10);
    } finally {
      await server.close();
    }
  });

  test('sign-ins (v1.0 and beta), directory audits and authentication-method reports share the budget; it is a sliding 10 s window', async () => {
    const t = tenant();
    expect(await t.statuses(1, 'GET', '/v1.0/auditLogs/signIns')).toEqual([200]);
    t.advance(4_000);
    expect(await t.statuses(1, 'GET', '/beta/auditLogs/signIns')).toEqual([200]);
    expect(await t.statuses(2, 'GET', '/v1.0/auditLogs/directoryAudits')).toEqual([200, 200]);
    // The authentication-method reports are on the same list; the sandbox has no data there (404), but the call counts.
    expect((await t.call('GET', '/v1.0/reports/authenticationMethods/userRegistrationDetails')).status).toBe(400);
    const refused = await t.call('GET', '/v1.0/auditLogs/signIns');
    expect(refused.status).toBe(429);
    expect(refused.headers['Retry-After']).toBe('6'); // the first read leaves the window 10 s after it was made
    t.advance(6_000);
    expect(await t.statuses(2, 'GET', '/v1.0/auditLogs/signIns')).toEqual([200, 429]);
    // Other services are unaffected.
    expect((await t.call('GET', `/v1.0/users/${SEED_IDS.alice}`)).status).toBe(200);
  });

  test('the sub-requests of a $batch count one by one, each with its own 429 and Retry-After', async () => {
    const t = tenant();
    const r = await t.call('POST', '/v1.0/$batch', {
      requests: Array.from({ length: 6 }, (_, i) => ({
        id: `s${i}`,
        method: 'GET',
        url: `/auditLogs/signIns?$filter=userId eq '${SEED_IDS.alice}'`,
      })),
    });
    expect(r.status).toBe(200);
    const subs = r.body.responses!;
    expect(
      count(
        subs.map((s) => s.status),
        200,
      ),
    ).toBe(5);
    const throttled = subs.find((s) => s.status === 429)!;
    expect(throttled.headers['Retry-After']).toBe('10');
    expect(throttled.body?.error?.code).toBe('TooManyRequests');
  });

  test('List users with $select=signInActivity: 10 requests per minute', async () => {
    const t = tenant();
    const s = await t.statuses(11, 'GET', '/v1.0/users?$select=id,signInActivity');
    expect(s.slice(0, 10).every((x) => x !== 429)).toBe(true);
    expect(s[10]).toBe(429);
  });
});

describe(`identity and access: resource units and writes as token buckets (${L}#identity-and-access-service-limits)`, () => {
  test('request costs follow the documented table: GET users 2, $select -1, $top under 20 -1, $expand +1, never below 1', () => {
    const q = (s = '') => new URLSearchParams(s);
    expect(resourceUnits({ method: 'GET', path: '/users', query: q() })).toBe(2);
    expect(resourceUnits({ method: 'GET', path: '/users', query: q('$select=id') })).toBe(1);
    expect(resourceUnits({ method: 'GET', path: '/users', query: q('$select=id&$top=5') })).toBe(1);
    expect(resourceUnits({ method: 'GET', path: `/users/${SEED_IDS.alice}`, query: q('$expand=manager') })).toBe(2);
    expect(resourceUnits({ method: 'GET', path: '/groups/g1/transitiveMembers/microsoft.graph.user', query: q() })).toBe(5);
    expect(resourceUnits({ method: 'POST', path: `/users/${SEED_IDS.alice}/checkMemberObjects`, query: q() })).toBe(4); // me/ costs apply to users/{id}/
    expect(resourceUnits({ method: 'GET', path: '/oauth2PermissionGrants/x', query: q() })).toBe(2);
    expect(resourceUnits({ method: 'GET', path: `/users/${SEED_IDS.alice}/oauth2PermissionGrants`, query: q() })).toBe(1); // not in the table
    expect(resourceUnits({ method: 'PATCH', path: `/users/${SEED_IDS.alice}`, query: q() })).toBe(1);
    // Alternate keys address the same resources: they count against the directory's budget too.
    expect(
      BUDGETS.find((b) => b.id === 'identity-resource-units')!.cost({ method: 'GET', path: "/servicePrincipals(appId='x')", query: q() }),
    ).toBe(1);
  });

  test('a small tenant (under 50 users) has 3,500 units per 10 s: the 1,751st list of users (2 units) is refused with the x-ms-throttle headers', async () => {
    const t = tenant();
    const s = await t.statuses(1751, 'GET', '/v1.0/users');
    expect(count(s, 200)).toBe(1750);
    const r = await t.call('GET', '/v1.0/users');
    expect(r.status).toBe(429);
    expect(r.headers['x-ms-throttle-information']).toBe('ResourceUnitLimitExceeded');
    expect(r.headers['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/Read\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    expect(Number(r.headers['Retry-After'])).toBe(1); // 350 units a second come back
    t.advance(10);
    expect((await t.call('GET', '/v1.0/users')).status).toBe(200);
  });

  test('tenant size follows the users: 50 to 500 users is M (5,000), above 500 is L (8,000)', async () => {
    const t = tenant();
    const limit = () => t.em.budgets.describe().budgets.find((b) => b.id === 'identity-resource-units')!.limit;
    expect(limit()).toBe(3_500);
    t.em.addScenario({ phishRecipients: 100 });
    expect(limit()).toBe(5_000);
    t.em.addScenario({ phishRecipients: 400 });
    expect(limit()).toBe(8_000);
  });

  test('writes: 3,000 per 150 s per app and tenant, refilled at 20 a second', async () => {
    const t = tenant();
    const s = await t.statuses(3001, 'POST', `/v1.0/users/${SEED_IDS.bob}/revokeSignInSessions`);
    expect(count(s, 200)).toBe(3000);
    const r = await t.call('POST', `/v1.0/users/${SEED_IDS.bob}/revokeSignInSessions`);
    expect([r.status, r.headers['x-ms-throttle-information']]).toEqual([429, 'WriteLimitExceeded']);
    expect(r.headers['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/Write\//);
    // Reads are not writes: checkMemberObjects is a POST that writes nothing.
    expect((await t.call('POST', `/v1.0/users/${SEED_IDS.bob}/checkMemberObjects`, { ids: [] })).status).toBe(200);
    t.advance(50);
    expect((await t.call('POST', `/v1.0/users/${SEED_IDS.bob}/revokeSignInSessions`)).status).toBe(200);
  });

  test('writes: 18,000 per 5 minutes per tenant for all apps (scaled down here: 20 with the app budget off)', async () => {
    const t = tenant();
    t.em.budgets.update({
      budgets: [
        { id: 'identity-writes', enabled: false },
        { id: 'identity-writes-tenant', limit: 20 },
      ],
    });
    const s = await t.statuses(21, 'POST', `/v1.0/users/${SEED_IDS.bob}/revokeSignInSessions`);
    expect(s.slice(0, 20).every((x) => x === 200)).toBe(true);
    expect(s[20]).toBe(429);
    expect((await t.call('POST', `/v1.0/users/${SEED_IDS.bob}/revokeSignInSessions`)).headers['x-ms-throttle-scope']).toMatch(
      /^Tenant\/Write\//,
    );
  });
});

describe(`device writes: 25 per 10 s (${L}#identity-and-access-device-operation-service-limits)`, () => {
  test('the 26th PATCH of a device within 10 s is refused; reads of devices do not count', async () => {
    // The table's second column is "per user per tenant"; an app-only caller has no user, so the app is counted.
    const t = tenant();
    expect(await t.statuses(30, 'GET', `/v1.0/devices/${A.legitLaptop}`)).toEqual(Array(30).fill(200));
    const s = await t.statuses(26, 'PATCH', `/v1.0/devices/${A.legitLaptop}`, { accountEnabled: true });
    expect(count(s, 204)).toBe(25);
    expect(s[25]).toBe(429);
    t.advance(10_000);
    expect((await t.call('PATCH', `/v1.0/devices/${A.legitLaptop}`, { accountEnabled: true })).status).toBe(204);
  });
});

describe(`Identity Protection and Conditional Access: 1 request per second per tenant, no Retry-After (${L}#identity-protection-and-conditional-access-service-limits)`, () => {
  test('a second Conditional Access read within the second is refused without Retry-After', async () => {
    const t = tenant();
    expect((await t.call('GET', '/v1.0/identity/conditionalAccess/policies')).status).toBe(200);
    const r = await t.call('GET', '/v1.0/identity/conditionalAccess/policies');
    expect(r.status).toBe(429);
    expect(r.headers['Retry-After']).toBeUndefined();
    t.advance(1_000);
    expect((await t.call('GET', '/v1.0/identity/conditionalAccess/policies')).status).toBe(200);
  });
});

describe(`Outlook: 4 concurrent requests and 10,000 per 10 minutes per app and mailbox (${L}#outlook-service-limits)`, () => {
  const alice = (i: number) => ({
    id: `o${i}`,
    method: 'GET',
    url: `/users/${SEED_IDS.alice}/mailFolders/${['inbox', 'deleteditems', 'junkemail', 'archive', 'rssfeeds', 'drafts'][i % 6]}`,
  });

  test('five or more requests for one mailbox in one parallel $batch: the ones past the fourth get 429 ApplicationThrottled', async () => {
    // The docs (L#outlook-service-limits-for-json-batching) say Graph sends Outlook at most four requests of a batch at
    // a time; the most-cited behaviour (microsoftgraph/microsoft-graph-docs#2886, gsexdev.blogspot.com 2020/09 "The
    // MailboxConcurrency limit and using Batching", Microsoft Q&A answers) is that the fifth and later requests for
    // one mailbox answer 429 "Application is over its MailboxConcurrency limit.". The sandbox follows the stricter one.
    const t = tenant();
    const r = await t.call('POST', '/v1.0/$batch', { requests: Array.from({ length: 6 }, (_, i) => alice(i)) });
    const subs = r.body.responses!;
    expect(
      count(
        subs.map((s) => s.status),
        200,
      ),
    ).toBe(4);
    const refused = subs.filter((s) => s.status === 429);
    expect(refused).toHaveLength(2);
    for (const s of refused) {
      expect(s.body?.error).toMatchObject({ code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' });
      expect(s.headers['Retry-After']).toBe('1');
    }
  });

  test('four per mailbox is fine, whatever the other mailboxes, and a sequential batch (dependsOn) runs one at a time', async () => {
    const t = tenant();
    const bob = (i: number) => ({ ...alice(i), id: `b${i}`, url: alice(i).url.replace(SEED_IDS.alice, 'bob.brown@contoso.example') });
    const mixed = await t.call('POST', '/v1.0/$batch', { requests: [0, 1, 2, 3].flatMap((i) => [alice(i), bob(i)]) });
    expect(mixed.body.responses!.every((s) => s.status === 200)).toBe(true);
    const serial = await t.call('POST', '/v1.0/$batch', {
      requests: Array.from({ length: 6 }, (_, i) => ({ ...alice(i), ...(i ? { dependsOn: [`o${i - 1}`] } : {}) })),
    });
    expect(serial.body.responses!.map((s) => s.status)).toEqual(Array(6).fill(200));
  });

  test('concurrent HTTP requests count too: the fifth at once for a mailbox is refused', async () => {
    const t = tenant();
    t.em.faults.add({ route: 'mailFolders', latencyMs: 150 });
    const all = await Promise.all(Array.from({ length: 5 }, (_, i) => t.call('GET', `/v1.0${alice(i).url}`)));
    expect(
      count(
        all.map((r) => r.status),
        200,
      ),
    ).toBe(4);
    expect(all.find((r) => r.status === 429)!.body.error!.code).toBe('ApplicationThrottled');
    // Once they are done, the mailbox is free again.
    expect((await t.call('GET', `/v1.0${alice(0).url}`)).status).toBe(200);
  });

  test('requests per mailbox in 10 minutes (scaled down here: 3), other mailboxes unaffected', async () => {
    const t = tenant();
    t.em.budgets.update({ budgets: [{ id: 'outlook-requests', limit: 3 }] });
    expect(await t.statuses(4, 'GET', `/v1.0/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`)).toEqual([200, 200, 200, 429]);
    expect((await t.call('GET', `/v1.0/users/alice.aoki@contoso.example/mailFolders`)).status).toBe(429); // by UPN: the same mailbox
    expect((await t.call('GET', `/v1.0/users/${SEED_IDS.bob}/mailFolders/inbox/messageRules`)).status).toBe(200);
    t.advance(600_000);
    expect((await t.call('GET', `/v1.0/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`)).status).toBe(200);
  });
});

describe('message trace, advanced hunting, audit log queries', () => {
  test(`message trace: 100 requests per 5 minutes per tenant (${L}#exchange-message-trace-service-limits)`, async () => {
    // Also https://learn.microsoft.com/graph/api/messagetracingroot-list-messagetraces: "a throttling limit of 100 requests per 5 minutes".
    const t = tenant();
    const now = new Date();
    const f = `receivedDateTime ge ${new Date(now.getTime() - 86_400_000).toISOString()} and receivedDateTime le ${now.toISOString()}`;
    const s = await t.statuses(101, 'GET', `/v1.0/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(f)}`);
    expect(count(s, 200)).toBe(100);
    expect(s[100]).toBe(429);
  });

  test('advanced hunting: 45 calls per minute per tenant (https://learn.microsoft.com/defender-xdr/api-advanced-hunting)', async () => {
    // The Graph runHuntingQuery page gives no figure; the Defender XDR page says "at least 45 calls per minute per
    // tenant" and the Defender for Endpoint page "up to 45 calls per minute, and up to 1,500 calls per hour".
    const t = tenant();
    const s = await t.statuses(46, 'POST', '/v1.0/security/runHuntingQuery', { Query: 'EmailEvents | where Subject == "x"' });
    expect(count(s, 200)).toBe(45);
    expect(s[45]).toBe(429);
    t.advance(60_000);
    expect((await t.call('POST', '/v1.0/security/runHuntingQuery', { Query: 'EmailEvents | where Subject == "x"' })).status).toBe(200);
  });

  test(`audit log queries: at least 200 submissions per day (${L}#security-audit-log-query-service-limits), polls do not count`, async () => {
    const t = tenant();
    const body = { displayName: 'q', filterStartDateTime: '2024-01-01T00:00:00Z', filterEndDateTime: '2024-01-02T00:00:00Z' };
    const s = await t.statuses(201, 'POST', '/v1.0/security/auditLog/queries', body);
    expect(count(s, 201)).toBe(200);
    expect(s[200]).toBe(429);
  });

  test(`global: 130,000 requests per 10 s per app (${L}), scaled down here to 10`, async () => {
    const t = tenant();
    t.em.budgets.update({ budgets: [{ id: 'global', limit: 10 }] });
    const s = await t.statuses(11, 'GET', (i) => `/v1.0/users/${i % 2 ? SEED_IDS.alice : SEED_IDS.bob}`);
    expect(s.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(s[10]).toBe(429);
  });
});

describe('adjusting the budgets', () => {
  test('off for a chaos test, back on by reset; unknown budgets and bad bodies are refused; faults still apply on top', async () => {
    const t = tenant();
    expect(() => t.em.budgets.update({ budgets: [{ id: 'nope', limit: 1 }] })).toThrow(/No budget 'nope'/);
    expect(() => t.em.budgets.update({ enabled: 'yes' })).toThrow();
    t.em.budgets.update({ enabled: false });
    expect(await t.statuses(8, 'GET', '/v1.0/auditLogs/signIns')).toEqual(Array(8).fill(200));
    t.em.reset();
    expect(t.em.budgets.describe().enabled).toBe(true);
    expect(await t.statuses(6, 'GET', '/v1.0/auditLogs/signIns')).toEqual([200, 200, 200, 200, 200, 429]);
    t.em.faults.add({ route: 'users', status: 503, times: 1 });
    expect(await t.statuses(2, 'GET', `/v1.0/users/${SEED_IDS.alice}`)).toEqual([503, 200]);
  });
});
