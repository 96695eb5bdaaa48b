import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { getContext } from '../../src/runtime';
import type { Action } from '../../src/incidents/model';
import { mutatingCalls, startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text } from '../helpers/teams';

async function open(stack: LocalStack, who = 'alice'): Promise<{ ref: string; conversationId: string; activityId: string }> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  const res = await post(stack, channelMention(stack, PEOPLE.riley, `contain ${who}`));
  expect(res.status).toBe(200);
  const sent = await waitFor(
    () =>
      stack.connector.all().find((r) => r.op !== 'update' && !before.has(r.activityId) && text(cardsOf(r)).includes('"verb":"approve"')),
    { what: `card for ${who}` },
  );
  return {
    ref: /"ref":"(INC-\d{8}-\d{4}\/a\d+)"/.exec(text(cardsOf(sent)))![1],
    conversationId: sent.conversationId,
    activityId: sent.activityId,
  };
}

async function action(ref: string): Promise<Action> {
  const [incidentId, actionId] = ref.split('/');
  return (await (await getContext()).store.getAction(incidentId, actionId))!;
}

const successfulRevokes = (stack: LocalStack, userId: string = SEED_IDS.alice) =>
  stack.emulator
    .requests()
    .filter((r) => r.method === 'POST' && r.path === `/v1.0/users/${userId}/revokeSignInSessions` && r.status === 200).length;

describe('incident engine, worker in process', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle();
    stack.emulator.reset();
    stack.connector.clear();
  });

  test('50 concurrent approvals from three approvers plus duplicate invoke deliveries: one revocation', async () => {
    const { ref, conversationId } = await open(stack);
    const people = [PEOPLE.avery, PEOPLE.parker, PEOPLE.quinn];
    const duplicate = executeInvoke(stack, PEOPLE.avery, 'approve', { ref }, conversationId);
    const clicks = Array.from({ length: 50 }, (_, i) => executeInvoke(stack, people[i % 3], 'approve', { ref }, conversationId));
    const results = await Promise.all([...clicks, duplicate, duplicate, duplicate].map((a) => post(stack, a)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const winners = results.filter((r) => text(r.body).includes('Running'));
    expect(winners).toHaveLength(1);
    await waitFor(async () => (await action(ref)).state === 'succeeded', { what: 'success' });
    await stack.idle();
    expect(successfulRevokes(stack)).toBe(1);
    expect(mutatingCalls(stack)).toHaveLength(1);
  });

  test('evidence: the snapshot is the object as it was before the change, and the audit trail names who did what', async () => {
    const before = stack.emulator.state.users.find((u) => u.id === SEED_IDS.alice)!.signInSessionsValidFromDateTime;
    const { ref, conversationId } = await open(stack);
    await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve', { ref }, conversationId));
    // Recorded done as soon as Graph answered; verified by the read-back in the next round.
    const done = await waitFor(async () => ((await action(ref)).result?.verified !== undefined ? action(ref) : undefined), {
      what: 'success',
    });
    expect(done.evidence).toEqual({ id: SEED_IDS.alice, signInSessionsValidFromDateTime: before });
    expect(done.result).toMatchObject({ outcome: 'succeeded', verified: true });
    expect(done.decision).toMatchObject({ verb: 'approve', by: { platform: 'teams', aadObjectId: SEED_IDS.parker, name: 'Parker Patel' } });
    const audit = await (await getContext()).store.listAudit(ref.split('/')[0]);
    expect(audit.map((e) => e.event)).toEqual(['incident.opened', 'action.approved', 'action.snapshot', 'action.succeeded']);
    expect(audit[0].actor?.aadObjectId).toBe(SEED_IDS.riley);
    expect(audit[1].actor?.aadObjectId).toBe(SEED_IDS.parker);
  });

  test('an expired approval is refused, the sweeper marks the card expired, and "Propose again" starts over', async () => {
    const { ref, conversationId, activityId } = await open(stack);
    const ctx = await getContext();
    const a = await action(ref);
    await ctx.store.updateAction({ ...a, expiresAt: new Date(Date.now() - 1000).toISOString() });
    await stack.sweep();
    const expiredCard = await waitFor(
      () => stack.connector.all().find((r) => r.op === 'update' && r.activityId === activityId && text(cardsOf(r)).includes('Expired at')),
      { what: 'expired card' },
    );
    expect(text(cardsOf(expiredCard))).toContain('"verb":"repropose"');
    expect(text(cardsOf(expiredCard))).not.toContain(`"verb":"approve","ref":"${ref}"`);
    const late = await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref }, conversationId));
    expect(text(late.body)).toContain('Already');
    const again = await post(stack, executeInvoke(stack, PEOPLE.riley, 'repropose', { ref }, conversationId));
    expect(text(again.body)).toContain('"verb":"approve"');
    const fresh = (await ctx.store.listActions(ref.split('/')[0])).find((a) => a.kind === 'revokeSessions' && a.state === 'proposed');
    expect(fresh).toBeDefined();
    const newRef = `${fresh!.incidentId}/${fresh!.id}`;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: newRef! }, conversationId));
    await waitFor(async () => (await action(newRef!)).state === 'succeeded', { what: 'success after re-proposal' });
    expect(successfulRevokes(stack)).toBe(1);
    expect((await action(ref)).state).toBe('expired');
  });

  test('an approval arriving after expiry (before the sweeper ran) is refused and changes nothing', async () => {
    const { ref, conversationId } = await open(stack);
    const ctx = await getContext();
    await ctx.store.updateAction({ ...(await action(ref)), expiresAt: new Date(Date.now() - 1000).toISOString() });
    const res = await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref }, conversationId));
    expect(text(res.body)).toContain('This approval expired');
    await stack.idle();
    expect((await action(ref)).state).toBe('expired');
    expect(successfulRevokes(stack)).toBe(0);
  });

  test('with 20% injected 429/5xx on every Graph route, every approved action still succeeds', async () => {
    const users = ['alice.aoki', 'bob.brown', 'carol.chen', 'erin.evans', 'ivan.ivanov'];
    const refs: string[] = [];
    for (const u of users) refs.push((await open(stack, u)).ref);
    stack.emulator.faults.add({ route: '.*', status: 429, rate: 0.1, retryAfter: 0.02 });
    stack.emulator.faults.add({ route: '.*', status: 503, rate: 0.06, retryAfter: 0.02 });
    stack.emulator.faults.add({ route: '.*', status: 500, rate: 0.05 });
    const conversationId = '19:soc-incidents@thread.tacv2;messageid=x';
    await Promise.all(refs.map((ref) => post(stack, executeInvoke(stack, PEOPLE.quinn, 'approve', { ref }, conversationId))));
    for (const ref of refs)
      await waitFor(async () => (await action(ref)).state === 'succeeded', { what: `success of ${ref}`, timeoutMs: 30_000 });
    const faulted = stack.emulator.requests().filter((r) => r.status >= 429).length;
    expect(faulted).toBeGreaterThan(0); // the storm really happened
    for (const u of users) {
      const id = stack.emulator.state.users.find((x) => x.userPrincipalName.startsWith(u + '@'))!.id;
      expect(successfulRevokes(stack, id)).toBe(1);
    }
    // Five incidents opened, then retries with the SDK's backoff on a loaded 2-core CI machine: 30 s was not enough.
  }, 120_000);
});
