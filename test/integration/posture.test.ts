/**
 * Issue 17 end to end, through the real Teams and Slack handlers, the worker, Azurite and the sandbox tenant: the
 * posture card's measures, Apply (report-only) / Enforce / Undo each requested by a responder and approved by someone
 * else, the hunt's harmful-user-agent measure with its pilot and exclusion groups, and step 5's mailbox forwarding
 * and hidden rule cleared through the Exchange admin API (or the PowerShell lines without it).
 */
import type { LocalStack } from '../../sandbox/local-stack';
import type { SlackCall } from '../../sandbox/slack-api';
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { exchangeState, HIDDEN_RULE_IDENTITY } from '../../sandbox/exchange/state';
import { adaptiveCardProblems } from '../helpers/adaptive';
import { blockAction, postSlack, slashCommand } from '../helpers/slack';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, post, json, type Person } from '../helpers/teams';

const CONV = '19:soc-incidents@thread.tacv2;messageid=posture';
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());
beforeEach(async () => {
  await stack.idle();
  stack.emulator.reset();
  stack.connector.clear();
  stack.slack.clear();
});

type Policy = { id: string; displayName: string; state: string };
/** What GET /sandbox/state shows of the tenant. */
const tenant = async () =>
  (await (await fetch(`${stack.url}/sandbox/state`)).json()) as {
    conditionalAccessPolicies: Policy[];
    authorizationPolicy: { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: string[]; allowedToCreateApps: boolean } };
    groups: { displayName: string; members: string[] }[];
  };
const contains = (incidentId: string) => async () =>
  (await tenant()).conditionalAccessPolicies.find((p) => p.displayName.startsWith(`Contain ${incidentId}:`));

/** Type in the Teams channel; the first new card holding `needle`. */
async function say(person: Person, words: string, needle: string): Promise<string> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, person, words));
  const r = await waitFor(
    () => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && json(cardsOf(x)).includes(needle)),
    { what: `"${needle}" after "${words}"`, timeoutMs: 30_000 },
  );
  return json(cardsOf(r));
}

/** Press a posture button in Teams; the change card it posts, and its record's id. */
async function press(person: Person, verb: string, ref: string): Promise<{ card: string; incidentId: string; answer: string }> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  const answer = json((await post(stack, executeInvoke(stack, person, verb, { ref }, CONV))).body);
  const r = await waitFor(
    () =>
      stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && json(cardsOf(x)).includes('defensive measures')),
    { what: `the change card after ${verb}` },
  );
  const card = json(cardsOf(r));
  return { card, incidentId: /"ref":"(INC-\d{8}-\d{4})\/a01"/.exec(card)![1], answer };
}

const approve = (person: Person, incidentId: string) =>
  post(stack, executeInvoke(stack, person, 'approve', { ref: `${incidentId}/a01` }, CONV));

describe('Teams: posture, then two measures applied report-only, enforced and undone, each approved by another person', () => {
  test('the card shows at least seven measures with met/missing and evidence, and Apply on the missing ones', async () => {
    const card = await say(PEOPLE.riley, 'posture', 'Defensive measures');
    expect(adaptiveCardProblems(JSON.parse(card)[0])).toEqual([]);
    const checks = [...card.matchAll(/\*\*(met|missing|unknown)\*\* · ([^:]+): /g)];
    expect(checks.length).toBeGreaterThanOrEqual(7);
    expect(checks.filter((c) => c[1] !== 'unknown').length).toBeGreaterThanOrEqual(7);
    const applies = [...card.matchAll(/"verb":"posture-apply","ref":"(\w+)"/g)].map((m) => m[1]);
    expect(new Set(applies)).toEqual(
      new Set([
        'compliantDevice',
        'phishingResistantMfa',
        'registrationFromTrustedLocations',
        'blockDeviceCodeFlow',
        'userConsentOff',
        'usersCannotRegisterApps',
      ]),
    );
  }, 60_000);

  test('Apply two after approval: report-only policies in /sandbox/state; Enforce one and Undo the other, each approved', async () => {
    const device = await press(PEOPLE.riley, 'posture-apply', 'compliantDevice');
    expect(device.answer).toContain('Change requested');
    expect(device.card).toContain('Apply (report-only): Require a compliant or hybrid-joined device');
    const mfa = await press(PEOPLE.riley, 'posture-apply', 'phishingResistantMfa');
    // The requester cannot approve their own request; nothing is made before someone else approves.
    expect(json((await approve(PEOPLE.riley, device.incidentId)).body)).toContain('four-eyes');
    expect(await contains(device.incidentId)()).toBeUndefined();

    await approve(PEOPLE.avery, device.incidentId);
    await approve(PEOPLE.parker, mfa.incidentId);
    for (const id of [device.incidentId, mfa.incidentId])
      expect((await waitFor(contains(id), { what: 'the report-only policy', timeoutMs: 30_000 })).state).toBe(
        'enabledForReportingButNotEnforced',
      );
    await waitFor(
      () => stack.connector.all().find((r) => r.op === 'update' && json(cardsOf(r)).includes('Done, approved by Avery Adams')),
      { what: 'the change card updated' },
    );

    const card = await say(PEOPLE.riley, 'posture', 'Applied by Contain');
    expect(card).toContain(`"verb":"posture-enforce","ref":"${device.incidentId}/a01"`);
    expect(card).toContain(`"verb":"posture-undo","ref":"${mfa.incidentId}/a01"`);
    expect(card).toContain('Would-be impact');

    const enforce = await press(PEOPLE.riley, 'posture-enforce', `${device.incidentId}/a01`);
    await approve(PEOPLE.parker, enforce.incidentId);
    await waitFor(async () => ((await contains(device.incidentId)())?.state === 'enabled' ? true : undefined), {
      what: 'enforced',
      timeoutMs: 30_000,
    });

    const undo = await press(PEOPLE.quinn, 'posture-undo', `${mfa.incidentId}/a01`);
    await approve(PEOPLE.avery, undo.incidentId);
    await waitFor(async () => ((await contains(mfa.incidentId)()) ? undefined : true), {
      what: 'the undone policy deleted',
      timeoutMs: 30_000,
    });
    expect((await contains(device.incidentId)())?.state).toBe('enabled');
  }, 120_000);

  test('without the optional permissions: no Apply button, the portal steps on the card instead', async () => {
    await fetch(`${stack.url}/sandbox/app`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...DEFAULT_APP,
        permissions: DEFAULT_APP.permissions.filter(
          (p) => !['Policy.ReadWrite.ConditionalAccess', 'Group.ReadWrite.All', 'Policy.ReadWrite.Authorization'].includes(p),
        ),
      }),
    });
    await say(PEOPLE.avery, 'doctor', 'Contain doctor'); // the card reads what the app may do from doctor's latest result
    const card = await say(PEOPLE.riley, 'posture', 'Defensive measures');
    expect(card).not.toContain('"verb":"posture-apply"');
    expect(card).toContain('lacks the Microsoft Graph permission Policy.ReadWrite.ConditionalAccess');
    expect(card).toMatch(/Protection .{1,4} Conditional Access .{1,4} Policies .{1,4} New policy/);
    // Granted again: doctor's next result lets the buttons back (the latest result is kept for an hour otherwise).
    await fetch(`${stack.url}/sandbox/app`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEFAULT_APP),
    });
    await say(PEOPLE.avery, 'doctor', 'Contain doctor');
    expect(await say(PEOPLE.riley, 'posture', 'Defensive measures')).toContain('"verb":"posture-apply"');
  }, 60_000);
});

describe('Step 5 through Exchange, on the containment card', () => {
  test('forwarding to an outside address and the hidden rule are flagged; one approval clears the forwarding and disables the rule', async () => {
    const card = await say(PEOPLE.riley, 'contain alice', '"verb":"approve-all"');
    expect(card).toContain('Clear the mailbox forwarding to alice.aoki.backup@proton-mail.example');
    expect(card).toContain(`Disable hidden inbox rule (no name, RuleIdentity ${HIDDEN_RULE_IDENTITY})`);
    const incidentId = /"ref":"(INC-\d{8}-\d{4})"/.exec(card)![1];
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, '19:soc-incidents@thread.tacv2;messageid=1'));
    const mbx = () => exchangeState(stack.emulator).mailboxes.find((m) => m.userId === SEED_IDS.alice)!;
    await waitFor(
      () =>
        mbx().ForwardingSmtpAddress === null &&
        exchangeState(stack.emulator).hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!.Enabled === false
          ? true
          : undefined,
      { what: 'forwarding cleared, hidden rule disabled', timeoutMs: 30_000 },
    );
    expect(mbx().DeliverToMailboxAndForward).toBe(false);
  }, 60_000);

  test('without Exchange.ManageAsApp the card says what was not checked and gives the PowerShell lines', async () => {
    await fetch(`${stack.url}/sandbox/app`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: DEFAULT_APP.permissions, directoryRoles: DEFAULT_APP.directoryRoles }),
    });
    const card = await say(PEOPLE.riley, 'contain alice', '"verb":"approve-all"');
    expect(card).toContain('were NOT checked');
    expect(card).toContain('Get-InboxRule -Mailbox');
    expect(card).toContain('Format-List ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward');
    expect(card).not.toContain('Clear the mailbox forwarding');
  }, 60_000);
});

describe("Slack: a measure from the posture message, and the hunt's harmful-user-agent measure", () => {
  const calls = (method: string) => stack.slack.all().filter((c: SlackCall) => c.method === method);
  /** The first message posted after `before` with `needle` in its blocks, and its ts. */
  const posted = async (needle: string, before: number) => {
    const call = await waitFor(
      () =>
        calls('chat.postMessage')
          .slice(before)
          .find((c) => json(c.args.blocks).includes(needle)),
      { what: needle, timeoutMs: 30_000 },
    );
    const ts = await waitFor(() => [...stack.slack.messages.values()].find((m) => json(m.blocks) === json(call.args.blocks))?.ts, {
      what: 'its ts',
    });
    return { blocks: json(call.args.blocks), ts };
  };

  test('Apply (report-only) from the posture message; approved by another person; the change message updated', async () => {
    let before = calls('chat.postMessage').length;
    await postSlack(stack, slashCommand('posture'));
    const card = await posted('contain.posture-apply', before);
    before = calls('chat.postMessage').length;
    await postSlack(stack, blockAction('contain.posture-apply', 'phishingResistantMfa', 'U0RILEY', card.ts));
    const change = await posted('contain.approve', before);
    const ref = /"action_id":"contain.approve","value":"([^"]+)"/.exec(change.blocks)![1];
    await postSlack(stack, blockAction('contain.approve', ref, 'U0AVERY', change.ts));
    const incidentId = ref.split('/')[0];
    expect(await waitFor(contains(incidentId), { what: 'the policy', timeoutMs: 30_000 })).toMatchObject({
      state: 'enabledForReportingButNotEnforced',
      displayName: `Contain ${incidentId}: Require phishing-resistant MFA (report-only)`,
    });
    await waitFor(
      () => calls('chat.update').find((c) => c.args.ts === change.ts && json(c.args.blocks).includes('Done, approved by Avery Adams')),
      { what: 'the change message updated' },
    );
  }, 60_000);

  test('hunt user-agents: the pilot group holds the targeted users, the exclusion group the legitimate successes', async () => {
    // Dan's script: python-requests succeeding from a compliant company device, legitimate business use.
    const judy = stack.emulator.state.signIns.find((x) => /axios/.test(x.userAgent ?? ''))!;
    const device = {
      deviceId: 'd0b71e00-0000-4000-8000-0000000000d1',
      displayName: 'OPS-RUNNER-01',
      operatingSystem: 'Windows',
      browser: '',
      isCompliant: true,
      isManaged: true,
      trustType: 'Azure AD joined',
    };
    stack.emulator.state.signIns.push({
      ...judy,
      id: '5191b000-0000-4000-9000-000000000001',
      correlationId: '5191b000-0000-4000-9000-000000000002',
      userId: SEED_IDS.danObrien,
      userPrincipalName: 'dan.obrien@contoso.example',
      userDisplayName: "Dan O'Brien",
      ipAddress: '203.0.113.10',
      userAgent: 'python-requests/2.31.0',
      deviceDetail: device,
    });
    let before = calls('chat.postMessage').length;
    await postSlack(stack, slashCommand('hunt user-agents'));
    const hunt = await posted('contain.posture-pilot', before);
    expect(hunt.blocks).toContain('a pilot group of the 2 targeted user(s), an exclusion group of the 1 with legitimate successes');
    const pilot = /"action_id":"contain.posture-pilot","value":"([^"]+)"/.exec(hunt.blocks)![1];
    before = calls('chat.postMessage').length;
    await postSlack(stack, blockAction('contain.posture-pilot', pilot, 'U0RILEY', hunt.ts));
    const change = await posted('contain.approve', before);
    expect(change.blocks).toContain('Access policy');
    const ref = /"action_id":"contain.approve","value":"([^"]+)"/.exec(change.blocks)![1];
    await postSlack(stack, blockAction('contain.approve', ref, 'U0PARKER', change.ts));
    const incidentId = ref.split('/')[0];
    await waitFor(contains(incidentId), { what: 'the App Control policy', timeoutMs: 30_000 });
    const groups = (await tenant()).groups.filter((g) => g.displayName.startsWith(`Contain ${incidentId}`));
    expect(groups.find((g) => g.displayName.endsWith('pilot'))!.members.sort()).toEqual([SEED_IDS.ivan, SEED_IDS.judy].sort());
    expect(groups.find((g) => g.displayName.endsWith('legitimate use'))!.members).toEqual([SEED_IDS.danObrien]);
  }, 90_000);
});
