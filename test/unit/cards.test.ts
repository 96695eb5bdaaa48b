import { renderAdaptive } from '../../cards/adaptive/render';
import { renderBlockKit, SLACK_LIMITS, type Block } from '../../cards/blockkit/render';
import type { ContainmentView, View } from '../../src/views/types';
import * as views from '../fixtures/views';
import * as bigViews from '../fixtures/views/big';
import { visible } from '../../cards/text';
import { adaptiveCardProblems } from '../helpers/adaptive';

const all: [string, View][] = [
  ['containment', views.containment],
  ['expired', views.expired],
  ['refused', views.refused],
  ['alerted', views.alerted],
  ['undoable', views.undoable],
  ['unlicensed', views.unlicensed],
  ['chooser', views.chooser],
  ['error', views.error],
  ['help', views.help],
  ['investigation', views.investigation],
  ['scope', views.scope],
  ['hunt', views.hunt],
  ['posture', views.posture],
  ['posture-change', views.postureChange],
  ['hunt with the measure offered', views.huntWithOffer],
  ['report', views.report],
  ['incidents', views.incidents],
  ['blocked', views.blocked],
  ['doctor', views.doctor],
  ['big', bigViews.big],
  ['step list', bigViews.stepList],
  ['undo', bigViews.undoable],
];

describe('Adaptive Cards', () => {
  test.each(all)('%s card matches its snapshot', (_name, view) => {
    expect(renderAdaptive(view)).toMatchSnapshot();
  });

  test.each(all)('%s card has no parse or validation warnings from the official renderer', (_name, view) => {
    expect(adaptiveCardProblems(renderAdaptive(view))).toEqual([]);
  });

  test('the validator is not a rubber stamp', () => {
    expect(
      adaptiveCardProblems({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: 'x', color: 'Purple' }, { type: 'Carousel2' }],
      }),
    ).toHaveLength(2);
  });

  test.each([views.containment, bigViews.big])('buttons carry only a verb and an opaque reference', (view) => {
    const json = JSON.stringify(renderAdaptive(view));
    const datas = [...json.matchAll(/"data":(\{[^}]*\})/g)].map(
      (m) => JSON.parse(m[1].replace(/,"msteams".*$/, '}')) as Record<string, string>,
    );
    expect(datas.length).toBeGreaterThan(0);
    for (const d of datas) expect(Object.keys(d).sort()).toEqual(['ref', 'verb']);
  });

  test('a hostile display name cannot become a link, emphasis or a mention', () => {
    const view: ContainmentView = { ...views.containment, target: { ...views.containment.target, displayName: views.hostileName } };
    const json = JSON.stringify(renderAdaptive(view));
    expect(json).not.toContain('[Approve](https://evil.example)');
    expect(json).not.toContain('**URGENT**');
    expect(json).toContain('\\\\[Approve\\\\](https://evil.example)');
  });
});

describe('Block Kit', () => {
  test("long finding lists are split across sections, never cut at Slack's 3,000 characters", () => {
    const long = { ...views.investigation.findings[0], reason: 'x'.repeat(400) };
    const view = { ...views.investigation, findings: Array.from({ length: 12 }, (_, i) => ({ ...long, category: `c${i}` })) };
    const blocks = renderBlockKit(view).blocks;
    const texts = blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    for (let i = 0; i < 12; i++) expect(texts.join('\n')).toContain(`c${i} · \`152.42.161.220\`: ${'x'.repeat(400)}`);
    expect(texts.join('').includes('…')).toBe(false);
  });

  test.each(all)("%s message matches its snapshot and Slack's limits", (_name, view) => {
    const m = renderBlockKit(view);
    expect(m).toMatchSnapshot();
    checkLimits(m.blocks);
  });

  test('danger buttons ask for confirmation', () => {
    const buttons = renderBlockKit(views.containment)
      .blocks.flatMap((b) => (b.elements as Block[] | undefined) ?? [])
      .filter((e) => e.type === 'button');
    const reject = buttons.find((b) => b.action_id === 'contain.reject')!;
    expect(reject.style).toBe('danger');
    expect(reject.confirm).toBeDefined();
  });

  test("huge content is cut to Slack's limits instead of being rejected", () => {
    const many: ContainmentView = {
      ...views.containment,
      notes: Array.from({ length: 80 }, (_, i) => `note ${i} ${'x'.repeat(4000)}`),
      actions: Array.from({ length: 30 }, (_, i) => ({
        ...views.containment.actions[0],
        ref: `INC-20261125-0001/a${String(i).padStart(2, '0')}`,
        detail: 'y'.repeat(5000),
      })),
    };
    const m = renderBlockKit(many);
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    checkLimits(m.blocks);
  });

  test('a hostile display name cannot mention @channel or a person', () => {
    const view: ContainmentView = { ...views.containment, target: { ...views.containment.target, displayName: views.hostileName } };
    const m = renderBlockKit(view);
    // Slack parses mentions in mrkdwn objects and in the fallback text; plain_text (the header) is shown literally.
    const parsed = [m.text, ...JSON.stringify(m.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g)!];
    for (const t of parsed) expect(t).not.toMatch(/<@U0AVERY>|<!channel>/);
    expect(m.text).toContain('&lt;!channel&gt;');
  });
});

function checkLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of blocks) {
    const text = (b.text as { text?: string } | undefined)?.text;
    if (text) expect(text.length).toBeLessThanOrEqual(b.type === 'header' ? SLACK_LIMITS.headerText : SLACK_LIMITS.sectionText);
    for (const f of (b.fields as { text: string }[] | undefined) ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    for (const e of (b.elements as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof e.value === 'string') expect(e.value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
      if (typeof (e as { text?: unknown }).text === 'string')
        expect((e as { text: string }).text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  }
}

describe('bidi controls and invisible format characters', () => {
  // Bidi embeddings, overrides and isolates, the marks, the Arabic letter mark, and other invisible format characters.
  const HIDDEN = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u2060\u2061\uFEFF\u00AD\u{E0041}';
  const FOUND = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u2060-\u2064\uFEFF\u00AD]|\u{E0041}/u;
  // Keys that select code paths (not text shown to people) keep their values.
  const KEYS = new Set(['kind', 'state', 'tone', 'verdict', 'status', 'via', 'source', 'step']);
  const taint = (v: unknown, key = ''): unknown =>
    typeof v === 'string' && !KEYS.has(key)
      ? `\u202E${v}${HIDDEN}exe.pdf`
      : Array.isArray(v)
        ? v.map((x) => taint(x, key))
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, taint(x, k)]))
          : v;

  test.each(all)('%s: none reaches an Adaptive Card or a Slack message, in any field', (_name, view) => {
    const tainted = taint(view) as View;
    const teams = JSON.stringify(renderAdaptive(tainted));
    const slack = renderBlockKit(tainted);
    expect(teams).not.toMatch(FOUND);
    expect(JSON.stringify(slack)).not.toMatch(FOUND);
    expect(teams).toContain('\uFFFD'); // shown as a replacement character, so a reader sees something was hidden there
  });

  test('joiners that emoji and scripts need are kept', () => {
    expect(visible('👩\u200D💻 \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645')).toBe(
      '👩\u200D💻 \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645',
    );
    expect(visible('a\u202Eb')).toBe('a\uFFFDb');
  });
});
