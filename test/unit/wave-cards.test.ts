import { renderAdaptive } from '../../cards/adaptive/render';
import { renderBlockKit } from '../../cards/blockkit/render';
import { TEAMS_LIMITS, adaptiveCardProblem, teamsPayloadBytes } from '../../sandbox/teams-limits';
import { blockKitErrors } from '../../sandbox/slack-limits';
import type { View } from '../../src/views/types';
import { adaptiveCardProblems } from '../helpers/adaptive';
import { campaign, waveScope } from '../fixtures/views/wave';

/**
 * The phishing wave's cards (the scope card offering Contain all N, the campaign card) against the limits the fakes
 * enforce (sandbox/teams-limits.ts, sandbox/slack-limits.ts): at 100 users one row each, at 1,000 the first 100 and a
 * summary. Small ones are snapshot-tested and validated by the official Adaptive Cards parser.
 */
const teamsBytes = (v: View) =>
  teamsPayloadBytes(
    JSON.stringify({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: renderAdaptive(v) }],
    }),
  );

describe('wave cards, small: snapshots', () => {
  test.each<[string, View]>([
    ['scope offering Contain all 3', waveScope(3, 2)],
    ['campaign of 8', campaign(8)],
  ])('%s', (_name, view) => {
    expect(renderAdaptive(view)).toMatchSnapshot('teams');
    expect(renderBlockKit(view)).toMatchSnapshot('slack');
    expect(adaptiveCardProblems(renderAdaptive(view))).toEqual([]);
  });
});

describe.each([100, 1000])('%i users fit both platforms', (n) => {
  test.each<[string, View]>([
    ['the scope card', waveScope(n, 40)],
    ['the campaign card', campaign(n)],
  ])('%s: Teams under its 80 KB advice, a card Teams shows; Slack takes the blocks', (_name, view) => {
    const bytes = teamsBytes(view);
    expect(bytes).toBeLessThan(TEAMS_LIMITS.recommendedBytes);
    expect(adaptiveCardProblem(renderAdaptive(view))).toBeUndefined();
    const slack = renderBlockKit(view);
    expect(blockKitErrors(slack.blocks)).toEqual([]);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(slack)).not.toContain('blocks omitted');
  });

  test('every listed user is on the scope card with a box and the reason; the rest are counted', () => {
    const v = waveScope(n);
    const teams = JSON.stringify(renderAdaptive(v));
    const slack = JSON.stringify(renderBlockKit(v));
    for (const u of v.wave!.listed) {
      expect(teams).toContain(`"value":"${u.key}"`);
      expect(slack).toContain(`"value":"${u.key}"`);
    }
    expect(teams).toContain(`Contain all ${n}`);
    expect(slack).toContain(`Contain all ${n}`);
    if (n > 100) for (const text of [teams, slack]) expect(text).toContain(`and ${n - 100} more, all in the wave`);
  });

  test('the campaign card has one compact row per user up to 100, then says how many more', () => {
    const v = campaign(n);
    for (const text of [JSON.stringify(renderAdaptive(v)), JSON.stringify(renderBlockKit(v))]) {
      for (const r of v.rows) expect(text).toContain(r.upn);
      if (n > 100) expect(text).toContain(`and ${n - 100} more users`);
    }
  });
});
