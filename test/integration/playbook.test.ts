import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { getContext } from '../../src/runtime';
import { exchangeRequests } from '../../sandbox/exchange-api';
import { HIDDEN_RULE_IDENTITY } from '../../sandbox/exchange/state';
import type { Action } from '../../src/incidents/model';
import { mutatingCalls, roundTrips, startTestStack, waitFor, settled } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text } from '../helpers/teams';

const CONV = '19:soc-incidents@thread.tacv2;messageid=1';

async function open(stack: LocalStack, who: string): Promise<{ incidentId: string; actions: Action[] }> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, PEOPLE.riley, `contain ${who}`));
  const card = await waitFor(
    () => stack.connector.all().find((r) => r.op !== 'update' && !before.has(r.activityId) && /"ref":"INC-/.test(text(cardsOf(r)))),
    { what: `card for ${who}` },
  );
  const incidentId = /"ref":"(INC-\d{8}-\d{4})/.exec(text(cardsOf(card)))![1];
  return { incidentId, actions: await (await getContext()).store.listActions(incidentId) };
}

const byKind = (actions: Action[]) =>
  actions.map((a) => `${a.kind}:${a.objectId}${(a.params.keyId ?? a.params.keyIds) ? `:${a.params.keyId ?? a.params.keyIds}` : ''}`).sort();

describe('playbook steps 1-7 against the sandbox tenant', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle(); // late card updates from the previous test must not look like this test's cards
    stack.emulator.reset();
    stack.connector.clear();
  });

  test("discovery flags exactly the attacker's objects in Alice's account, each with a reason", async () => {
    const { actions } = await open(stack, 'alice');
    expect(byKind(actions)).toEqual(
      [
        `revokeSessions:${SEED_IDS.alice}`,
        `resetPassword:${SEED_IDS.alice}`,
        `deleteAuthMethod:${A.attackerAuthenticator}`,
        `deleteAuthMethod:${A.attackerPhone}`,
        `disableDevice:${A.attackerWindowsDevice}`,
        `disableDevice:${A.attackerIphone}`,
        `disableInboxRule:${A.ruleDot}`,
        `disableInboxRule:${A.ruleDotDot}`,
        // Through the Exchange admin API: the forwarding to the outside address, and the rule only Exchange lists.
        `clearMailboxForwarding:${SEED_IDS.alice}`,
        `disableHiddenInboxRule:${HIDDEN_RULE_IDENTITY}`,
        `stopFlow:${A.flowAttacker}`,
        `disableServicePrincipal:${A.spAttacker}`,
        `removeGrant:${A.grantAttacker}`,
        `removeAppSecret:${A.appAttacker}:${A.attackerSecret}`,
        `removeAppCertificate:${A.appAttacker}:${A.attackerCert}`,
      ].sort(),
    );
    for (const a of actions) expect(a.reason.length).toBeGreaterThan(10);
    const phone = actions.find((a) => a.objectId === A.attackerPhone)!;
    expect(phone.reason).toContain('attacker IP 152.42.161.220'); // no createdDateTime on phones: the audit log tells
    const rule = actions.find((a) => a.objectId === A.ruleDot)!;
    expect(rule.reason).toMatch(/Deleted Items.*marks the moved mail as read.*only punctuation/);
  });

  test('a bystander with benign rules, devices, methods, apps and flows gets only the standard two actions', async () => {
    const { actions, incidentId } = await open(stack, 'bob brown');
    expect(actions.map((a) => a.kind).sort()).toEqual(['resetPassword', 'revokeSessions']);
    const incident = await (await getContext()).store.getIncident(incidentId);
    // Exchange was read (forwarding, hidden rules, audit) and found nothing: said, not "not checked".
    expect(incident!.facts.steps!.find((s) => s.step === 5)!.checked).toMatch(
      /Exchange: forwarding off, 0 hidden rule\(s\), audit configuration as default/,
    );
  });

  test('Approve all: every change happens once, in at most 4 Graph round trips, with evidence and read-back', async () => {
    const { incidentId, actions } = await open(stack, 'alice');
    const mark = stack.emulator.requests().length;
    const res = await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    expect(text(res.body)).toContain('Approved by Avery Adams');
    const done = await settled(incidentId);
    // The click re-checks, fresh, that Alice is not protected (one membership lookup); the containment itself is at
    // most 4 round trips: snapshots (with the protection re-check inside); phase 1; phase-1 read-backs with phase 2;
    // phase-2 read-backs.
    const lookups = stack.emulator
      .requests()
      .slice(mark)
      .filter((r) => !r.batchId && r.path.endsWith('/checkMemberObjects'));
    expect(lookups).toHaveLength(1);
    expect(roundTrips(stack, mark) - lookups.length).toBeLessThanOrEqual(4);

    const state = stack.emulator.state;
    expect(
      state.methods
        .filter((m) => m.userId === SEED_IDS.alice)
        .map((m) => m.id)
        .sort(),
    ).toEqual([A.passwordMethod, A.legitAuthenticator, A.legitFido2].sort());
    expect(state.devices.find((d) => d.data.id === A.attackerWindowsDevice)!.data.accountEnabled).toBe(false);
    expect(state.devices.find((d) => d.data.id === A.legitLaptop)!.data.accountEnabled).toBe(true);
    expect(state.rules.filter((r) => r.userId === SEED_IDS.alice).map((r) => [r.data.displayName, r.data.isEnabled])).toEqual([
      ['.', false],
      ['..', false],
      ['Newsletters', true],
    ]);
    expect(state.flows.find((f) => f.data.name === A.flowAttacker)!.data.properties).toMatchObject({ state: 'Stopped' });
    expect(state.flows.find((f) => f.data.name === A.flowLegit)!.data.properties).toMatchObject({ state: 'Started' });
    expect(state.servicePrincipals.find((p) => p.data.id === A.spAttacker)!.data.accountEnabled).toBe(false);
    expect(state.grants.map((g) => g.data.id)).not.toContain(A.grantAttacker);
    expect(state.grants.map((g) => g.data.id)).toContain(A.grantTeams);
    const app = state.applications.find((x) => x.data.id === A.appAttacker)!.data;
    expect(app.passwordCredentials).toEqual([]);
    expect(app.keyCredentials).toEqual([]);

    // Each change exactly once.
    const changes = mutatingCalls(stack).filter((r) => r.status < 300);
    const keys = changes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Graph's: all but the flow (Power Automate) and step 5's two Exchange changes; the iPhone is refused (400).
    expect(changes).toHaveLength(
      actions.filter((a) => !['stopFlow', 'clearMailboxForwarding', 'disableHiddenInboxRule'].includes(a.kind)).length - 1,
    );
    expect(
      exchangeRequests(stack.emulator)
        .filter((r) => r.applied && /^(Set|Disable|Enable)-/.test(r.cmdlet ?? ''))
        .map((r) => r.cmdlet),
    ).toEqual(['Set-Mailbox', 'Disable-InboxRule']);
    // Within the default app's documented rights nothing is refused but the documented refusal: app-only changes to a
    // non-Windows device. (404s are the read-backs of deletions; 424 the read-back chained behind the refused change.)
    const refused = stack.emulator
      .requests()
      .filter((r) => [400, 401, 403].includes(r.status))
      .map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(refused).toEqual([`PATCH /v1.0/devices/${A.attackerIphone} 400`]);

    // Outcomes, with the app-only device quirk explained.
    const iphone = done.find((a) => a.objectId === A.attackerIphone)!;
    expect(iphone.state).toBe('failed');
    expect(iphone.result).toMatchObject({ code: 'APP_ONLY_NON_WINDOWS' });
    expect(iphone.result!.message).toMatch(
      /an admin must do this in the portal.*only Windows devices.*Cloud Device Administrator.*Disable/,
    );
    for (const a of done.filter((x) => x.objectId !== A.attackerIphone)) {
      expect(a.state).toBe('succeeded');
      expect(a.result!.verified).toBe(true);
    }
    // Evidence is the object as it was.
    const rule = done.find((a) => a.objectId === A.ruleDot)!;
    expect(rule.evidence).toMatchObject({ id: A.ruleDot, displayName: '.', isEnabled: true });
    const method = done.find((a) => a.objectId === A.attackerPhone)!;
    expect(method.evidence).toMatchObject({ phoneNumber: '+1 5550100199' });
    const cert = done.find((a) => a.kind === 'removeAppCertificate')!;
    expect((cert.evidence as { keyCredentials: unknown[] }).keyCredentials).toHaveLength(1);
    // The generated password never reaches storage, logs or the request log.
    const pw = done.find((a) => a.kind === 'resetPassword')!;
    expect(JSON.stringify(pw)).not.toMatch(/"password"\s*:\s*"[^"]/);
  });

  test('a synced user gets "reset on-premises", not a failure', async () => {
    const { incidentId, actions } = await open(stack, 'heidi');
    const pw = actions.find((a) => a.kind === 'resetPassword')!;
    await post(stack, executeInvoke(stack, PEOPLE.quinn, 'approve', { ref: `${incidentId}/${pw.id}` }, CONV));
    const done = (await settled(incidentId)).find((a) => a.id === pw.id)!;
    expect(done.state).toBe('skipped');
    expect(done.result!.code).toBe('ON_PREMISES_SYNCED');
    expect(done.result!.message).toMatch(/^Reset on-premises/);
  });

  test('deleting the default method is refused by Graph and explained', async () => {
    const phone = stack.emulator.state.methods.find((m) => m.userId === SEED_IDS.alice && m.id === A.attackerPhone)!;
    stack.emulator.state.methods.filter((m) => m.userId === SEED_IDS.alice).forEach((m) => (m.isDefault = false));
    phone.isDefault = true; // the attacker made their phone the default
    const { incidentId, actions } = await open(stack, 'alice');
    const del = actions.find((a) => a.objectId === A.attackerPhone)!;
    await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve', { ref: `${incidentId}/${del.id}` }, CONV));
    const done = (await settled(incidentId)).find((a) => a.id === del.id)!;
    expect(done.state).toBe('failed');
    expect(done.result!.code).toBe('DEFAULT_METHOD');
    expect(done.result!.message).toMatch(/default sign-in method.*Set another method as default/);
    expect(stack.emulator.state.methods).toContain(phone);
  });

  test('the approver may delete an inbox rule instead of disabling it; the definition stays in the evidence', async () => {
    const { incidentId, actions } = await open(stack, 'alice');
    const rule = actions.find((a) => a.objectId === A.ruleDotDot)!;
    await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve-delete', { ref: `${incidentId}/${rule.id}` }, CONV));
    const done = (await settled(incidentId)).find((a) => a.id === rule.id)!;
    expect(done.state).toBe('succeeded');
    expect(done.decision!.option).toBe('delete');
    expect(stack.emulator.state.rules.map((r) => r.data.id)).not.toContain(A.ruleDotDot);
    expect(done.evidence).toMatchObject({ displayName: '..', conditions: { senderContains: ['@fabrikam-finance.example'] } });
  });

  test('two attacker certificates on one app: one approval removes both; the rewrite of one never puts back the other', async () => {
    const app = stack.emulator.state.applications.find((x) => x.data.id === A.appAttacker)!;
    const first = (app.data.keyCredentials as Record<string, unknown>[])[0];
    const second = { ...first, keyId: 'ce500000-0000-4000-8000-00000000ad03', displayName: 'CN=...', customKeyIdentifier: 'QTdCRjBB' };
    (app.data.keyCredentials as Record<string, unknown>[]).push(second);
    const { incidentId, actions } = await open(stack, 'alice');
    const certs = actions.filter((a) => a.kind === 'removeAppCertificate');
    expect(certs).toHaveLength(1);
    expect(certs[0].title).toBe('Remove 2 certificates "CN=..", "CN=..." of app ".."');
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${certs[0].id}` }, CONV));
    const done = (await settled(incidentId)).find((a) => a.id === certs[0].id)!;
    expect(done.state).toBe('succeeded');
    expect(done.result!.verified).toBe(true);
    expect(app.data.keyCredentials).toEqual([]);
  });

  test('throttled sub-requests are retried on their own, and everything still happens once', async () => {
    const { incidentId } = await open(stack, 'alice');
    stack.emulator.faults.add({
      route: '/(devices|messageRules|oauth2PermissionGrants)/',
      method: 'PATCH',
      status: 429,
      retryAfter: 0.05,
      times: 2,
    });
    stack.emulator.faults.add({ route: '/oauth2PermissionGrants/', method: 'DELETE', status: 503, retryAfter: 0.05, times: 1 });
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId);
    expect(done.filter((a) => a.state === 'succeeded')).toHaveLength(done.length - 1);
    const ok = mutatingCalls(stack)
      .filter((r) => r.status < 300)
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(ok).size).toBe(ok.length);
    expect(mutatingCalls(stack).filter((r) => r.status === 429 || r.status === 503).length).toBeGreaterThanOrEqual(3);
  });
});

describe('Power Automate not configured', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ POWER_AUTOMATE_API_URL: '', POWER_AUTOMATE_ENVIRONMENT: '' });
  });
  afterAll(() => stack?.stop());

  test('step 6 says "not checked" and how to enable it, and the rest still works', async () => {
    const { incidentId, actions } = await open(stack, 'alice');
    expect(actions.some((a) => a.kind === 'stopFlow')).toBe(false);
    const incident = await (await getContext()).store.getIncident(incidentId);
    const step6 = incident!.facts.steps!.find((s) => s.step === 6)!;
    expect(step6.checked).toBe('not checked');
    expect(step6.notes[0]).toMatch(/POWER_AUTOMATE_API_URL/);
  });
});
