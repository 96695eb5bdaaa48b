import { renderAdaptive } from '../../cards/adaptive/render';
import { cardBytes, TEAMS_CARD_BYTES, type AdaptiveCard } from '../../cards/adaptive/types';
import { renderBlockKit, renderSlackModal } from '../../cards/blockkit/render';
import { fitSteps } from '../../cards/budget';
import { blockKitErrors } from '../../sandbox/slack-limits';
import { modalErrors } from '../../sandbox/slack-views';
import { adaptiveCardProblem, TEAMS_LIMITS } from '../../sandbox/teams-limits';
import { decisionWords, rank, stateSummary, suspicion } from '../../src/views/steps';
import type { ActionView, ContainmentView, StepListView } from '../../src/views/types';
import { adaptiveCardProblems } from '../helpers/adaptive';
import * as views from '../fixtures/views';
import { big, stepList, undoable } from '../fixtures/views/big';

const json = (v: unknown) => JSON.stringify(v);
const stepOf = (ref: string) => Number(ref.slice(-2));

describe('ranking and words (src/views/steps.ts)', () => {
  test("suspicion: a point a reason, three more for the attacker's IP or mail leaving the organisation, one for mail destroyed or sent on", () => {
    expect(suspicion('moves mail to RSS Feeds')).toBe(1);
    expect(suspicion('moves mail to RSS Feeds; marks the moved mail as read')).toBe(2);
    expect(suspicion('deletes mail; its name "x" is very short')).toBe(3);
    expect(suspicion('a phone was registered from attacker IP 152.42.161.220 at 2026-11-23 17:58 UTC')).toBe(4);
    expect(suspicion('forwards mail outside the organisation (ap.desk3@fabrikam-finance.example)')).toBe(5);
  });

  test("within a step: failed first, then waiting by suspicion, then the rest; steps in order; ties keep discovery's order", () => {
    const a = (step: number, state: ActionView['state'], reason: string, id: string) => ({ step, state, reason, id });
    const ranked = rank([
      a(5, 'succeeded', 'x; y; z', 'done'),
      a(5, 'proposed', 'x', 'weak'),
      a(3, 'proposed', 'x', 'other step'),
      a(5, 'proposed', 'forwards mail outside the organisation', 'strong'),
      a(5, 'failed', 'x', 'failed'),
      a(5, 'proposed', 'x', 'weak too'),
    ]);
    expect(ranked.map((x) => x.id)).toEqual(['other step', 'failed', 'strong', 'weak', 'weak too', 'done']);
  });

  test("a step's decision in words, and its state in counts", () => {
    expect(decisionWords(Array(13).fill({ kind: 'disableInboxRule' }))).toBe('disable 13 inbox rules');
    expect(
      decisionWords([{ kind: 'disableServicePrincipal' }, { kind: 'removeGrant' }, { kind: 'removeGrant' }, { kind: 'removeAppSecret' }]),
    ).toBe('turn off sign-in for 1 app, remove 2 consents and remove 1 app secret');
    expect(decisionWords([{ kind: 'revokeSessions' }])).toBe("revoke the user's sessions");
    expect(decisionWords([{ kind: 'revokeSessions' }, { kind: 'confirmCompromised' }])).toBe(
      "revoke the user's sessions and confirm the account compromised",
    );
    expect(stateSummary([{ state: 'proposed' }, { state: 'proposed' }])).toBe('2 actions, all waiting for approval');
    expect(stateSummary([{ state: 'succeeded' }, { state: 'failed' }, { state: 'succeeded' }])).toBe('3 actions: 2 done, 1 failed');
  });
});

describe('fitSteps: degrade step by step, never cut blindly', () => {
  test('small steps whole, big ones their top 3; then one finding fewer for the step showing the most, down to summaries, then compact', () => {
    const sizes = new Map([
      [1, 1],
      [3, 12],
      [5, 4],
      [7, 22],
    ]);
    const tried: string[] = [];
    const render = (shown: ReadonlyMap<number, number>, compact: boolean) => {
      tried.push(`${[...shown.values()].join(',')}${compact ? ' compact' : ''}`);
      return [...shown.values()].reduce((a, b) => a + b, 0);
    };
    expect(fitSteps(sizes, render, (total) => total <= 7)).toBe(7);
    expect(tried).toEqual(['1,3,4,3', '1,3,3,3', '1,3,3,2', '1,2,3,2', '1,2,2,2']);
    tried.length = 0;
    fitSteps(sizes, render, () => false);
    expect(tried.slice(-2)).toEqual(['0,0,0,0', '0,0,0,0 compact']);
  });
});

/** Every proposed action is decidable on the card: its own button, or its step's Approve step and Show all. */
function expectEveryDecisionOffered(v: ContainmentView, text: string, steps: (verb: string) => Set<number>): void {
  const [approve, show] = [steps('approve-step'), steps('show-step')];
  for (const a of v.actions.filter((x) => x.decidable))
    expect(text.includes(`"${a.ref}"`) || (approve.has(a.step) && show.has(a.step))).toBe(true);
}

describe('a big incident on both platforms', () => {
  test('Teams: within the budget, a card Teams shows, small steps whole and big steps as summary, top 3 and their buttons', () => {
    const card = renderAdaptive(big);
    expect(cardBytes(card)).toBeLessThanOrEqual(TEAMS_CARD_BYTES);
    expect(adaptiveCardProblem(card)).toBeUndefined();
    expect(adaptiveCardProblems(card)).toEqual([]);
    const text = json(card);
    expect(text).toContain('"title":"Approve step 5 (12)"');
    expect(text).toContain('Approving step 5 will disable 12 inbox rules for Alice Aoki, as soon as you confirm.');
    expect(text).toContain('"title":"Confirm: Disable 12 inbox rules","verb":"approve-step"');
    expect(text).toContain('"data":{"verb":"show-step","ref":"INC-20261125-0002/s05","msteams":{"type":"task/fetch"}}');
    // The most suspicious rules (forwarding outside) have their own buttons; the weakest is only in Show all.
    expect(text).toContain(`"ref":"${big.actions.find((a) => a.title.endsWith('"rule 0"'))!.ref}"`);
    expect(text).not.toContain(`"ref":"${big.actions.find((a) => a.title.endsWith('"rule 11"'))!.ref}"`);
    expectEveryDecisionOffered(
      big,
      text,
      (verb) => new Set([...text.matchAll(new RegExp(`"verb":"${verb}","ref":"([^"]+)"`, 'g'))].map((m) => stepOf(m[1]))),
    );
  });

  test('Slack: within 50 blocks and every Block Kit limit, with the same decisions; confirmations name the count', () => {
    const m = renderBlockKit(big);
    expect(blockKitErrors(m.blocks)).toEqual([]);
    const text = json(m.blocks);
    expect(text).toContain(
      '"text":"This will disable 12 inbox rules for Alice Aoki as soon as you confirm. *Show all* lists every one of them."',
    );
    expectEveryDecisionOffered(
      big,
      text,
      (verb) => new Set([...text.matchAll(new RegExp(`"action_id":"contain.${verb}","value":"([^"]+)"`, 'g'))].map((m) => stepOf(m[1]))),
    );
  });

  test('the worst the scenario makes, ten steps of 100 objects with long names and notes: summaries that fit both platforms', () => {
    const long = (s: string) => `${s} ${'x'.repeat(240)}`;
    const actions: ActionView[] = Array.from({ length: 1000 }, (_, i) => ({
      ...big.actions[1],
      ref: `INC-20261125-0002/a${i + 100}`,
      step: 1 + (i % 10),
      title: long(`Object ${i}`),
      detail: long('detail'),
      reason: long('reason; reason'),
      irreversible: long('cannot be undone'),
    }));
    const v: ContainmentView = {
      ...big,
      actions,
      signIns: Array.from({ length: 20 }, () => big.signIns[0]),
      notes: Array.from({ length: 10 }, (_, i) => long(`note ${i}`).repeat(10)),
      steps: Array.from({ length: 10 }, (_, i) => ({
        step: i + 1,
        name: long('Step'),
        checked: long('checked'),
        notes: [long('step note').repeat(5)],
        ref: `INC-20261125-0002/s${String(i + 1).padStart(2, '0')}`,
        decide: { count: 100, what: 'disable 100 inbox rules' },
      })),
    };
    const card = renderAdaptive(v);
    expect(cardBytes(card)).toBeLessThanOrEqual(TEAMS_CARD_BYTES);
    expect(cardBytes(card)).toBeLessThan(TEAMS_LIMITS.recommendedBytes);
    expect(blockKitErrors(renderBlockKit(v).blocks)).toEqual([]);
    for (let s = 1; s <= 10; s++)
      expect(json(card)).toContain(`"verb":"show-step","ref":"INC-20261125-0002/s${String(s).padStart(2, '0')}"`);
  });

  test('a small incident keeps its look: every action whole with its own buttons, no step buttons', () => {
    for (const text of [json(renderAdaptive(views.containment)), json(renderBlockKit(views.containment))]) {
      expect(text).not.toMatch(/approve-step|show-step/);
      for (const a of views.containment.actions) expect(text).toContain(`"${a.ref}"`);
    }
  });
});

describe('Show all', () => {
  const many = (n: number, title = (i: number) => `Disable inbox rule "r${i}"`): StepListView => ({
    ...stepList,
    actions: Array.from({ length: n }, (_, i) => ({ ...stepList.actions[0], ref: `INC-20261125-0002/a${i + 100}`, title: title(i) })),
  });

  test('Slack modal: every action, within the modal limits, even for hundreds', () => {
    for (const v of [stepList, many(99), many(300), many(300, (i) => `rule ${i} ${'y'.repeat(200)}`)]) {
      const modal = renderSlackModal(v);
      expect(modalErrors(modal as never)).toEqual([]);
      const text = json(modal.blocks);
      if (v.actions.length <= 99) for (const a of v.actions) expect(text).toContain(a.title.replace(/"/g, '\\"'));
    }
    expect(renderSlackModal(stepList).title.text).toBe('Step 5: 12 actions');
    expect(json(renderSlackModal(many(300)).blocks)).toContain('r299');
  });

  test('Teams dialog: every action within the budget; one line each when they do not fit in full; a count only past that', () => {
    const sizes = (v: StepListView) => cardBytes(renderAdaptive(v) as AdaptiveCard);
    for (const v of [stepList, many(150), many(1000, (i) => `rule ${i} ${'y'.repeat(240)}`)])
      expect(sizes(v)).toBeLessThanOrEqual(TEAMS_CARD_BYTES);
    expect(json(renderAdaptive(stepList))).toContain('Why: forwards mail outside the organisation');
    const mid = json(renderAdaptive(many(150)));
    for (let i = 0; i < 150; i++) expect(mid).toContain(`r${i}\\"`);
    expect(json(renderAdaptive(many(1000, (i) => `rule ${i} ${'y'.repeat(240)}`)))).toMatch(/… and \d+ more: the incident report/);
  });
});

describe('undo and what cannot be undone (ActionView.undo, ActionView.irreversible)', () => {
  test('Teams: Undo button when offered, a state line when requested or done, the warning only before approval', () => {
    const text = json(renderAdaptive(undoable));
    expect(text).toContain('"title":"Undo","verb":"undo","data":{"verb":"undo","ref":"INC-20261125-0001/a01"}');
    expect(text).toContain('Undo requested: waiting for an approver.');
    expect(text).toContain('Undone: the change was taken back.');
    expect(text).toContain('Deleting a sign-in method cannot be undone: the user registers it again.');
    const approved = { ...undoable, actions: undoable.actions.map((a) => ({ ...a, state: 'succeeded' as const, decidable: false })) };
    expect(json(renderAdaptive(approved))).not.toContain('cannot be undone');
  });

  test('Slack: the same, the Undo button confirmed', () => {
    const blocks = renderBlockKit(undoable).blocks;
    expect(blockKitErrors(blocks)).toEqual([]);
    const text = json(blocks);
    expect(text).toContain('"action_id":"contain.undo","value":"INC-20261125-0001/a01"');
    expect(text).toContain('_Undo requested: waiting for an approver._');
    expect(text).toContain(':warning: Deleting a sign-in method cannot be undone');
  });
});
