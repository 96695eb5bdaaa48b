import type { ActionView, ContainmentView, StepView } from '../../src/views/types';
import { actionsOf, stateSummary } from '../../src/views/steps';
import { escapeSlack as esc, truncate } from '../text';
import { button, section, stateIcon, type Block } from './blocks';

const UNDO_STATE = { requested: 'Undo requested: waiting for an approver.', done: 'Undone: the change was taken back.' } as const;

/** One action's text: what, why, the object, its state and who decided, and what cannot be taken back. */
export function actionText(a: ActionView): string {
  return [
    `${a.blocked ? ':no_entry:' : (stateIcon[a.state] ?? '')} *${esc(a.title)}*`,
    ...(a.reason ? [`*Why:* ${esc(a.reason)}`] : []),
    esc(a.detail),
    `_${esc(a.stateLabel)}_`,
    ...(a.blocked ? [`*${esc(a.blocked)}*`] : []),
    ...(a.irreversible && a.state === 'proposed' ? [`:warning: ${esc(a.irreversible)}`] : []),
    ...(a.undo && a.undo.state !== 'offered' ? [`_${UNDO_STATE[a.undo.state]}_`] : []),
  ].join('\n');
}

/** One line for an action in a long list: title, state, and (when there is room) why. */
export function actionLine(a: ActionView, withReason: boolean): string {
  return `• ${stateIcon[a.state] ?? ''} *${esc(truncate(a.title, 120))}*${withReason && a.reason ? ` · ${esc(truncate(a.reason, 160))}` : ''} · _${esc(truncate(a.stateLabel, 80))}_`;
}

/** An action with its buttons: decide it, propose it again, or undo it. */
export function actionBlocks(a: ActionView, who: string): Block[] {
  // Undo rides on the action's own section (an accessory), not a block of its own: after containment every done,
  // reversible change offers it, and a block each would push the card's steps behind "Show all" sooner.
  const undo =
    a.undo?.state === 'offered'
      ? button('Undo', 'contain.undo', a.undo.ref, undefined, {
          title: 'Undo this change?',
          text: `Ask to take back *${esc(a.title)}*. An approver must approve the undo before anything changes.`,
          confirm: 'Ask to undo',
        })
      : undefined;
  const blocks: Block[] = [{ ...section(actionText(a)), ...(undo ? { accessory: undo } : {}) }];
  if (a.decidable) {
    blocks.push({
      type: 'actions',
      block_id: `decide:${a.ref}`,
      elements: [
        button(a.deletable ? 'Approve (disable)' : 'Approve', 'contain.approve', a.ref, 'primary', {
          title: 'Approve this action?',
          text: `*${esc(a.title)}* for ${esc(who)} runs as soon as you confirm.`,
          confirm: 'Approve',
        }),
        ...(a.deletable
          ? [
              button('Approve: delete rule', 'contain.approve-delete', a.ref, 'danger', {
                title: 'Delete the rule?',
                text: `*${esc(a.title)}*: the rule is deleted instead of disabled (its definition stays in the evidence).`,
                confirm: 'Delete',
              }),
            ]
          : []),
        button('Reject', 'contain.reject', a.ref, 'danger', {
          title: 'Reject this action?',
          text: `*${esc(a.title)}* will not run.`,
          confirm: 'Reject',
        }),
      ],
    });
  }
  if (a.reproposable)
    blocks.push({ type: 'actions', block_id: `again:${a.ref}`, elements: [button('Propose again', 'contain.repropose', a.ref)] });
  return blocks;
}

/** Approve step and Reject step, each confirmed naming the count (none when nothing in the step waits). */
export function stepDecision(st: StepView, who: string): Block[] {
  if (!st.decide || !st.ref) return [];
  const { count, what } = st.decide;
  return [
    button(`Approve step ${st.step} (${count})`, 'contain.approve-step', st.ref, 'primary', {
      title: `Approve step ${st.step}?`,
      text: `This will ${what} for ${esc(who)} as soon as you confirm. *Show all* lists every one of them.`,
      confirm: `Approve ${count}`,
    }),
    button(`Reject step ${st.step}`, 'contain.reject-step', st.ref, 'danger', {
      title: `Reject step ${st.step}?`,
      text: `None of the ${count} proposed actions of step ${st.step} will run.`,
      confirm: 'Reject step',
    }),
  ];
}

/** A step's own buttons once some of its actions are behind "Show all": its decision, and Show all. */
export function stepButtons(st: StepView, total: number, who: string): Block {
  const elements = [...stepDecision(st, who), ...(st.ref ? [button(`Show all ${total}`, 'contain.show-step', st.ref)] : [])];
  return { type: 'actions', block_id: `step:${st.ref ?? st.step}`, elements };
}

/** A step with its first `shown` actions in full; the rest are counted, and behind its buttons. `compact`: notes shortened. */
export function stepBlocks(v: ContainmentView, st: StepView, shown: number, compact = false): Block[] {
  const mine = actionsOf(v, st.step);
  const hidden = mine.length - shown;
  const summary =
    hidden > 0
      ? `\n${stateSummary(mine)}. ${shown ? `The ${shown} most suspicious first; *Show all* lists` : '*Show all* lists'} every one.`
      : '';
  const blocks: Block[] = [
    { type: 'divider' },
    section(
      `*${st.step}. ${esc(st.name)}*${mine.length ? '' : ': nothing suspicious'}${st.checked ? ` _(${esc(st.checked)})_` : ''}${summary}${(compact ? st.notes.slice(0, 2) : st.notes).map((n) => `\n:warning: ${esc(compact ? truncate(n, 300) : n)}`).join('')}`,
    ),
  ];
  for (const a of mine.slice(0, shown)) blocks.push(...actionBlocks(a, v.target.displayName));
  if (hidden > 0) blocks.push(stepButtons(st, mine.length, v.target.displayName));
  return blocks;
}
