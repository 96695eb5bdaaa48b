import type { LocalStack } from '../../sandbox/local-stack';
import type { SlackCall } from '../../sandbox/slack-api';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { TEAMS_LIMITS, teamsPayloadBytes } from '../../sandbox/teams-limits';
import { SLACK_LIMITS } from '../../sandbox/slack-limits';
import { getContext } from '../../src/runtime';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, channelMention, post, json } from '../helpers/teams';
import { postSlack, slashCommand } from '../helpers/slack';

/**
 * Alice's containment card through the real Teams and Slack handlers against fakes that enforce the platforms'
 * documented limits (test/conformance/teams-limits.test.ts, slack-limits.test.ts), as seeded and with 10 extra
 * suspicious objects of each kind (POST /sandbox/scenario {user, extra}). Big steps are summarised (issue 20): an
 * action is decidable from the card when it has its own buttons, or when its step has "Approve step" and the "Show
 * all" that lists it. The sizes measured are printed once, after the tests.
 */
let stack: LocalStack;
const measured: string[] = [];
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  if (measured.length) console.log(`Card sizes against the platforms' limits:\n${measured.join('\n')}`);
});
beforeEach(async () => {
  await stack.idle();
  stack.emulator.reset();
  stack.connector.clear();
  stack.slack.clear();
});

const TEN = { inboxRules: 10, methods: 10, devices: 10, apps: 10, flows: 10 };
const withExtra = () => stack.emulator.addScenario({ user: SEED_IDS.alice, extra: TEN });
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** The steps whose own button of `verb` is on the card (Teams: its data's ref; Slack: the button's value). */
const stepsWith = (text: string, verb: string): Set<number> =>
  new Set([...text.matchAll(new RegExp(`${verb}"[^}]*?"(?:ref|value)":"INC-\\d{8}-\\d{4}/s(\\d{2})"`, 'g'))].map((m) => Number(m[1])));

/**
 * The proposed actions of the incident a card is about, and how many of them the card offers a decision on: its own
 * Approve button, or its step's "Approve step" next to the "Show all" that names it.
 */
async function decisions(card: unknown): Promise<{ proposed: number; offered: number; own: number }> {
  const text = json(card);
  const incidentId = /INC-\d{8}-\d{4}/.exec(text)![0];
  const proposed = (await (await getContext()).store.listActions(incidentId)).filter((a) => a.state === 'proposed');
  const [approve, show] = [stepsWith(text, 'approve-step'), stepsWith(text, 'show-step')];
  const own = proposed.filter((a) => text.includes(`"${a.incidentId}/${a.id}"`));
  return {
    proposed: proposed.length,
    own: own.length,
    offered: proposed.filter((a) => own.includes(a) || (approve.has(a.step) && show.has(a.step))).length,
  };
}

/** `contain alice` from a Teams channel; the containment card's first delivery attempt, taken or refused. */
async function teamsCard(label: string): Promise<{ accepted: boolean; bytes: number; proposed: number; offered: number; own: number }> {
  expect((await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'))).status).toBe(200);
  const isCard = (activity: unknown) => json(activity).includes('"verb":"approve"');
  const attempt = await waitFor(
    () =>
      stack.connector.all().find((r) => r.op !== 'update' && isCard(r.activity)) ??
      stack.connector.refusals().find((r) => isCard(r.activity)),
    { what: 'containment card sent or refused', timeoutMs: 30_000 },
  );
  const bytes = teamsPayloadBytes(JSON.stringify(attempt.activity));
  const refusal = 'code' in attempt ? `refused ${attempt.status} ${attempt.code}` : undefined;
  const body = (((attempt.activity.attachments as { content: { body?: unknown[] } }[] | undefined) ?? [])[0]?.content.body ?? []).length;
  const d = await decisions(attempt.activity);
  measured.push(
    `Teams ${label}: ${bytes} UTF-16 bytes (${kb(bytes)}; limit ${kb(stack.connector.limits.maxMessageBytes)}, advice ${kb(TEAMS_LIMITS.recommendedBytes)}), ${body} top-level card elements, decisions offered on ${d.offered} of ${d.proposed} proposed actions (${d.own} with their own buttons), ${refusal ?? 'posted'}`,
  );
  return { accepted: !refusal, bytes, ...d };
}

/** /contain alice in Slack; the containment card's chat.postMessage, taken or refused. */
async function slackCard(label: string): Promise<{ accepted: boolean; blocks: number; proposed: number; offered: number; own: number }> {
  expect((await postSlack(stack, slashCommand('contain alice'))).status).toBe(200);
  const call = await waitFor(
    () => stack.slack.all().find((c: SlackCall) => c.method === 'chat.postMessage' && json(c.args.blocks).includes('contain.approve')),
    { what: 'containment card posted or refused', timeoutMs: 30_000 },
  );
  const blocks = Array.isArray(call.args.blocks) ? call.args.blocks.length : 0;
  const bytes = teamsPayloadBytes(JSON.stringify({ text: call.args.text, blocks: call.args.blocks }));
  const d = await decisions(call.args.blocks);
  const omitted = /(\d+) blocks omitted/.exec(json(call.args.blocks))?.[1];
  measured.push(
    `Slack ${label}: ${blocks} blocks (limit ${SLACK_LIMITS.blocksPerMessage})${omitted ? ` after the renderer cut ${omitted}` : ''}, ${bytes} UTF-16 bytes of text and blocks, decisions offered on ${d.offered} of ${d.proposed} proposed actions (${d.own} with their own buttons), ${call.error ? `refused ${call.error}` : 'posted'}`,
  );
  return { accepted: !call.error, blocks, ...d };
}

describe('Alice as seeded: the card fits both platforms and offers every decision', () => {
  test('Teams posts it, under the 80 KB Microsoft advises', async () => {
    const card = await teamsCard('Alice as seeded');
    expect(card).toMatchObject({ accepted: true, offered: card.proposed });
    expect(card.bytes).toBeLessThan(TEAMS_LIMITS.recommendedBytes);
  });

  test('Slack posts it, within 50 blocks', async () => {
    const card = await slackCard('Alice as seeded');
    expect(card).toMatchObject({ accepted: true, offered: card.proposed });
    expect(card.blocks).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  });
});

test("PUT /sandbox/connector/limits: against the 40 KB the Teams docs once gave, Alice's card as seeded is already refused", async () => {
  const put = (body: unknown) =>
    fetch(`${stack.url}/sandbox/connector/limits`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await put({ maxMessageBytes: 'big' })).status).toBe(400);
  expect((await put({ maxMessageBytes: 40_000 })).status).toBe(200);
  try {
    expect(await teamsCard('Alice as seeded, 40 KB limit')).toMatchObject({ accepted: false });
  } finally {
    await put({ maxMessageBytes: TEAMS_LIMITS.messageBytes });
  }
  expect(stack.connector.limits.maxMessageBytes).toBe(TEAMS_LIMITS.messageBytes);
});

describe('Alice with 10 extra suspicious objects of each kind: big steps summarised, every action decidable', () => {
  // Every action on the card, as before the redesign, was about 207 KB of UTF-16: Teams answered 413.
  test('Teams posts the containment card under the 80 KB Microsoft advises, offering a decision on every proposed action', async () => {
    withExtra();
    const card = await teamsCard('Alice + 10 of each kind');
    expect(card).toMatchObject({ accepted: true, offered: card.proposed });
    expect(card.bytes).toBeLessThan(TEAMS_LIMITS.recommendedBytes);
    expect(card.own).toBeGreaterThan(0);
  });

  // Before the redesign the renderer kept Slack's 50 blocks by cutting the top of the card: most proposed actions
  // (and Approve all) were not on it.
  test('Slack posts the containment card within 50 blocks, offering a decision on every proposed action', async () => {
    withExtra();
    const card = await slackCard('Alice + 10 of each kind');
    expect(card).toMatchObject({ accepted: true, offered: card.proposed });
    expect(card.blocks).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(card.own).toBeGreaterThan(0);
  });
});
