import type { ActionView, ContainmentView, StepView } from '../../src/views/types';
import { actionsOf, stateSummary } from '../../src/views/steps';
import { escapeMarkdown as md, truncate } from '../text';
import { execute, submit, text, type Element } from './types';

export const stateColor: Record<string, string> = {
  succeeded: 'Good',
  failed: 'Attention',
  rejected: 'Warning',
  expired: 'Warning',
  running: 'Accent',
  approved: 'Accent',
  proposed: 'Default',
  skipped: 'Default',
};

const UNDO_STATE = { requested: 'Undo requested: waiting for an approver.', done: 'Undone: the change was taken back.' } as const;

/** Buttons on a card are Universal Actions; in a Teams dialog they are Action.Submit (task/submit). */
export type Buttons = 'card' | 'dialog' | 'none';

/** The buttons on one action: decide it, propose it again, or undo it. */
function actionButtons(a: ActionView, where: Exclude<Buttons, 'none'>): Element[] {
  const button = where === 'card' ? execute : submit;
  const sets: Element[] = [];
  if (a.decidable) {
    sets.push({
      type: 'ActionSet',
      actions: [
        button(a.deletable ? 'Approve (disable)' : 'Approve', 'approve', { ref: a.ref }, 'positive'),
        ...(a.deletable ? [button('Approve: delete rule', 'approve-delete', { ref: a.ref }, 'destructive')] : []),
        button('Reject', 'reject', { ref: a.ref }, 'destructive'),
      ],
    });
  }
  if (a.reproposable) sets.push({ type: 'ActionSet', actions: [button('Propose again', 'repropose', { ref: a.ref })] });
  if (a.undo?.state === 'offered') sets.push({ type: 'ActionSet', actions: [button('Undo', 'undo', { ref: a.undo.ref })] });
  return sets;
}

/** One action: what, why, the object, its state and who decided, what cannot be taken back, and its buttons. */
export function actionItem(a: ActionView, buttons: Buttons = 'card'): Element {
  const items: Element[] = [
    text(`**${md(a.title)}**`),
    ...(a.reason ? [text(`Why: ${md(a.reason)}`, { size: 'Small', spacing: 'None' })] : []),
    text(md(a.detail), { size: 'Small', isSubtle: true, spacing: 'None' }),
    text(md(a.stateLabel), { size: 'Small', color: stateColor[a.state] ?? 'Default', spacing: 'Small' }),
    ...(a.blocked ? [text(md(a.blocked), { size: 'Small', color: 'Attention', weight: 'Bolder', spacing: 'None' })] : []),
    ...(a.irreversible && a.state === 'proposed' ? [text(md(a.irreversible), { size: 'Small', color: 'Warning', spacing: 'None' })] : []),
    ...(a.undo && a.undo.state !== 'offered'
      ? [text(UNDO_STATE[a.undo.state], { size: 'Small', color: a.undo.state === 'done' ? 'Good' : 'Accent', spacing: 'None' })]
      : []),
    ...(buttons === 'none' ? [] : actionButtons(a, buttons)),
  ];
  return { type: 'Container', items, spacing: 'Small' };
}

/** One line for an action where a full item does not fit (the "Show all" list of a very big step). */
export function actionLine(a: ActionView, withReason: boolean): Element {
  const why = withReason && a.reason ? ` · ${md(truncate(a.reason, 160))}` : '';
  return text(`**${md(truncate(a.title, 120))}**${why} · ${md(truncate(a.stateLabel, 80))}`, {
    size: 'Small',
    spacing: 'Small',
    color: stateColor[a.state] ?? 'Default',
  });
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A step's own buttons, once some of its actions are behind "Show all": Approve step (asks to confirm, naming the
 * count: Adaptive Cards 1.5 have no confirm dialog, so a card that opens under the button does it), Reject step, and
 * Show all (a Teams dialog, fetched from the bot: task/fetch).
 */
export function stepButtons(st: StepView, total: number, who: string): Element {
  const actions: Element[] = [];
  if (st.decide && st.ref) {
    const { count, what } = st.decide;
    actions.push({
      type: 'Action.ShowCard',
      title: `Approve step ${st.step} (${count})`,
      style: 'positive',
      card: {
        type: 'AdaptiveCard',
        body: [
          text(`Approving step ${st.step} will ${md(what)} for ${md(who)}, as soon as you confirm. "Show all" lists every one of them.`, {
            size: 'Small',
          }),
        ],
        actions: [execute(truncate(`Confirm: ${capital(what)}`, 80), 'approve-step', { ref: st.ref }, 'positive')],
      },
    });
    actions.push(execute(`Reject step ${st.step}`, 'reject-step', { ref: st.ref }, 'destructive'));
  }
  if (st.ref)
    actions.push({
      type: 'Action.Submit',
      title: `Show all ${total}`,
      data: { verb: 'show-step', ref: st.ref, msteams: { type: 'task/fetch' } },
    });
  return { type: 'ActionSet', actions };
}

/**
 * A step on the containment card with its first `shown` actions in full; the rest are counted and behind its buttons.
 * `compact`: the last resort when nothing else fits; the notes shortened.
 */
export function stepElements(v: ContainmentView, st: StepView, shown: number, compact = false): Element[] {
  const mine = actionsOf(v, st.step);
  const hidden = mine.length - shown;
  const out: Element[] = [
    text(`${st.step}. ${md(st.name)}${mine.length ? '' : ': nothing suspicious'}${st.checked ? ` (${md(st.checked)})` : ''}`, {
      weight: 'Bolder',
      spacing: 'Medium',
      separator: true,
    }),
  ];
  for (const n of compact ? st.notes.slice(0, 2) : st.notes)
    out.push(text(md(compact ? truncate(n, 300) : n), { size: 'Small', color: 'Warning', spacing: 'Small' }));
  if (hidden > 0)
    out.push(
      text(`${stateSummary(mine)}. ${shown ? `The ${shown} most suspicious first; "Show all" lists` : '"Show all" lists'} every one.`, {
        size: 'Small',
        isSubtle: true,
        spacing: 'Small',
      }),
    );
  for (const a of mine.slice(0, shown)) out.push(actionItem(a));
  if (hidden > 0) out.push(stepButtons(st, mine.length, v.target.displayName));
  return out;
}
