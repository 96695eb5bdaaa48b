/**
 * Alerts open incidents (issue 16), through the real handlers: Contain is added to a Teams channel and a Slack channel
 * (which become the incident channels), the sandbox reports Alice compromised from both alert sources, the timer polls
 * several times, and the worker opens her incident once, posting one containment card in each incident channel,
 * without anyone typing. Then an approver approves (requester "alert": any approver may) and closes it.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { getContext } from '../../src/runtime';
import { pollAlerts } from '../../src/alerts/poll';
import { enqueueAlertRequest, openAlertIncident } from '../../bot/alerts';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, botAdded, cardsOf, channelMention, executeInvoke, json, post } from '../helpers/teams';
import { botJoined, postSlack } from '../helpers/slack';

const CHANNEL = '19:soc-incidents@thread.tacv2';
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const admin = (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** Containment cards (they carry approve buttons) posted at the root of the Teams channel, and in the Slack channel. */
const teamsCards = () =>
  stack.connector
    .all()
    .filter(
      (r) =>
        r.op === 'createConversation' &&
        r.conversationId.startsWith(`${CHANNEL};messageid=`) &&
        json(r.activity).includes('"verb":"approve"'),
    );
const slackCards = () =>
  stack.slack
    .all()
    .filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === 'C0SOC' &&
        !c.args.thread_ts &&
        json(c.args.blocks).includes('contain.approve'),
    );

describe('alerts open incidents in the incident channel', () => {
  test('without an incident channel the request waits (handed out again later); nothing is opened', async () => {
    const ctx = await getContext();
    await admin('/sandbox/alerts', {
      userId: SEED_IDS.carol,
      source: 'defender',
      severity: 'high',
      title: 'Possible AiTM phishing attempt',
    });
    const [request] = (await pollAlerts(ctx)).requests;
    await expect(enqueueAlertRequest(ctx, request)).rejects.toThrow(/No incident channel yet/);
    expect(await ctx.store.findIncidents({ targetUserId: SEED_IDS.carol })).toEqual([]);
  });

  test('Alice, reported by Identity Protection and Defender XDR over several polls: one card in each incident channel', async () => {
    expect((await post(stack, botAdded(stack))).status).toBe(200);
    expect((await postSlack(stack, botJoined())).status).toBe(200);
    await stack.idle();
    // Contain says where it is: once on each platform.
    expect(stack.connector.all().filter((r) => json(r.activity).includes('Contain is here'))).toHaveLength(1);
    await waitFor(() => stack.slack.all().some((c) => c.method === 'chat.postMessage' && json(c.args).includes('Contain is here')), {
      what: 'the welcome in Slack',
    });

    expect(
      (await admin('/sandbox/alerts', { userId: 'alice.aoki@contoso.example', source: 'identityProtection', severity: 'high' })).status,
    ).toBe(201);
    expect(
      (
        await admin('/sandbox/alerts', {
          userId: SEED_IDS.alice,
          source: 'defender',
          severity: 'high',
          title: 'Possible AiTM phishing attempt',
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < 3; i++) await stack.pollAlerts();
    await stack.idle();
    await waitFor(() => teamsCards().length >= 1 && slackCards().length >= 1, { what: 'the alert-opened cards' });
    for (let i = 0; i < 2; i++) await stack.pollAlerts();
    await stack.idle();

    expect(teamsCards()).toHaveLength(1);
    expect(slackCards()).toHaveLength(1);
    const ctx = await getContext();
    const [incident, ...others] = await ctx.store.findIncidents({ targetUserId: SEED_IDS.alice });
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      requester: { platform: 'alert', name: 'alert' },
      state: 'open',
      facts: { alert: { key: `alert:${SEED_IDS.alice}#0` } },
    });
    expect(incident.facts.alert!.signals.map((s) => s.title).sort()).toEqual([
      'Entra ID Protection: user risk high',
      'Possible AiTM phishing attempt',
    ]);
    // The card shows the alert and its evidence, and the thread each platform keeps is the card's.
    const card = json(cardsOf(teamsCards()[0]));
    expect(card).toContain('Opened by an alert, not a person');
    expect(card).toContain('Possible AiTM phishing attempt');
    expect(card).toContain(incident.id);
    expect(json(slackCards()[0].args.blocks)).toContain('Opened by an alert, not a person');
    expect(incident.threads.teams).toMatchObject({
      conversationId: teamsCards()[0].conversationId,
      cardActivityId: teamsCards()[0].activityId,
    });
    expect(teamsCards()[0].conversationId).toBe(`${CHANNEL};messageid=${teamsCards()[0].activityId}`);
    expect(incident.threads.slack).toMatchObject({ channel: 'C0SOC', cardTs: expect.any(String) });
  });

  test('the same request handed to two workers at once, and again later: still one incident and one card each', async () => {
    const ctx = await getContext();
    await admin('/sandbox/alerts', { userId: SEED_IDS.danObrien, source: 'defender', severity: 'high', title: 'BEC financial fraud' });
    const [request] = (await pollAlerts(ctx)).requests;
    const before = [teamsCards().length, slackCards().length];
    const results = await Promise.allSettled([openAlertIncident(ctx, request), openAlertIncident(ctx, request)]);
    // One opens; the other finds the key claimed and is told to come back later (a transient error).
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    await openAlertIncident(ctx, request);
    expect(await ctx.store.findIncidents({ targetUserId: SEED_IDS.danObrien })).toHaveLength(1);
    expect([teamsCards().length, slackCards().length]).toEqual([before[0] + 1, before[1] + 1]);
  });

  test('requester "alert": an approver approves; close lets only a newer alert open the next incident', async () => {
    const ctx = await getContext();
    const [incident] = await ctx.store.findIncidents({ targetUserId: SEED_IDS.alice });
    const [revoke] = await ctx.store.listActions(incident.id);
    const teamsThread = incident.threads.teams!;
    const click = await post(
      stack,
      executeInvoke(
        stack,
        PEOPLE.avery,
        'approve',
        { ref: `${incident.id}/${revoke.id}` },
        String(teamsThread.conversationId),
        String(teamsThread.cardActivityId),
      ),
    );
    expect(json(click.body)).toContain('Approved by Avery Adams');
    await stack.idle();

    await post(stack, channelMention(stack, PEOPLE.riley, `close ${incident.id}`));
    await waitFor(() => stack.connector.all().some((r) => json(r.activity).includes('needs the approver role')), { what: 'the refusal' });
    expect((await ctx.store.getIncident(incident.id))!.state).toBe('open'); // a responder may not close
    await post(stack, channelMention(stack, PEOPLE.avery, `close ${incident.id}`));
    await waitFor(async () => (await ctx.store.getIncident(incident.id))!.state === 'closed', { what: 'the incident closed' });
    expect((await ctx.store.listAudit(incident.id)).map((e) => e.event)).toContain('incident.closed');

    expect((await pollAlerts(ctx)).requests.map((r) => r.userId)).not.toContain(SEED_IDS.alice);
    await new Promise((r) => setTimeout(r, 5));
    await admin('/sandbox/alerts', {
      userId: SEED_IDS.alice,
      source: 'defender',
      severity: 'high',
      title: 'Stolen session cookie was used',
    });
    expect((await pollAlerts(ctx)).requests.filter((r) => r.userId === SEED_IDS.alice).map((r) => r.key)).toEqual([
      `alert:${SEED_IDS.alice}#1`,
    ]);
  });

  test('an alert about a user whose incident someone opened already is said in that thread, once; no second incident', async () => {
    const ctx = await getContext();
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain bob.brown@contoso.example'));
    const [manual] = await waitFor(
      async () => {
        const found = await ctx.store.findIncidents({ targetUserId: SEED_IDS.bob });
        return found[0]?.threads.teams ? found : undefined;
      },
      { what: "Bob's incident" },
    );
    const cardsBefore = [teamsCards().length, slackCards().length];
    await admin('/sandbox/alerts', {
      userId: SEED_IDS.bob,
      source: 'defender',
      severity: 'high',
      title: 'Suspicious inbox forwarding rule',
    });
    const [request] = (await pollAlerts(ctx)).requests.filter((r) => r.userId === SEED_IDS.bob);
    await openAlertIncident(ctx, request);
    await openAlertIncident(ctx, request); // redelivered: nothing said twice
    expect(await ctx.store.findIncidents({ targetUserId: SEED_IDS.bob })).toHaveLength(1);
    expect([teamsCards().length, slackCards().length]).toEqual(cardsBefore);
    const notes = stack.connector.all().filter((r) => json(r.activity).includes('New alert about'));
    expect(notes).toHaveLength(1);
    expect(notes[0].conversationId).toBe(manual.threads.teams!.conversationId);
    expect(json(notes[0].activity)).toContain('Suspicious inbox forwarding rule');
    const kept = (await ctx.store.getIncident(manual.id))!;
    expect(kept.facts.laterAlerts?.map((a) => a.key)).toEqual([request.key]);

    // Closing Bob's incident starts his next generation, as for one an alert opened: a newer report opens an incident.
    await post(stack, channelMention(stack, PEOPLE.avery, `close ${manual.id}`));
    await waitFor(async () => (await ctx.store.getIncident(manual.id))!.state === 'closed', { what: "Bob's incident closed" });
    await new Promise((r) => setTimeout(r, 5));
    await admin('/sandbox/alerts', { userId: SEED_IDS.bob, source: 'defender', severity: 'high', title: 'Stolen session cookie was used' });
    const next = (await pollAlerts(ctx)).requests.filter((r) => r.userId === SEED_IDS.bob);
    expect(next.map((r) => r.key)).toEqual([`alert:${SEED_IDS.bob}#${request.generation + 1}`]);
    await openAlertIncident(ctx, next[0]);
    const incidents = await ctx.store.findIncidents({ targetUserId: SEED_IDS.bob });
    expect(incidents).toHaveLength(2);
    expect(incidents.find((i) => i.id !== manual.id)!.facts.alert?.key).toBe(next[0].key);
  });
});
