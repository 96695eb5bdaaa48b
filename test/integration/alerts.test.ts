/**
 * The alert poll against the sandbox tenant through the real Graph client (paced within the published budgets) and
 * real storage: one request per user across sources and polls, none for benign alerts, no 429.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { getContext } from '../../src/runtime';
import { runAlertPoll } from '../../src/alerts/run';
import { alertIncidentClosed, pollAlerts, REDELIVER_AFTER_MS, type AlertIncidentRequest } from '../../src/alerts/poll';
import { startTestStack } from '../helpers/stack';

const admin = async (stack: LocalStack, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/** Run polls, collecting what each hands to the incident opener. */
async function polls(n: number): Promise<AlertIncidentRequest[][]> {
  const ctx = await getContext();
  const out: AlertIncidentRequest[][] = [];
  for (let i = 0; i < n; i++) {
    const got: AlertIncidentRequest[] = [];
    await runAlertPoll(ctx, async (_c, r) => void got.push(r));
    out.push(got);
  }
  return out;
}

describe('alerts open incidents: the poll', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  test('Alice reported by Identity Protection and by Defender XDR, over three polls: exactly one request, with both reports; no 429', async () => {
    expect(
      (
        await admin(stack, 'POST', '/sandbox/alerts', {
          userId: 'alice.aoki@contoso.example',
          source: 'identityProtection',
          severity: 'high',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin(stack, 'POST', '/sandbox/alerts', {
          userId: SEED_IDS.alice,
          source: 'defender',
          severity: 'high',
          title: 'Possible AiTM phishing attempt',
        })
      ).status,
    ).toBe(201);
    const mark = stack.emulator.requests().length;
    const [first, second, third] = await polls(3);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      key: `alert:${SEED_IDS.alice}#0`,
      userId: SEED_IDS.alice,
      userPrincipalName: 'alice.aoki@contoso.example',
      requester: 'alert',
      generation: 0,
    });
    // The alert is read alone and inside its incident: it counts once.
    expect(first[0].signals.map((s) => [s.source === 'identityProtection' ? 'identityProtection' : 'defender', s.title]).sort()).toEqual([
      ['defender', 'Possible AiTM phishing attempt'],
      ['identityProtection', 'Entra ID Protection: user risk high'],
    ]);
    expect([second, third]).toEqual([[], []]);
    const log = stack.emulator.requests().slice(mark);
    expect(log.filter((r) => r.path === '/v1.0/identityProtection/riskyUsers')).toHaveLength(3);
    expect(log.filter((r) => r.path === '/v1.0/security/alerts_v2' || r.path === '/v1.0/security/incidents')).toHaveLength(6);
    expect(log.filter((r) => r.status >= 400)).toEqual([]);
  });

  test('benign alerts and a medium user risk open nothing; a suspicious inbox rule does', async () => {
    await admin(stack, 'POST', '/sandbox/alerts', {
      userId: SEED_IDS.bob,
      source: 'defender',
      severity: 'medium',
      title: 'Activity from infrequent country',
    });
    await admin(stack, 'POST', '/sandbox/alerts', {
      userId: SEED_IDS.bob,
      source: 'defender',
      severity: 'high',
      title: 'Suspicious inbox manipulation rule',
      classification: 'falsePositive',
    });
    await admin(stack, 'POST', '/sandbox/alerts', { userId: SEED_IDS.bob, source: 'identityProtection', severity: 'medium' });
    await admin(stack, 'POST', '/sandbox/alerts', {
      userId: SEED_IDS.carol,
      source: 'defender',
      severity: 'medium',
      title: 'Suspicious inbox manipulation rule',
    });
    const [got] = await polls(1);
    expect(got.map((r) => r.userId)).toEqual([SEED_IDS.carol]);
    expect(got[0].signals[0]).toMatchObject({ rule: 'inbox-rule', source: expect.stringMatching(/^defender/) });
  });

  test('after the alert-opened incident is closed, only a report newer than the closing opens the next one (generation 1)', async () => {
    await admin(stack, 'POST', '/sandbox/alerts', { userId: SEED_IDS.danObrien, source: 'defender', title: 'BEC financial fraud' });
    expect((await polls(1))[0].map((r) => r.key)).toEqual([`alert:${SEED_IDS.danObrien}#0`]);
    const ctx = await getContext();
    await alertIncidentClosed(ctx, SEED_IDS.danObrien, {});
    expect(await polls(1)).toEqual([[]]); // the same old alert is read again (overlap) but predates the closing
    await new Promise((r) => setTimeout(r, 5));
    await admin(stack, 'POST', '/sandbox/alerts', {
      userId: SEED_IDS.danObrien,
      source: 'defender',
      title: 'Anomalous Token',
      serviceSource: 'azureAdIdentityProtection',
    });
    const [again] = await polls(1);
    expect(again.map((r) => [r.key, r.signals.map((s) => s.title)])).toEqual([[`alert:${SEED_IDS.danObrien}#1`, ['Anomalous Token']]]);
  });

  test('a request whose hand-off failed is handed out again after the redelivery delay, under the same key', async () => {
    await admin(stack, 'POST', '/sandbox/alerts', { userId: SEED_IDS.frank, source: 'defender', title: 'Stolen session cookie was used' });
    const ctx = await getContext();
    const seen: string[] = [];
    await runAlertPoll(ctx, async (_c, r) => {
      seen.push(r.key);
      throw new Error('queue unavailable');
    });
    expect(seen).toEqual([`alert:${SEED_IDS.frank}#0`]);
    expect((await pollAlerts(ctx)).requests).toEqual([]); // not yet: it may still be on its way
    const later = { ...ctx, now: () => new Date(Date.now() + REDELIVER_AFTER_MS + 1_000) };
    expect((await pollAlerts(later)).requests.map((r) => r.key)).toEqual([`alert:${SEED_IDS.frank}#0`]);
  });

  test('without an optional permission that source is skipped and said so; the others still open incidents', async () => {
    await admin(stack, 'PUT', '/sandbox/app', {
      permissions: DEFAULT_APP.permissions.filter((p) => p !== 'SecurityAlert.Read.All' && p !== 'SecurityIncident.Read.All'),
      directoryRoles: DEFAULT_APP.directoryRoles,
    });
    try {
      await admin(stack, 'POST', '/sandbox/alerts', { userId: SEED_IDS.grace, source: 'identityProtection' });
      const ctx = await getContext();
      const r = await pollAlerts(ctx);
      expect(r.sources).toEqual([
        { source: 'identityProtection', ok: true, read: expect.any(Number) },
        { source: 'defenderAlerts', ok: false, read: 0, error: expect.stringMatching(/refused|permission/i) },
        { source: 'defenderIncidents', ok: false, read: 0, error: expect.stringMatching(/refused|permission/i) },
      ]);
      expect(r.requests.map((x) => x.userId)).toEqual([SEED_IDS.grace]);
    } finally {
      await admin(stack, 'PUT', '/sandbox/app', DEFAULT_APP);
    }
  });

  test('the timer function (local mode: every few seconds) polls and hands each request on: it is not handed out twice', async () => {
    await admin(stack, 'POST', '/sandbox/alerts', { userId: SEED_IDS.heidi, source: 'identityProtection' });
    await stack.pollAlerts();
    expect((await polls(1))[0].map((r) => r.userId)).not.toContain(SEED_IDS.heidi);
    expect(stack.emulator.requests().filter((r) => r.status === 429)).toEqual([]);
  });
});
