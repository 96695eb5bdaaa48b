import type { LocalStack } from '../../sandbox/local-stack';
import type { SlackCall } from '../../sandbox/slack-api';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { approverRoster } from '../../src/directory/roster';
import { getContext } from '../../src/runtime';
import { blockAction, postSlack, slashCommand } from '../helpers/slack';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json as text, post, type Person } from '../helpers/teams';

let stack: LocalStack;
beforeAll(async () => {
  // Responders by group, as a real deployment has them: Riley (and, through the approvers group, the approvers).
  stack = await startTestStack({ CONTAIN_RESPONDERS: SEED_IDS.securityTeam });
  await approverRoster(await getContext());
});
afterAll(() => stack?.stop());

const slackCalls = (method: string) => stack.slack.all().filter((c: SlackCall) => c.method === method);
const revokes = (userId: string) =>
  stack.emulator
    .requests()
    .filter((r) => r.method === 'POST' && r.path === `/v1.0/users/${userId}/revokeSignInSessions` && r.status === 200).length;

/** Say something in the Teams channel as `who`; the first new card containing `needle`. */
async function say(who: Person, words: string, needle: string): Promise<string> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, who, words));
  const r = await waitFor(
    () => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && text(cardsOf(x)).includes(needle)),
    { what: `"${needle}" after "${words}"` },
  );
  return text(cardsOf(r));
}

/** Riley opens an incident in Teams; its id and the card's conversation and activity. */
async function open(who: string): Promise<{ incidentId: string; conversationId: string; activityId: string }> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, PEOPLE.riley, `contain ${who}`));
  const sent = await waitFor(
    () =>
      stack.connector.all().find((r) => r.op !== 'update' && !before.has(r.activityId) && text(cardsOf(r)).includes('"verb":"approve"')),
    { what: 'containment card' },
  );
  const incidentId = /"ref":"(INC-\d{8}-\d{4})\//.exec(text(cardsOf(sent)))![1];
  return { incidentId, conversationId: sent.conversationId, activityId: sent.activityId };
}

const click = async (who: Person, verb: string, ref: string, card: { conversationId: string; activityId: string }) =>
  text(
    ((await post(stack, executeInvoke(stack, who, verb, { ref }, card.conversationId, card.activityId))).body as { value: unknown }).value,
  );

describe('every command needs a role when CONTAIN_RESPONDERS is set', () => {
  let incidentId: string;
  beforeAll(async () => {
    ({ incidentId } = await open('alice'));
  });
  const commands = () => [
    'status',
    `status ${incidentId}`,
    'status INC-20000101-0001',
    'report alice',
    `report ${incidentId}`,
    'investigate alice',
    'scope alice',
    'hunt user-agents',
    'posture',
  ];

  test('Teams: Sam, neither responder nor approver, is refused each read command, told the role and how to get it; nothing is read or linked', async () => {
    for (const cmd of commands()) {
      const mark = stack.emulator.requests().length;
      const reply = (await say(PEOPLE.sam, cmd, 'Not allowed')).replace(/\\\\/g, ''); // without the Markdown escapes
      expect(reply).toContain(`\\"${cmd.split(' ')[0]}\\" needs the responder or approver role`);
      expect(reply).toMatch(/responders group \(CONTAIN_RESPONDERS\) or the approvers group \(CONTAIN_APPROVERS\)/);
      expect(reply).not.toContain('/api/results/');
      expect(reply).not.toContain('Alice Aoki');
      await stack.idle();
      // Only the role lookup reached Graph: no sign-ins, audit logs, policies or users were read for Sam.
      expect(
        stack.emulator
          .requests()
          .slice(mark)
          .filter((r) => !r.path.endsWith('/checkMemberObjects')),
      ).toEqual([]);
    }
  });

  test('Slack: the same refusals through the slash command', async () => {
    for (const cmd of commands()) {
      const before = slackCalls('chat.postMessage').length;
      const ack = await postSlack(stack, slashCommand(cmd, 'U0SAM'));
      expect(ack.status).toBe(200);
      const reply = await waitFor(
        () =>
          slackCalls('chat.postMessage')
            .slice(before)
            .find((c) => text(c.args).includes('Not allowed')),
        { what: `refusal of ${cmd}` },
      );
      expect(text(reply.args.blocks)).toContain(`\\"${cmd.split(' ')[0]}\\" needs the responder or approver role`);
      expect(text(reply.args)).not.toContain('/api/results/');
    }
  });

  test('help is for anyone; a responder gets the read commands, with links', async () => {
    expect(await say(PEOPLE.sam, 'help', 'Contain commands')).toContain('hunt user-agents');
    expect(await say(PEOPLE.riley, `status ${incidentId}`, incidentId)).toContain('Alice Aoki');
    expect(await say(PEOPLE.riley, 'hunt user-agents', 'Harmful user agents')).toContain('/api/results/');
  });

  test('Sam cannot open an incident, nor get as far as a chooser', async () => {
    expect(await say(PEOPLE.sam, 'contain alice', 'Not allowed')).toContain('\\"contain\\" needs the responder or approver role');
    expect(await say(PEOPLE.sam, 'contain ali', 'Not allowed')).toContain('needs the responder or approver role');
  });
});

describe('the user being contained has no role on their own incident', () => {
  test('Avery, an approver, can neither approve nor reject (one, all, or propose again) actions of her own incident; Parker can', async () => {
    const card = await open('avery');
    const ref = `${card.incidentId}/a01`;
    for (const verb of ['reject', 'approve', 'approve-all', 'reject-all']) {
      expect(await click(PEOPLE.avery, verb, verb.endsWith('-all') ? card.incidentId : ref, card)).toContain(
        'You are the person this incident contains',
      );
    }
    const store = (await getContext()).store;
    expect((await store.listActions(card.incidentId)).every((a) => a.state === 'proposed')).toBe(true);
    const audit = await store.listAudit(card.incidentId);
    expect(audit.filter((e) => e.event === 'decision.refused-target').length).toBeGreaterThanOrEqual(4);
    expect(audit.filter((e) => /^action\.(approved|rejected)$/.test(e.event))).toEqual([]);
    // Her own status and report are not hers to read either.
    expect(await say(PEOPLE.avery, `status ${card.incidentId}`, 'Not allowed')).toContain('You are the person this incident contains');
    expect(await say(PEOPLE.avery, `report ${card.incidentId}`, 'Not allowed')).toContain('You are the person this incident contains');
    expect(await click(PEOPLE.parker, 'reject', ref, card)).toContain('Rejected by Parker Patel');
    expect(await click(PEOPLE.avery, 'repropose', ref, card)).toContain('You are the person this incident contains');
    expect(await click(PEOPLE.parker, 'approve', `${card.incidentId}/a02`, card)).toContain('Approved by Parker Patel');
  });

  test("Slack: the target's own Reject is refused privately and changes nothing", async () => {
    await postSlack(stack, slashCommand('contain avery adams', 'U0RILEY'));
    const posted = await waitFor(
      () =>
        slackCalls('chat.postMessage').find(
          (c) => text(c.args.blocks).includes('Contain Avery Adams') && text(c.args.blocks).includes('contain.reject'),
        ),
      { what: 'card' },
    );
    const ref = /"action_id":"contain.reject","value":"([^"]+)"/.exec(text(posted.args.blocks))![1];
    const ts = await waitFor(() => [...stack.slack.messages.values()].find((m) => text(m.blocks).includes(ref))?.ts, { what: 'card ts' });
    await postSlack(stack, blockAction('contain.reject', ref, 'U0AVERY', ts));
    const eph = await waitFor(() => slackCalls('chat.postEphemeral').find((c) => c.args.user === 'U0AVERY'), { what: 'refusal' });
    expect(String(eph.args.text)).toContain('You are the person this incident contains');
    const [incidentId, actionId] = ref.split('/');
    expect((await (await getContext()).store.getAction(incidentId, actionId))!.state).toBe('proposed');
  });
});

describe('after a rejection', () => {
  test('any approver or responder may propose the action again; it then runs once approved', async () => {
    const card = await open('alice');
    const ref = `${card.incidentId}/a01`;
    expect(await click(PEOPLE.quinn, 'reject', ref, card)).toContain('Rejected by Quinn Quigley');
    const rejected = await click(PEOPLE.quinn, 'approve', ref, card);
    expect(rejected).toContain('Already rejected');
    expect(rejected).toContain(`"verb":"repropose","ref":"${ref}"`);
    expect(await click(PEOPLE.sam, 'repropose', ref, card)).toContain('needs the responder or approver role');
    const again = await click(PEOPLE.riley, 'repropose', ref, card);
    const fresh = /"verb":"approve","ref":"(INC-\d{8}-\d{4}\/a\d+)"/.exec(again)![1];
    expect(fresh).not.toBe(ref);
    expect(again).not.toContain(`"verb":"repropose","ref":"${ref}"`);
    expect(await click(PEOPLE.avery, 'approve', fresh, card)).toContain('Approved by Avery Adams');
    await waitFor(() => revokes(SEED_IDS.alice) === 1, { what: 'sessions revoked' });
    const audit = (await (await getContext()).store.listAudit(card.incidentId)).map((e) => e.event);
    expect(audit).toEqual(expect.arrayContaining(['action.rejected', 'action.proposed-again', 'action.approved']));
  });
});

describe('protected status at approval time', () => {
  test('an account made protected after its incident opened cannot be approved; nothing runs', async () => {
    const card = await open('bob brown');
    const role = stack.emulator.state.groups.find((g) => g.id === SEED_IDS.globalAdminRole)!;
    role.members.push(SEED_IDS.bob);
    try {
      const mark = revokes(SEED_IDS.bob);
      expect(await click(PEOPLE.avery, 'approve', `${card.incidentId}/a01`, card)).toContain('is now a protected account');
      expect(await click(PEOPLE.avery, 'approve-all', card.incidentId, card)).toContain('is now a protected account');
      await stack.idle();
      expect(revokes(SEED_IDS.bob)).toBe(mark);
      expect((await (await getContext()).store.listActions(card.incidentId)).every((a) => a.state === 'proposed')).toBe(true);
      // Rejecting stays possible: it changes nothing in the tenant.
      expect(await click(PEOPLE.avery, 'reject', `${card.incidentId}/a01`, card)).toContain('Rejected by Avery Adams');
    } finally {
      role.members.pop();
    }
  });
});
