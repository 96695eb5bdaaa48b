/**
 * A phishing wave through the real handlers (issue 16): `scope alice` in a tenant where her phishing mail reached more
 * people, some of whom signed in through the attacker's proxy, offers "Contain all N"; one approval by a second person
 * (an approver, not whoever ran scope) contains every ticked user, each in a linked incident with the same analysis and
 * snapshots, as queue work; progress is one message edited in place; nothing is changed twice.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { getContext } from '../../src/runtime';
import { loadCampaign } from '../../src/wave/campaign';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json, post } from '../helpers/teams';
import { blockAction, postSlack, slashCommand } from '../helpers/slack';

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

/** Changes made to the tenant, by method and path: the wave must make each at most once. */
const changes = () =>
  stack.emulator
    .requests()
    .filter(
      (r) =>
        r.method !== 'GET' &&
        r.status < 300 &&
        !r.path.endsWith('/$batch') &&
        !/checkMember|runHuntingQuery|auditLog\/queries/.test(r.path),
    );
const waveDone = async (id: string) =>
  waitFor(async () => ((await loadCampaign(await getContext(), id))?.state === 'done' ? true : undefined), {
    what: 'the wave to finish',
    timeoutMs: 120_000,
  });

test('Teams: scope offers Contain all N; the requester may not approve; a second person approves all but one', async () => {
  const added = stack.emulator.addScenario({ phishRecipients: 8, compromised: 5 });
  await post(stack, channelMention(stack, PEOPLE.avery, 'scope alice'));
  const scopeCard = await waitFor(() => stack.connector.all().find((r) => json(cardsOf(r)).includes('"verb":"contain-all"')), {
    what: 'the scope card with Contain all',
    timeoutMs: 60_000,
  });
  const card = json(cardsOf(scopeCard));
  const campaignId = /"ref":"(CMP-\d{8}-[0-9a-f]{8})"/.exec(card)![1];
  // The seeded tenant has two more likely compromised recipients of the same mail (Carol, Erin) besides the scenario's.
  const listed = [...card.matchAll(/\{"title":"([^":]+): [^"]*","value":"(\d+)"\}/g)].map((m) => ({ upn: m[1], key: m[2] }));
  for (const v of added.added.filter((a) => a.compromised)) expect(listed.map((l) => l.upn)).toContain(v.upn);
  const n = listed.length;
  expect(card).toContain(`Contain all ${n}`);
  const out = listed.find((l) => l.upn === added.added[2].upn)!;
  const press = (who: (typeof PEOPLE)[keyof typeof PEOPLE], keys: string[]) =>
    post(stack, {
      ...executeInvoke(stack, who, 'contain-all', { ref: campaignId }, scopeCard.conversationId, scopeCard.activityId),
      value: {
        action: { type: 'Action.Execute', verb: 'contain-all', data: { verb: 'contain-all', ref: campaignId, wave: keys.join(',') } },
        trigger: 'manual',
      },
    });
  const all = listed.map((l) => l.key);

  // Avery ran scope: four-eyes. Riley is no approver.
  expect(json((await press(PEOPLE.avery, all)).body)).toContain('You ran scope');
  expect(json((await press(PEOPLE.riley, all)).body)).toMatch(/needs the approver role/);
  const before = changes().length;
  expect(
    json(
      (
        await press(
          PEOPLE.parker,
          all.filter((k) => k !== out.key),
        )
      ).body,
    ),
  ).toContain(`Approved: ${n - 1} user(s) will be contained, 1 left out`);
  expect(json((await press(PEOPLE.quinn, all)).body)).toContain('Already approved by Parker Patel');
  await waveDone(campaignId);
  await stack.idle();

  const ctx = await getContext();
  const ids = new Map(stack.emulator.state.users.map((u) => [u.userPrincipalName, u.id]));
  const incidents = await Promise.all(
    listed.map(async (l) => ({
      ...l,
      incidents: (await ctx.store.findIncidents({ targetUserId: ids.get(l.upn)! })).filter((i) => i.facts.campaign?.id === campaignId),
    })),
  );
  expect(incidents.map((l) => [l.upn, l.incidents.length])).toEqual(listed.map((l) => [l.upn, l.upn === out.upn ? 0 : 1]));
  for (const {
    incidents: [i],
  } of incidents.filter((l) => l.incidents.length)) {
    expect(i).toMatchObject({ requester: { name: 'Avery Adams' }, state: 'contained' });
    const actions = await ctx.store.listActions(i.id);
    expect(actions.length).toBeGreaterThanOrEqual(2);
    for (const a of actions.filter((x) => x.state !== 'skipped'))
      expect(a).toMatchObject({
        decision: { by: { name: 'Parker Patel' }, justification: `phishing wave ${campaignId}` },
        evidence: expect.anything(),
      });
  }
  // No change made twice.
  const made = changes()
    .slice(before)
    .map((r) => `${r.method} ${r.path}`);
  expect(made.length).toBeGreaterThan(n);
  expect(new Set(made).size).toBe(made.length);

  // One progress message, edited in place; the campaign card shows every row's outcome.
  const progress = stack.connector.all().filter((r) => String(r.activity.text ?? '').startsWith(`Wave ${campaignId}`));
  expect(progress.filter((r) => r.op !== 'update')).toHaveLength(1);
  expect(progress.at(-1)!.activity.text).toMatch(
    new RegExp(`^Wave ${campaignId}: \\d+ of ${n - 1} contained.*\\. Done\\. 1 left out \\(unticked\\)\\.$`),
  );
  const campaignCard = [...stack.connector.activities().values()].find((r) =>
    json(cardsOf(r)).includes(`Phishing wave: contain ${n - 1} users`),
  )!;
  expect(json(cardsOf(campaignCard))).toContain(`${out.upn} · … · left out`);
  expect(stack.connector.refusals()).toEqual([]);
});

test('Slack: the ticked boxes come from the message state; progress is one threaded message', async () => {
  stack.emulator.addScenario({ phishRecipients: 3, compromised: 2 });
  await postSlack(stack, slashCommand('scope alice'));
  const posted = await waitFor(
    () => stack.slack.all().find((c) => c.method === 'chat.postMessage' && json(c.args.blocks).includes('contain.contain-all')),
    { what: 'the scope message', timeoutMs: 60_000 },
  );
  const campaignId = /"value":"(CMP-[^"]+)"/.exec(json(posted.args.blocks))![1];
  const ts = [...stack.slack.messages.values()].find((m) => json(m.blocks).includes(campaignId))!.ts;
  const keys = [...json(posted.args.blocks).matchAll(/"value":"(\d+)"/g)].map((m) => m[1]);
  const state = { values: { 'wave-pick:0': { 'wave-pick.0': { type: 'checkboxes', selected_options: [{ value: keys[1] }] } } } };
  await postSlack(stack, blockAction('contain.contain-all', campaignId, 'U0AVERY', ts, { state }));
  await waveDone(campaignId);
  const ctx = await getContext();
  const c = (await loadCampaign(ctx, campaignId))!;
  expect(c.decision).toMatchObject({ by: { name: 'Avery Adams' }, excluded: [...new Set(keys)].filter((k) => k !== keys[1]).map(Number) });
  const progress = stack.slack.all().filter((call) => String(call.args.text ?? '').startsWith(`Wave ${campaignId}`));
  expect(progress.filter((p) => p.method === 'chat.postMessage')).toHaveLength(1);
  expect(progress[0].args.thread_ts).toBe(c.thread!.cardId);
  expect(progress.at(-1)!.args.text).toMatch(/: \d of 1 contained.*\. Done\. \d left out \(unticked\)\.$/);
  expect(stack.slack.all().filter((call) => call.error)).toEqual([]);
});
