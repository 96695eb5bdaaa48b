import type { StepListView } from '../../src/views/types';
import { stateSummary } from '../../src/views/steps';
import { escapeMarkdown as md } from '../text';
import { actionItem, actionLine } from './steps';
import { card, cardBytes, color, submit, TEAMS_CARD_BYTES, text, type AdaptiveCard, type Element } from './types';

/** The title of the Teams dialog that shows a step's list. */
export const stepListTitle = (v: StepListView): string => `Step ${v.step.step}: ${v.step.name} (${v.actions.length})`;

function head(v: StepListView): Element[] {
  const st = v.step;
  const body: Element[] = [
    text(`${v.dryRun ? 'Dry run: ' : ''}Step ${st.step}: ${md(st.name)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`${md(v.target.displayName)} · ${v.incidentId}${st.checked ? ` · ${md(st.checked)}` : ''}`, { isSubtle: true, spacing: 'None' }),
  ];
  if (v.banner) body.push(text(md(v.banner.text), { color: color[v.banner.tone], weight: 'Bolder' }));
  for (const n of st.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  const decision = st.decide ? ` "Approve step ${st.step}" will ${md(st.decide.what)}: these are every one of them.` : '';
  body.push(text(`${stateSummary(v.actions)}, the most suspicious first.${decision}`, { size: 'Small', spacing: 'Medium' }));
  if (st.decide && st.ref)
    body.push({
      type: 'ActionSet',
      actions: [
        submit(`Approve step ${st.step} (${st.decide.count})`, 'approve-step', { ref: st.ref }, 'positive'),
        submit(`Reject step ${st.step}`, 'reject-step', { ref: st.ref }, 'destructive'),
      ],
    });
  return body;
}

/**
 * "Show all" of one step as the card of a Teams dialog: the step's decision, then every action in full with its own
 * buttons (a dialog's buttons answer as task/submit); for a step too big for that, without the buttons, then one line
 * each with its reason, then without; only past that (hundreds of objects) the first ones that fit and a count.
 */
export function stepListCard(v: StepListView): AdaptiveCard {
  const top = head(v);
  const levels: ((a: StepListView['actions'][number]) => Element)[] = [
    (a) => actionItem(a, 'dialog'),
    (a) => actionItem(a, 'none'),
    (a) => actionLine(a, true),
    (a) => actionLine(a, false),
  ];
  for (const item of levels) {
    const c = card([...top, ...v.actions.map(item)]);
    if (cardBytes(c) <= TEAMS_CARD_BYTES) return c;
  }
  const lines = v.actions.map((a) => actionLine(a, false));
  let n = lines.length;
  const cut = (k: number) =>
    card([
      ...top,
      ...lines.slice(0, k),
      text(`… and ${v.actions.length - k} more: the incident report ("report ${v.incidentId}") lists every action.`, {
        size: 'Small',
        isSubtle: true,
      }),
    ]);
  while (n > 0 && cardBytes(cut(n)) > TEAMS_CARD_BYTES) n = Math.floor(n * 0.9);
  return cut(n);
}
