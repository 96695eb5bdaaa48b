import type { StepListView, View } from '../../src/views/types';
import { stateSummary } from '../../src/views/steps';
import { escapeSlack as esc } from '../text';
import { context, plain, section, sections, SLACK_LIMITS, toneIcon, type Block, type SlackMessage } from './blocks';
import { actionBlocks, actionLine, actionText, stepDecision } from './steps';

/** A Slack modal view (views.open, views.update): https://docs.slack.dev/reference/views/modal-views. */
export interface SlackModal {
  type: 'modal';
  callback_id: string;
  title: ReturnType<typeof plain>;
  close: ReturnType<typeof plain>;
  blocks: Block[];
}

function head(v: StepListView): Block[] {
  const st = v.step;
  const blocks: Block[] = [
    { type: 'header', text: plain(`${v.dryRun ? 'Dry run: ' : ''}Step ${st.step}: ${st.name}`, SLACK_LIMITS.headerText) },
    context(`${esc(v.target.displayName)} · ${v.incidentId}${st.checked ? ` · ${esc(st.checked)}` : ''}`),
  ];
  if (v.banner) blocks.push(section(`${toneIcon[v.banner.tone]} *${esc(v.banner.text)}*`));
  for (const n of st.notes) blocks.push(context(`:warning: ${esc(n)}`));
  const decision = st.decide ? ` *Approve step ${st.step}* will ${st.decide.what}: these are every one of them.` : '';
  blocks.push(section(`${stateSummary(v.actions)}, the most suspicious first.${decision}`));
  if (st.decide && st.ref) blocks.push({ type: 'actions', block_id: `step:${st.ref}`, elements: stepDecision(st, v.target.displayName) });
  return blocks;
}

/**
 * "Show all" of one step as a modal's blocks, within its 100: the step's decision, then every action in full with its
 * own buttons; for a bigger step without the buttons, then one line each with its reason, packed into as few sections
 * as Slack's 3,000 characters allow, then without the reason; only past that the first ones that fit and a count.
 */
export function stepList(v: StepListView): SlackMessage {
  const top = head(v);
  const room = SLACK_LIMITS.modalBlocks - top.length;
  const fits = (b: Block[]) => b.length <= room;
  const levels = [
    v.actions.flatMap((a) => actionBlocks(a, v.target.displayName)),
    v.actions.map((a) => section(actionText(a))),
    sections(v.actions.map((a) => actionLine(a, true))),
  ];
  const blocks = levels.find(fits) ?? sections(v.actions.map((a) => actionLine(a, false)));
  const cut = fits(blocks)
    ? blocks
    : [...blocks.slice(0, room - 1), context(`… and more: the incident report (\`report ${v.incidentId}\`) lists every action.`)];
  return { text: `Step ${v.step.step} of ${v.incidentId}: ${v.actions.length} actions`, blocks: [...top, ...cut] };
}

/** The modal's title for a view: the step list's, or Contain's for anything else said there (a refusal, an error). */
export const modalTitle = (view: View): string =>
  view.kind === 'step-list' ? `Step ${view.step.step}: ${view.actions.length} actions` : 'Contain';

/** Blocks in a modal (close button only: nothing is submitted). */
export function modal(title: string, blocks: Block[]): SlackModal {
  return {
    type: 'modal',
    callback_id: 'contain.step-list',
    title: plain(title, SLACK_LIMITS.modalTitle),
    close: plain('Close', SLACK_LIMITS.modalButton),
    blocks: blocks.slice(0, SLACK_LIMITS.modalBlocks),
  };
}

/** What a modal shows from the click until the worker has read the step: views.open must come within 3 seconds. */
export function loadingModal(what: string): SlackModal {
  return modal('Contain', [section(`:hourglass_flowing_sand: ${esc(what)}`)]);
}
