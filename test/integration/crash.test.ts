import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { getContext } from '../../src/runtime';
import { exchangeRequests } from '../../sandbox/exchange-api';
import { buildReport } from '../../src/incidents/report';
import type { Action } from '../../src/incidents/model';
import { startTestStack, waitFor, settled } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text } from '../helpers/teams';

/**
 * Exactly once through crashes: the worker runs in its own process (as under the Functions host), the sandbox kills
 * it right after Graph applied a change and before the answer arrives, the stack starts a new one, and the new
 * worker must verify instead of repeating. Every change of Alice's containment is applied exactly once, and every
 * action is reported as what happened.
 */
const CONV = '19:soc-incidents@thread.tacv2;messageid=crash';
const alice = SEED_IDS.alice;
const rule = (id: string) => `^/v1.0/users/${alice}/mailFolders/inbox/messageRules/${encodeURIComponent(id)}$`;

/** Each change Contain makes for Alice: method, path regex, and the action it belongs to. The iPhone is refused by Graph, so it is not a change. */
const CHANGES: [string, string, string][] = [
  ['revoke sessions', 'POST', `^/v1.0/users/${alice}/revokeSignInSessions$`],
  ['reset password', 'PATCH', `^/v1.0/users/${alice}$`],
  ['delete the attacker Authenticator', 'DELETE', `/microsoftAuthenticatorMethods/${A.attackerAuthenticator}$`],
  ['delete the attacker phone', 'DELETE', `/phoneMethods/${A.attackerPhone}$`],
  ['disable the Windows device', 'PATCH', `^/v1.0/devices/${A.attackerWindowsDevice}$`],
  ['disable rule "."', 'PATCH', rule(A.ruleDot)],
  ['disable rule ".."', 'PATCH', rule(A.ruleDotDot)],
  ['stop the flow', 'POST', `^/flow/.*/flows/${A.flowAttacker}/stop$`],
  ['turn off the app sign-in', 'PATCH', `^/v1.0/servicePrincipals/${A.spAttacker}$`],
  ['remove the consent', 'DELETE', `^/v1.0/oauth2PermissionGrants/${A.grantAttacker}$`],
  ['remove the secret', 'POST', `^/v1.0/applications/${A.appAttacker}/removePassword$`],
  ['remove the certificate', 'PATCH', `^/v1.0/applications/${A.appAttacker}$`],
  // Step 5 through the Exchange admin API: every cmdlet shares one path, so its faults name the cmdlet after "#".
  ['clear the mailbox forwarding', 'POST', '^/exchange/.*#Set-Mailbox$'],
  ['disable the hidden inbox rule', 'POST', '^/exchange/.*#Disable-InboxRule$'],
];

async function open(stack: LocalStack): Promise<string> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
  const card = await waitFor(
    () => stack.connector.all().find((r) => r.op !== 'update' && !before.has(r.activityId) && /"ref":"INC-/.test(text(cardsOf(r)))),
    { what: 'card', timeoutMs: 30_000 },
  );
  return /"ref":"(INC-\d{8}-\d{4})/.exec(text(cardsOf(card)))![1];
}

/** How many times the service applied each of Alice's changes (Graph, Power Automate and the Exchange admin API). */
function appliedCounts(stack: LocalStack): number[] {
  const graph = stack.emulator.requests().filter((r) => r.applied && r.method !== 'GET');
  const flow = stack.emulator.flowRequests.filter((r) => r.applied && r.method !== 'GET');
  const exchange = exchangeRequests(stack.emulator)
    .filter((r) => r.applied)
    .map((r) => ({ method: 'POST', path: `/exchange/adminapi/beta/tenant/InvokeCommand#${r.cmdlet}` }));
  return CHANGES.map(([, method, route]) => {
    const re = new RegExp(route);
    const pool = route.startsWith('^/flow')
      ? flow.map((r) => ({ ...r, path: r.path.slice('/sandbox'.length) }))
      : route.startsWith('^/exchange')
        ? exchange
        : graph;
    return pool.filter((r) => r.method === method && re.test(r.path)).length;
  });
}

/** Each action is what happened to it, in storage and in the incident report: done, except the iPhone Graph refuses. */
async function expectTruthful(actions: Action[]): Promise<void> {
  for (const a of actions) {
    if (a.objectId === A.attackerIphone) {
      expect(a.state).toBe('failed'); // refused by Graph to app-only callers: documented, not a crash artefact
      continue;
    }
    expect([a.kind, a.state, a.result?.message]).toEqual([a.kind, 'succeeded', expect.any(String)]);
  }
  const { markdown } = await buildReport(await getContext(), actions[0].incidentId);
  const rows = markdown.split('\n').filter((l) => /^\| .* \| (succeeded|failed|skipped|running|sending|approved) \|/.test(l));
  expect(rows).toHaveLength(actions.length);
  expect(rows.filter((r) => !r.includes('| succeeded |'))).toEqual([expect.stringContaining('iPhone')]);
}

describe('exactly once through crashes (worker in its own process)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack(
      { CONTAIN_ACTION_LEASE_SECONDS: '2', CONTAIN_QUEUE_VISIBILITY_SECONDS: '2', CONTAIN_SEND_GRACE_SECONDS: '12' },
      { worker: 'process' },
    );
  }, 60_000);
  afterAll(() => stack?.stop());
  beforeEach(() => {
    stack.emulator.reset();
    stack.connector.clear();
  });

  test.each(CHANGES)(
    'killed right after Graph applied "%s": each change made once, each reported as done',
    async (_what, method, route) => {
      const incidentId = await open(stack);
      const started = stack.workers!.started();
      stack.emulator.faults.add({ route, method, kill: 'worker', times: 1 });
      await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
      const done = await settled(incidentId, { timeoutMs: 60_000 });
      expect(stack.workers!.started()).toBe(started + 1); // the kill happened, and a new worker finished the job
      expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
      await expectTruthful(done);
      expect(done.filter((a) => a.result?.recovered).length).toBeGreaterThan(0); // the lost answers were verified, not resent
    },
    90_000,
  );

  test('killed after a whole batch of changes was applied (the phase-2 batch): nothing is sent twice', async () => {
    const incidentId = await open(stack);
    const started = stack.workers!.started();
    // The run's batches: snapshots, phase 1, then phase-1 read-backs with the phase-2 changes (the third).
    stack.emulator.faults.add({ route: '^/v1.0/\\$batch$', method: 'POST', kill: 'worker', skip: 2, times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId, { timeoutMs: 60_000 });
    expect(stack.workers!.started()).toBe(started + 1);
    expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
    await expectTruthful(done);
  }, 90_000);

  test('a change answered 500 after it was made, and one whose connection dropped, are verified, not resent', async () => {
    const incidentId = await open(stack);
    stack.emulator.faults.add({
      route: `^/v1.0/users/${alice}/revokeSignInSessions$`,
      method: 'POST',
      status: 500,
      when: 'after',
      times: 1,
    });
    stack.emulator.faults.add({
      route: `^/v1.0/devices/${A.attackerWindowsDevice}$`,
      method: 'PATCH',
      status: 503,
      when: 'after',
      times: 1,
    });
    stack.emulator.faults.add({ route: `^/flow/.*/stop$`, method: 'POST', drop: true, when: 'after', times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId, { timeoutMs: 60_000 });
    expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
    await expectTruthful(done);
    expect(
      done
        .filter((a) => a.result?.recovered)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['disableDevice', 'revokeSessions', 'stopFlow']);
  }, 90_000);

  test('Exchange: a Set-Mailbox answered 503 after it was made, and a Disable-InboxRule whose connection dropped, are read back, not resent', async () => {
    const incidentId = await open(stack);
    stack.emulator.faults.add({ route: '^/exchange/.*#Set-Mailbox$', method: 'POST', status: 503, when: 'after', times: 1 });
    stack.emulator.faults.add({ route: '^/exchange/.*#Disable-InboxRule$', method: 'POST', drop: true, when: 'after', times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId, { timeoutMs: 60_000 });
    expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
    await expectTruthful(done);
    expect(
      done
        .filter((a) => a.result?.recovered)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['clearMailboxForwarding', 'disableHiddenInboxRule']);
    expect(done.find((a) => a.kind === 'clearMailboxForwarding')!.evidence).toMatchObject({
      forwardingSmtpAddress: 'smtp:alice.aoki.backup@proton-mail.example',
      deliverToMailboxAndForward: true,
    });
  }, 90_000);

  test('a change refused with 500 before it was made is sent again once, by the same worker', async () => {
    const incidentId = await open(stack);
    stack.emulator.faults.add({ route: `^/v1.0/users/${alice}$`, method: 'PATCH', status: 500, times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId, { timeoutMs: 60_000 });
    expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
    expect(
      stack.emulator
        .requests()
        .filter((r) => r.method === 'PATCH' && r.path === `/v1.0/users/${alice}`)
        .map((r) => [r.status, r.applied]),
    ).toEqual([
      [500, false],
      [204, true],
    ]);
    await expectTruthful(done);
  }, 90_000);

  test.each([
    ['while taking the snapshots', 'GET', `^/v1.0/\\$batch$`],
    ['while its change was still on the way to Graph', 'POST', `^/v1.0/\\$batch$`],
  ])(
    'killed %s: the new worker finishes, nothing made twice, nothing missing',
    async (when, _method, route) => {
      const incidentId = await open(stack);
      const ctx = await getContext();
      // Park the worker inside a slow batch: the run's first (snapshots) or second (phase-1 changes).
      stack.emulator.faults.add({ route, method: 'POST', latencyMs: 4000, skip: when.startsWith('while its change') ? 1 : 0, times: 1 });
      await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
      await waitFor(() => (stack.emulator.faults.list()[0].hits >= 1 ? true : undefined), {
        what: 'the slow batch to arrive',
        timeoutMs: 30_000,
      });
      const state = when.startsWith('while its change') ? 'sending' : 'running';
      expect((await ctx.store.listActions(incidentId)).find((a) => a.kind === 'revokeSessions')!.state).toBe(state);
      await stack.workers!.killAll(); // parked inside the slow request
      const done = await settled(incidentId, { timeoutMs: 60_000 });
      expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
      await expectTruthful(done);
      // The killed worker's request never reached the service (the sandbox answers 499 to a caller that hung up).
      await waitFor(() => (stack.emulator.requests().some((r) => r.status === 499 && !r.applied) ? true : undefined), {
        what: 'the parked request to be dropped',
      });
    },
    90_000,
  );

  test('a lease that runs out under a frozen worker: the new holder finishes, the old one writes and sends nothing more', async () => {
    const incidentId = await open(stack);
    // The phase-2 batch takes 3 s inside Graph; the worker that sent it is frozen meanwhile, so its lease runs out. The
    // new holder finds those changes not made yet and must wait out the grace period (12 s) rather than send them again.
    stack.emulator.faults.add({ route: `^/v1.0/servicePrincipals/${A.spAttacker}$`, method: 'PATCH', latencyMs: 3000, times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const ctx = await getContext();
    await waitFor(
      async () =>
        (await ctx.store.listActions(incidentId)).some((a) => a.kind === 'disableServicePrincipal' && a.state === 'sending')
          ? true
          : undefined,
      { what: 'the phase-2 batch in flight', timeoutMs: 30_000 },
    );
    const frozen = 0; // the only worker so far: it sent the slow batch
    stack.workers!.signal(frozen, 'SIGSTOP');
    stack.workers!.add(); // a second instance picks the message up once the frozen one stops renewing it
    try {
      await settled(incidentId, { timeoutMs: 60_000 });
    } finally {
      stack.workers!.signal(frozen, 'SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 1500)); // the old holder wakes up, finds its lease gone and stops
    expect(appliedCounts(stack)).toEqual(CHANGES.map(() => 1));
    const after = await ctx.store.listActions(incidentId);
    await expectTruthful(after);
    const audit = await ctx.store.listAudit(incidentId);
    expect(audit.filter((e) => e.event === 'action.succeeded').length).toBe(CHANGES.length); // each outcome recorded once, by one holder
  }, 120_000);
});
