import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import type { LoggedRequest } from '../../sandbox/graph/emulator';
import { mutatingCalls, startTestStack, waitFor } from '../helpers/stack';
import { getContext } from '../../src/runtime';
import { adaptiveCardProblems } from '../helpers/adaptive';
import { PEOPLE, channelMention, executeInvoke, personalMessage, post, cardsOf, json as cardText } from '../helpers/teams';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.emulator.reset();
  stack.connector.clear();
});

const revokes = (path = `/v1.0/users/${SEED_IDS.alice}/revokeSignInSessions`) =>
  stack.emulator.requests().filter((r: LoggedRequest) => r.method === 'POST' && r.path === path && r.status === 200);

/** Open an incident for `who` from a channel; returns the card's activity id, conversation and action ref. */
async function openIncident(text = 'contain alice') {
  const res = await post(stack, channelMention(stack, PEOPLE.riley, text));
  expect(res.status).toBe(200);
  const sent = await waitFor(
    () => stack.connector.all().find((r) => r.op !== 'update' && cardText(cardsOf(r)).includes('"verb":"approve"')),
    { what: 'containment card' },
  );
  const card = cardsOf(sent)[0];
  const ref = /"ref":"(INC-\d{8}-\d{4}\/a\d+)"/.exec(cardText(card))![1];
  return { sent, card, ref, conversationId: sent.conversationId };
}

describe('contain alice in Teams (slice)', () => {
  test('a channel mention opens an incident and posts the containment card in the thread', async () => {
    const { sent, card, ref } = await openIncident();
    expect(sent.conversationId).toMatch(/^19:soc-incidents@thread\.tacv2;messageid=/);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const text = cardText(card);
    expect(text).toContain('Alice Aoki');
    expect(text).toContain('Revoke all sessions');
    expect(text).toContain('152.42.161.220'); // the attacker's sign-in is shown as a fact
    expect(text).toContain('Action.Execute');
    expect(text).toContain('Action.Submit'); // fallback for older clients
    expect(ref).toMatch(/^INC-\d{8}-\d{4}\/a01$/);
    expect(revokes()).toHaveLength(0);
  });

  test('the requester cannot approve their own action (four-eyes) and nothing changes', async () => {
    const { ref, conversationId, sent } = await openIncident();
    const res = await post(stack, executeInvoke(stack, PEOPLE.riley, 'approve', { ref }, conversationId, sent.activityId));
    expect(res.status).toBe(200);
    const body = res.body as { statusCode: number; type: string; value: unknown };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value)).toContain('four-eyes');
    await stack.idle();
    expect(revokes()).toHaveLength(0);
  });

  test('someone who is not an approver is refused', async () => {
    const { ref, conversationId } = await openIncident();
    const res = await post(stack, executeInvoke(stack, PEOPLE.sam, 'approve', { ref }, conversationId));
    expect(cardText((res.body as { value: unknown }).value)).toContain('needs the approver role, which you do not have');
    await stack.idle();
    expect(revokes()).toHaveLength(0);
  });

  test('an approver approves: sessions are revoked once and the card is updated for everyone', async () => {
    const { ref, conversationId, sent } = await openIncident();
    const res = await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref }, conversationId, sent.activityId));
    expect(cardText((res.body as { value: unknown }).value)).toContain('Approved by Avery Adams');
    const done = await waitFor(
      () =>
        stack.connector
          .all()
          .find(
            (r) => r.op === 'update' && r.activityId === sent.activityId && cardText(cardsOf(r)).includes('Done, approved by Avery Adams'),
          ),
      { what: 'result card' },
    );
    expect(cardText(cardsOf(done))).not.toContain(`"verb":"approve","ref":"${ref}"`);
    await waitFor(
      () => stack.connector.all().find((r) => r.op !== 'update' && String(r.activity.text ?? '').includes('Revoke all sessions')),
      { what: 'status line' },
    );
    expect(revokes()).toHaveLength(1);
    const alice = stack.emulator.state.users.find((u) => u.id === SEED_IDS.alice)!;
    expect(Date.now() - Date.parse(alice.signInSessionsValidFromDateTime)).toBeLessThan(60_000);
  });

  test('double clicks and two approvers at once produce exactly one revocation', async () => {
    const { ref, conversationId } = await openIncident();
    const clicks = [PEOPLE.avery, PEOPLE.avery, PEOPLE.parker, PEOPLE.quinn, PEOPLE.parker].map((p) =>
      post(stack, executeInvoke(stack, p, 'approve', { ref }, conversationId)),
    );
    const results = await Promise.all(clicks);
    const texts = results.map((r) => cardText((r.body as { value: unknown }).value));
    expect(texts.filter((t) => t.includes('Running'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Already approved'))).toHaveLength(4);
    await waitFor(() => revokes().length > 0, { what: 'revocation' });
    await stack.idle();
    expect(revokes()).toHaveLength(1);
  });

  test('a rejected action never runs', async () => {
    const { ref, conversationId } = await openIncident();
    const res = await post(stack, executeInvoke(stack, PEOPLE.avery, 'reject', { ref }, conversationId));
    expect(cardText((res.body as { value: unknown }).value)).toContain('Rejected by Avery Adams');
    const again = await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve', { ref }, conversationId));
    expect(cardText((again.body as { value: unknown }).value)).toContain('Already rejected');
    await stack.idle();
    expect(revokes()).toHaveLength(0);
  });

  test('a protected account is refused at command time', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain breakglass@contoso.example'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Protected account')), {
      what: 'refusal',
    });
    expect(cardText(cardsOf(reply))).toContain('will not act on it');
    expect(mutatingCalls(stack)).toHaveLength(0);
  });

  test('a Global Administrator is protected through the role, not by listing them', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain gale.admin@contoso.example'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Protected account')), {
      what: 'refusal',
    });
    expect(cardText(cardsOf(reply))).toContain('Gale Admin');
  });

  test('an ambiguous name shows a chooser; never a guess', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain ali'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Several users match')), {
      what: 'chooser',
    });
    const text = cardText(cardsOf(reply));
    for (const n of ['Alice Aoki', 'Alicia Alvarez', 'Alistair Allen']) expect(text).toContain(n);
    expect(text).toContain('"verb":"choose"');
  });

  test('an unknown user gets a clear reply', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain zelda'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('No such user')), {
      what: 'not found',
    });
    expect(cardText(cardsOf(reply))).toContain('No user matches');
  });

  test('a personal chat works without a mention', async () => {
    await post(stack, personalMessage(stack, PEOPLE.riley, 'contain alice'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Revoke all sessions')), {
      what: 'card',
    });
    expect(reply.conversationId).toBe('a:1personal-chat-with-riley');
  });

  test('a reply inside an existing thread stays in that thread', async () => {
    const threadId = '19:soc-incidents@thread.tacv2;messageid=1700000000000';
    const act = channelMention(stack, PEOPLE.riley, 'contain alice');
    await post(stack, { ...act, conversation: { ...(act.conversation as object), id: threadId } });
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Revoke all sessions')), {
      what: 'card',
    });
    expect(reply.conversationId).toBe(threadId);
  });

  test('every card Contain sent through the connector passes the official Adaptive Cards parser', async () => {
    const { ref, conversationId, sent } = await openIncident();
    await post(stack, executeInvoke(stack, PEOPLE.riley, 'approve', { ref }, conversationId, sent.activityId));
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref }, conversationId, sent.activityId));
    await waitFor(() => stack.connector.all().some((r) => r.op === 'update' && cardText(cardsOf(r)).includes('Done, approved')), {
      what: 'result card',
    });
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain ali'));
    await waitFor(() => stack.connector.all().some((r) => cardText(cardsOf(r)).includes('Several users')), { what: 'chooser' });
    const cards = stack.connector.all().flatMap(cardsOf);
    expect(cards.length).toBeGreaterThanOrEqual(3);
    for (const c of cards) expect(adaptiveCardProblems(c)).toEqual([]);
  });

  test('bidi controls in tenant text are neutralised on the card and in the status line', async () => {
    stack.emulator.state.rules.find((r) => r.data.displayName === '.')!.data.displayName = 'Invoice\u202Efdp.exe\u2066';
    const { ref, conversationId, sent } = await openIncident();
    const incidentId = ref.split('/')[0];
    const rule = (await (await getContext()).store.listActions(incidentId)).find((a) => a.title.includes('fdp.exe'))!;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${rule.id}` }, conversationId, sent.activityId));
    const status = await waitFor(
      () => stack.connector.all().find((r) => r.op !== 'update' && String(r.activity.text ?? '').includes('fdp.exe')),
      { what: 'status line' },
    );
    const everything = cardText(stack.connector.all().map((r) => r.activity));
    expect(everything).toContain('Invoice\uFFFDfdp.exe\uFFFD');
    expect(everything).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(String(status.activity.text)).toContain('Invoice\uFFFDfdp.exe');
  });

  test('an unknown command is answered with the commands, never taken as a user to search for', async () => {
    await stack.idle(); // the previous test's read-backs land a round after its status line
    const mark = stack.emulator.requests().length;
    await post(stack, channelMention(stack, PEOPLE.riley, 'reprot INC-20261125-0001'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('Unknown command')), {
      what: 'help',
    });
    expect(cardText(cardsOf(reply))).toMatch(
      /Unknown command \\"reprot\\"\. Did you mean \\"report\\"\? Here is what I understand: contain \\\\<user\\\\>, investigate/,
    );
    await stack.idle();
    expect(
      stack.emulator
        .requests()
        .slice(mark)
        .filter((r) => r.path.startsWith('/v1.0/users')),
    ).toHaveLength(0);
  });

  test('a malformed command names the right form', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice --forever'));
    const reply = await waitFor(() => stack.connector.all().find((r) => cardText(cardsOf(r)).includes('did not understand')), {
      what: 'usage',
    });
    expect(cardText(cardsOf(reply))).toContain('contain <user>'.replace(/</g, '\\\\<').replace(/>/g, '\\\\>'));
  });
});
