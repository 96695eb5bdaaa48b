import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, channelMention, post, cardsOf, json as text } from '../helpers/teams';

async function say(stack: LocalStack, words: string, needle: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, PEOPLE.riley, words));
  const r = await waitFor(
    () => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && text(cardsOf(x)).includes(needle)),
    { what: `"${needle}" after "${words}"`, timeoutMs },
  );
  return cardsOf(r)[0];
}

const admin = async (stack: LocalStack, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
type Shown = { enabled: boolean; budgets: { id: string; limit: number; windowSeconds: number; enabled: boolean }[] };
const reportsBudget = (b: Record<string, unknown>) => (b as unknown as Shown).budgets.find((x) => x.id === 'reports')!;

describe('Contain within the published Graph budgets (on by default in the local stack)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  test('GET and PUT /sandbox/budgets show and adjust them; POST /sandbox/reset restores the defaults', async () => {
    const shown = await admin(stack, 'GET', '/sandbox/budgets');
    expect(shown.body.enabled).toBe(true);
    expect(reportsBudget(shown.body)).toMatchObject({ limit: 5, windowSeconds: 10, enabled: true });
    const changed = await admin(stack, 'PUT', '/sandbox/budgets', { budgets: [{ id: 'reports', limit: 2 }] });
    expect([changed.status, reportsBudget(changed.body).limit]).toEqual([200, 2]);
    expect((await admin(stack, 'PUT', '/sandbox/budgets', { budgets: [{ id: 'nope', limit: 2 }] })).body.error).toMatch(/No budget 'nope'/);
    expect((await admin(stack, 'PUT', '/sandbox/budgets', { enabled: 'off' })).status).toBe(400);
    expect((await admin(stack, 'PUT', '/sandbox/budgets', { enabled: false })).body.enabled).toBe(false);
    await admin(stack, 'POST', '/sandbox/reset');
    const back = await admin(stack, 'GET', '/sandbox/budgets');
    expect([back.body.enabled, reportsBudget(back.body).limit]).toEqual([true, 5]);
    expect((await admin(stack, 'POST', '/sandbox/scenario', { phishRecipients: 2, compromised: 3 })).status).toBe(400);
  });

  test("discovery keeps to Outlook's four requests per mailbox in each batch, in two round trips, with no 429", async () => {
    await admin(stack, 'POST', '/sandbox/reset');
    const mark = stack.emulator.requests().length;
    await say(stack, 'contain alice', '"verb":"approve-all"');
    const log = stack.emulator.requests().slice(mark);
    // Discovery's batches are the ones reading Alice's account (the others check Contain's own app: doctor).
    const discovery = new Set(log.filter((r) => r.batchId && r.path.includes(SEED_IDS.alice)).map((r) => r.batchId));
    expect(discovery.size).toBe(2);
    const mailbox = log.filter((r) => r.batchId && r.path.startsWith(`/v1.0/users/${SEED_IDS.alice}/mailFolders`));
    const perBatch = [...discovery].map((id) => mailbox.filter((r) => r.batchId === id).length);
    expect(Math.max(...perBatch)).toBeLessThanOrEqual(4);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    // The rule moving mail to RSS Feeds is still recognised: the later well-known folders came in the second batch.
    expect(log.some((r) => r.path.endsWith('/mailFolders/rssfeeds'))).toBe(true);
  });

  test('scope of a phishing mail sent to 100 more recipients: every recipient checked, the compromised flagged, nothing abandoned, no 429', async () => {
    await admin(stack, 'POST', '/sandbox/reset');
    const scenario = await admin(stack, 'POST', '/sandbox/scenario', { phishRecipients: 100, compromised: 10 });
    expect(scenario.status).toBe(201);
    expect(scenario.body.recipients).toBe(104); // Alice, Bob, Carol, Erin and the 100
    const compromised = (scenario.body.added as { upn: string; compromised: boolean }[]).filter((a) => a.compromised).map((a) => a.upn);
    expect(compromised).toHaveLength(10);

    const mark = stack.emulator.requests().length;
    const card = await say(stack, 'scope alice', 'Scope: Alice Aoki', 60_000);
    const url = (/"url":"([^"]+format=md[^"]+)"/.exec(text(card)) ?? [])[1];
    const full = (await (await fetch(url.replace('format=md', 'format=json'))).json()) as {
      recipients: { upn: string; flagged: boolean; reasons: string[] }[];
    };
    // Bob, Carol and Erin, Frank (same link, another sender) and the 100: each checked, none left unread.
    expect(full.recipients).toHaveLength(104);
    expect(full.recipients.filter((r) => r.reasons.some((x) => /could not be read/.test(x)))).toEqual([]);
    const flagged = full.recipients
      .filter((r) => r.flagged)
      .map((r) => r.upn)
      .sort();
    expect(flagged).toEqual([...compromised, 'carol.chen@contoso.example', 'erin.evans@contoso.example'].sort());

    const log = stack.emulator.requests().slice(mark);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(log.filter((r) => r.status >= 400)).toEqual([]);
    // The user's own sign-ins, then the 104 recipients fifteen to a query: 1 + 7 sign-in reads, not 105.
    expect(log.filter((r) => r.path === '/beta/auditLogs/signIns')).toHaveLength(8);
  }, 90_000);
});
