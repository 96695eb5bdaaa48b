import fc from 'fast-check';
import { timelineEvents, timelineLanes } from '../../src/investigate/timeline';
import { markdownImage, timelineSvg } from '../../src/views/timeline-svg';

const ALLOWED = new Set(['svg', 'title', 'rect', 'text', 'line', 'g', 'circle']);

/** Tags nest properly, every tag is one we draw, and text holds no raw markup characters. */
function wellFormed(svg: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    if (/[<>]|&(?!(amp|lt|gt|quot|#39);)/.test(text)) problems.push(`raw markup in text: ${text.slice(0, 60)}`);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (!ALLOWED.has(name)) problems.push(`tag ${name}`);
    if (close) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else if (!selfClose) stack.push(name);
  }
  if (svg.slice(last).trim()) problems.push('trailing text');
  if (stack.length) problems.push(`unclosed ${stack.join(',')}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202A-\u202E\u2066-\u2069]/.test(svg)) problems.push('forbidden characters');
  return problems;
}

const HOSTILE = '"><script>alert(1)</script><a href="javascript:alert(2)">x</a>]]><!-- \u0000\u001b\u202e& <foreignObject>';

test('text from the logs (subjects, rule names, agents) cannot add markup to the picture', () => {
  const events = timelineEvents([
    { time: '2026-11-23T17:30:00Z', category: 'phishing-mail', reason: `"${HOSTILE}" from x@y.example` },
    { time: '2026-11-23T17:52:00Z', category: 'inbox-rule', reason: `New-InboxRule: a rule named ${HOSTILE}` },
    { time: '2026-11-23T17:53:00Z', category: 'collection', reason: HOSTILE },
  ]);
  const svg = timelineSvg(
    timelineLanes({ events, containment: [{ time: '2026-11-24T08:00:00Z', label: HOSTILE }] }),
    `Incident for ${HOSTILE}`,
  )!;
  expect(wellFormed(svg)).toEqual([]);
  expect(svg).not.toMatch(/<script|<a |<foreignObject|<!--|javascript:alert\(2\)">/);
  expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(markdownImage(svg, `[${HOSTILE}]`)).toMatch(/^!\[[^[\]]*\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)$/);
});

test('any text at all keeps the picture well formed', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string(), (label, title) => {
      const svg = timelineSvg(
        timelineLanes({
          events: [{ phase: 'access', time: '2026-01-01T00:00:00Z', label }],
          spans: [{ phase: 'persistence', start: '2026-01-01T01:00:00Z', end: '2026-01-01T02:00:00Z', count: 3, first: label }],
        }),
        title,
      )!;
      expect(wellFormed(svg)).toEqual([]);
    }),
    { numRuns: 300 },
  );
});

test('every stage has its lane on one axis; a burst of thousands of records is a few marks, not thousands', () => {
  const burst = Array.from({ length: 20_000 }, (_, i) => ({
    time: new Date(Date.parse('2026-11-23T18:00:00Z') + i * 1000).toISOString(),
    category: 'collection',
    reason: `MailItemsAccessed ${i}`,
  }));
  const svg = timelineSvg(
    timelineLanes({
      events: timelineEvents([
        { time: '2026-11-23T17:30:00Z', category: 'phishing-mail', reason: 'lure' },
        { time: '2026-11-23T17:40:00Z', category: 'device-code-phishing', reason: 'grant' },
        ...burst,
      ]),
      containment: [{ time: '2026-11-24T09:00:00Z', label: 'Revoke sessions' }],
    }),
    'Incident',
  )!;
  for (const lane of ['Phishing mail', 'Initial access and sign-ins', 'Persistence', 'Collection', 'Mail sent', 'Containment'])
    expect(svg).toContain(`>${lane}</text>`);
  expect(svg.length).toBeLessThan(120_000);
  expect((svg.match(/<circle/g) ?? []).length).toBeLessThan(200);
  expect(svg).toContain('Revoke sessions');
});

test('nothing to draw, no picture', () => {
  expect(timelineSvg(timelineLanes({}), 'Incident')).toBeUndefined();
});
