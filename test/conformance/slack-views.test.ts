import { FakeSlackApi } from '../../sandbox/slack-api';
import { SLACK_VIEW_LIMITS } from '../../sandbox/slack-views';

/**
 * The fake Slack Web API opens and updates modals as Slack does, refusing what Slack refuses. Each limit at the limit
 * (taken) and one past it (refused, nothing opened). The refusal sentences are not quoted in Slack's docs; they are the
 * wording public reports record from Slack's answers ("[ERROR] must be less than 25 characters
 * [json-pointer:/view/title/text]" with `invalid_arguments`).
 */
const MODAL = 'https://docs.slack.dev/reference/views/modal-views';
const OPEN = 'https://docs.slack.dev/reference/methods/views.open';
const UPDATE = 'https://docs.slack.dev/reference/methods/views.update';
const TRIGGER = 'https://docs.slack.dev/tools/bolt-js/concepts/creating-modals';

const now = 1_764_500_000_000;
let slack: FakeSlackApi;
let n = 0;
beforeEach(() => {
  slack = new FakeSlackApi({ now: () => now });
});

type Answer = { ok: boolean; error?: string; view?: { id: string; hash: string }; response_metadata?: { messages?: string[] } };
const call = (method: string, args: Record<string, unknown>): Answer =>
  slack.handle(method, JSON.stringify(args), 'application/json; charset=utf-8', 'Bearer xoxb-test').body as Answer;
const plain = (text: string) => ({ type: 'plain_text', text });
const view = (extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: plain('Step 5: 13 actions'),
  close: plain('Close'),
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a' } }],
  ...extra,
});
const trigger = (issued = now) => `${issued}.${++n}.test`;
const open = (v: unknown, t = trigger()) => call('views.open', { trigger_id: t, view: v });
const x = (k: number) => 'x'.repeat(k);

function expectRefused(r: Answer, ...sentences: string[]): void {
  expect(r).toMatchObject({ ok: false, error: 'invalid_arguments' });
  expect(r.response_metadata?.messages).toEqual(sentences.map((s) => `[ERROR] ${s}`));
  expect(slack.modals.views.size).toBe(0);
}

describe(`modal view fields (${MODAL})`, () => {
  test('a title of 24 characters is taken; 25 are refused', () => {
    expect(open(view({ title: plain(x(24)) })).ok).toBe(true);
    slack.clear();
    expectRefused(open(view({ title: plain(x(25)) })), 'must be less than 25 characters [json-pointer:/view/title/text]');
  });
  test('close and submit: 24 characters taken, 25 refused', () => {
    expect(open(view({ close: plain(x(24)), submit: plain(x(24)) })).ok).toBe(true);
    slack.clear();
    expectRefused(open(view({ close: plain(x(25)) })), 'must be less than 25 characters [json-pointer:/view/close/text]');
  });
  test('100 blocks are taken; 101 are refused', () => {
    expect(open(view({ blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) })).ok).toBe(true);
    slack.clear();
    expectRefused(
      open(view({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) })),
      'no more than 100 items allowed [json-pointer:/view/blocks]',
    );
  });
  test('blocks inside a modal keep the Block Kit limits (section text 3,000)', () => {
    expectRefused(
      open(view({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: x(3001) } }] })),
      'failed to match all allowed schemas [json-pointer:/view/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]',
    );
  });
  test('private_metadata 3,000 and callback_id 255 are taken; one more is refused', () => {
    expect(open(view({ private_metadata: x(3000), callback_id: x(255) })).ok).toBe(true);
    slack.clear();
    expectRefused(open(view({ private_metadata: x(3001) })), 'must be less than 3001 characters [json-pointer:/view/private_metadata]');
    expectRefused(open(view({ callback_id: x(256) })), 'must be less than 256 characters [json-pointer:/view/callback_id]');
  });
  test(`a view over 250 kB is refused with view_too_large (${OPEN})`, () => {
    const big = Array.from({ length: 90 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: x(2900) } }));
    expect(open(view({ blocks: big })).error).toBe('view_too_large');
  });
});

describe(`trigger ids: "within 3 seconds of receiving it" (${TRIGGER}), used once`, () => {
  test('a trigger is exchanged once: the second views.open with it is refused', () => {
    const t = trigger();
    expect(open(view(), t).ok).toBe(true);
    expect(open(view(), t)).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
  });
  test('a trigger issued 3 seconds ago is taken; a moment later it has expired', () => {
    expect(open(view(), trigger(now - SLACK_VIEW_LIMITS.triggerMs)).ok).toBe(true);
    expect(open(view(), trigger(now - SLACK_VIEW_LIMITS.triggerMs - 1))).toMatchObject({ ok: false, error: 'expired_trigger_id' });
  });
  test('no trigger: invalid_trigger_id', () => {
    expect(call('views.open', { view: view() })).toMatchObject({ ok: false, error: 'invalid_trigger_id' });
  });
});

describe(`views.update (${UPDATE})`, () => {
  test('replaces an open view, checked as views.open checks it; an unknown view_id is not_found; a stale hash conflicts', () => {
    const opened = open(view());
    const id = opened.view!.id;
    expect(call('views.update', { view_id: id, view: view({ blocks: [{ type: 'divider' }] }) }).ok).toBe(true);
    expect(slack.modals.views.get(id)!.view.blocks).toEqual([{ type: 'divider' }]);
    expect(call('views.update', { view_id: id, view: view({ title: plain(x(25)) }) })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    expect(call('views.update', { view_id: 'V0NOPE', view: view() })).toMatchObject({ ok: false, error: 'not_found' });
    expect(call('views.update', { view_id: id, hash: opened.view!.hash, view: view() })).toMatchObject({
      ok: false,
      error: 'hash_conflict',
    });
  });
});
