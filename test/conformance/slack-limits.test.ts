import { FakeSlackApi } from '../../sandbox/slack-api';

/**
 * The fake Slack Web API refuses what Slack refuses, as Slack answers. Each limit is tested at the limit (taken) and one
 * past it (refused, nothing posted). Sources are cited per describe block; the refusal sentences ("must be less than
 * N characters", "no more than N items allowed", each with a JSON pointer) are not quoted in Slack's docs: they are
 * the wording public reports and client libraries record from Slack's own answers (e.g. "no more than 50 items
 * allowed [json-pointer:/blocks]" for the 51st block).
 */
const BLOCKS = 'https://api.slack.com/reference/block-kit/blocks';
const ELEMENTS = 'https://api.slack.com/reference/block-kit/block-elements';
const COMPOSITION = 'https://api.slack.com/reference/block-kit/composition-objects';
const POST = 'https://api.slack.com/methods/chat.postMessage';

let slack: FakeSlackApi;
beforeEach(() => {
  slack = new FakeSlackApi();
});

type Answer = {
  ok: boolean;
  error?: string;
  errors?: string[];
  ts?: string;
  message_ts?: string;
  response_metadata?: { messages?: string[]; warnings?: string[] };
};
const call = (method: string, args: Record<string, unknown>): Answer =>
  slack.handle(method, JSON.stringify({ channel: 'C0SOC', ...args }), 'application/json; charset=utf-8', 'Bearer xoxb-test').body as Answer;
const post = (blocks: unknown[], text = 'fallback') => call('chat.postMessage', { text, blocks });

const x = (n: number) => 'x'.repeat(n);
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (extra: Record<string, unknown> = {}) => ({
  type: 'button',
  text: plain('Approve'),
  action_id: 'contain.approve',
  value: 'INC-1/a01',
  ...extra,
});
const confirm = (extra: Record<string, unknown> = {}) => ({
  title: plain('Approve?'),
  text: plain('Runs at once.'),
  confirm: plain('Approve'),
  deny: plain('Cancel'),
  ...extra,
});
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });

/** Refused with invalid_blocks, Slack's sentences in `errors` and as [ERROR] lines, and nothing stored. */
function expectRefused(r: Answer, ...sentences: string[]): void {
  expect(r).toMatchObject({ ok: false, error: 'invalid_blocks', errors: sentences });
  expect(r.response_metadata?.messages).toEqual(sentences.map((s) => `[ERROR] ${s}`));
  expect(slack.messages.size).toBe(0);
  expect(slack.all().at(-1)?.error).toBe('invalid_blocks');
}

describe(`blocks per message: "up to 50 blocks in each message" (${BLOCKS})`, () => {
  test('50 blocks are posted', () => {
    expect(post(Array.from({ length: 50 }, () => ({ type: 'divider' }))).ok).toBe(true);
    expect(slack.messages.size).toBe(1);
  });
  test('51 blocks are refused: "no more than 50 items allowed [json-pointer:/blocks]"', () => {
    expectRefused(post(Array.from({ length: 51 }, () => ({ type: 'divider' }))), 'no more than 50 items allowed [json-pointer:/blocks]');
  });
});

describe(`section block (${BLOCKS}#section)`, () => {
  test('text of 3,000 characters is taken; 3,001 is refused, naming the text object and its text', () => {
    expect(post([section(x(3000))]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([{ type: 'divider' }, section(x(3001))]),
      'failed to match all allowed schemas [json-pointer:/blocks/1/text]',
      'must be less than 3001 characters [json-pointer:/blocks/1/text/text]',
    );
  });
  test('10 fields are taken; 11 are refused', () => {
    expect(post([{ type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f')) }]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }]),
      'no more than 10 items allowed [json-pointer:/blocks/0/fields]',
    );
  });
  test('a field of 2,000 characters is taken; 2,001 is refused', () => {
    expect(post([{ type: 'section', fields: [mrkdwn(x(2000))] }]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([{ type: 'section', fields: [mrkdwn('a'), mrkdwn(x(2001))] }]),
      'must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]',
    );
  });
  test('block_id: 255 characters taken, 256 refused (every block)', () => {
    expect(post([{ ...section('a'), block_id: x(255) }]).ok).toBe(true);
    slack.clear();
    expectRefused(post([{ ...section('a'), block_id: x(256) }]), 'must be less than 256 characters [json-pointer:/blocks/0/block_id]');
  });
  test('an accessory button is held to the button limits', () => {
    expectRefused(
      post([{ ...section('a'), accessory: button({ value: x(2001) }) }]),
      'must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]',
    );
  });
});

describe(`actions block: "a maximum of 25 elements in each action block" (${BLOCKS}#actions)`, () => {
  test('25 buttons are taken; 26 are refused', () => {
    expect(post([actions(...Array.from({ length: 25 }, (_, i) => button({ action_id: `b${i}` })))]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([actions(...Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })))]),
      'no more than 25 items allowed [json-pointer:/blocks/0/elements]',
    );
  });
});

describe(`context block: "Maximum number of items is 10" (${BLOCKS}#context)`, () => {
  test('10 elements are taken; 11 are refused; each text element is a text object of at most 3,000', () => {
    expect(post([{ type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) }]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }]),
      'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
    );
    slack.clear();
    expectRefused(
      post([{ type: 'context', elements: [mrkdwn(x(3001))] }]),
      'must be less than 3001 characters [json-pointer:/blocks/0/elements/0/text]',
    );
  });
});

describe(`header block: "Maximum length for the text in this field is 150 characters" (${BLOCKS}#header)`, () => {
  test('150 taken; 151 refused', () => {
    expect(post([{ type: 'header', text: plain(x(150)) }]).ok).toBe(true);
    slack.clear();
    expectRefused(post([{ type: 'header', text: plain(x(151)) }]), 'must be less than 151 characters [json-pointer:/blocks/0/text/text]');
  });
});

describe(`button element (${ELEMENTS}#button)`, () => {
  test.each([
    ['text', 75, (s: string) => ({ text: plain(s) }), 'text/text'],
    ['action_id', 255, (s: string) => ({ action_id: s }), 'action_id'],
    ['url', 3000, (s: string) => ({ url: s }), 'url'],
    ['value', 2000, (s: string) => ({ value: s }), 'value'],
    ['accessibility_label', 75, (s: string) => ({ accessibility_label: s }), 'accessibility_label'],
  ])('%s: %i characters taken, one more refused', (_name, max, field, pointer) => {
    expect(post([actions(button(field(x(max))))]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([actions(button(field(x(max + 1))))]),
      `must be less than ${max + 1} characters [json-pointer:/blocks/0/elements/0/${pointer}]`,
    );
  });
});

describe(`confirmation dialog object (${COMPOSITION}#confirm)`, () => {
  test.each([
    ['title', 100],
    ['text', 300],
    ['confirm', 30],
    ['deny', 30],
  ])('%s: %i characters taken, one more refused', (field, max) => {
    expect(post([actions(button({ confirm: confirm({ [field]: plain(x(max)) }) }))]).ok).toBe(true);
    slack.clear();
    expectRefused(
      post([actions(button({ confirm: confirm({ [field]: plain(x(max + 1)) }) }))]),
      `must be less than ${max + 1} characters [json-pointer:/blocks/0/elements/0/confirm/${field}/text]`,
    );
  });
});

describe(`text object: "maximum length is 3000 characters" (${COMPOSITION}#text)`, () => {
  test('every violation in one message is reported, in block order', () => {
    const r = post([{ type: 'header', text: plain(x(151)) }, actions(button({ text: plain(x(76)) }))]);
    expectRefused(
      r,
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
      'must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]',
    );
  });
});

describe(`message text: "Slack will truncate messages containing more than 40,000 characters" (${POST}#truncating)`, () => {
  // https://api.slack.com/changelog/2018-04-truncating-really-long-messages gives the warning's shape.
  test('chat.postMessage posts 40,000 characters whole, and truncates 40,001 with a message_truncated warning', () => {
    const whole = call('chat.postMessage', { text: x(40_000) });
    expect(whole.ok).toBe(true);
    expect(whole.response_metadata).toBeUndefined();
    const cut = call('chat.postMessage', { text: x(40_001) });
    expect(cut).toMatchObject({ ok: true, response_metadata: { warnings: ['message_truncated'] } });
    expect(cut.response_metadata?.messages?.[0]).toMatch(/^\[WARN\] Your message was truncated but still posted/);
    expect(slack.messages.get(`C0SOC/${cut.ts}`)?.text).toHaveLength(40_000);
  });
  test('chat.postEphemeral truncates the same way', () => {
    const r = call('chat.postEphemeral', { user: 'U0RILEY', text: x(40_001) });
    expect(r).toMatchObject({ ok: true, response_metadata: { warnings: ['message_truncated'] } });
    expect(slack.messages.get(`C0SOC/${r.message_ts}`)?.text).toHaveLength(40_000);
  });
  test('chat.postEphemeral is held to the Block Kit limits', () => {
    expectRefused(
      call('chat.postEphemeral', { user: 'U0RILEY', text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }),
      'no more than 50 items allowed [json-pointer:/blocks]',
    );
  });
});

describe('chat.update (https://api.slack.com/methods/chat.update#errors)', () => {
  const posted = () => call('chat.postMessage', { text: 'card', blocks: [section('a')] }).ts!;
  test('"msg_too_long: The text field cannot exceed 4,000 characters": 4,000 taken, 4,001 refused and the message kept', () => {
    const ts = posted();
    expect(call('chat.update', { ts, text: x(4000) }).ok).toBe(true);
    expect(call('chat.update', { ts, text: x(4001) })).toEqual({ ok: false, error: 'msg_too_long' });
    expect(slack.messages.get(`C0SOC/${ts}`)?.text).toHaveLength(4000);
  });
  test('an update with blocks past a limit is refused with invalid_blocks and the message is left as it was', () => {
    const ts = posted();
    const r = call('chat.update', { ts, text: 'card', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) });
    expect(r).toMatchObject({ ok: false, error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] });
    expect(slack.messages.get(`C0SOC/${ts}`)?.blocks).toEqual([section('a')]);
  });
});

describe('form-encoded calls (as @slack/web-api sends them)', () => {
  test('blocks sent as a JSON string field are checked; a string that is not JSON is invalid_blocks_format', () => {
    const form = (blocks: string) =>
      slack.handle(
        'chat.postMessage',
        new URLSearchParams({ token: 'xoxb-test', channel: 'C0SOC', text: 't', blocks }).toString(),
        'application/x-www-form-urlencoded',
        undefined,
      ).body;
    expect(form(JSON.stringify(Array.from({ length: 51 }, () => ({ type: 'divider' }))))).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
    });
    expect(form('[not json')).toEqual({ ok: false, error: 'invalid_blocks_format' });
    expect(form(JSON.stringify([section('fine')]))).toMatchObject({ ok: true });
  });
});

describe(`checkboxes: "A maximum of 10 options are allowed" (${ELEMENTS}#checkboxes); option text and description 75, value 150 (${COMPOSITION}#option)`, () => {
  const option = (i: number, extra: Record<string, unknown> = {}) => ({
    text: mrkdwn(`user${i}@contoso.example`),
    value: String(i),
    ...extra,
  });
  const boxes = (n: number, extra: Record<string, unknown> = {}) => {
    const options = Array.from({ length: n }, (_, i) => option(i, extra));
    return actions({ type: 'checkboxes', action_id: 'wave-pick.0', options, initial_options: options });
  };
  test('10 options, at the text, description and value limits, are posted', () => {
    expect(post([boxes(10, { text: mrkdwn(x(75)), description: mrkdwn(x(75)), value: x(150) })]).ok).toBe(true);
  });
  test('11 options are refused (options and initial_options alike)', () => {
    expectRefused(
      post([boxes(11)]),
      'no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]',
      'no more than 10 items allowed [json-pointer:/blocks/0/elements/0/initial_options]',
    );
  });
  test("an option's text, description or value one past its limit is refused", () => {
    const over = actions({
      type: 'checkboxes',
      action_id: 'p',
      options: [option(0, { text: mrkdwn(x(76)), description: mrkdwn(x(76)), value: x(151) })],
    });
    expectRefused(
      post([over]),
      'must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]',
      'must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/description/text]',
      'must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]',
    );
  });
});
