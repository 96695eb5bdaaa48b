import type { HelpView, MessageView, View } from '../../src/views/types';
import { escapeSlack as esc, truncate, visibleDeep } from '../text';
import { context, section, SLACK_LIMITS, toneIcon, type SlackMessage } from './blocks';
import { chooser, containment } from './containment';
import { modal, modalTitle, stepList, type SlackModal } from './dialog';
import { doctor, hunt, incidents, investigation, report } from './results';
import { posture, postureChange } from './posture';
import { scope } from './scope';
import { campaign } from './campaign';

export { SLACK_LIMITS, type Block, type SlackMessage } from './blocks';
export { loadingModal, type SlackModal } from './dialog';

/** Render any view model as a Slack message with Block Kit blocks. */
export function renderBlockKit(shown: View): SlackMessage {
  // Tenant text can hide bidi controls in any field, plain-text ones included (the header, button labels).
  const view = visibleDeep(shown);
  const msg = (() => {
    switch (view.kind) {
      case 'containment':
        return containment(view);
      case 'step-list':
        return stepList(view);
      case 'chooser':
        return chooser(view);
      case 'message':
        return message(view);
      case 'help':
        return help(view);
      case 'report':
        return report(view);
      case 'incidents':
        return incidents(view);
      case 'investigation':
        return investigation(view);
      case 'scope':
        return scope(view);
      case 'hunt':
        return hunt(view);
      case 'posture':
        return posture(view);
      case 'posture-change':
        return postureChange(view);
      case 'doctor':
        return doctor(view);
      case 'campaign':
        return campaign(view);
    }
  })();
  // The fallback text is parsed for mentions and links like mrkdwn: escape it too (<!channel> must not notify).
  msg.text = truncate(esc(msg.text), SLACK_LIMITS.messageText);
  // A step list goes in a modal (100 blocks, stepList keeps to them); a message has 50.
  if (view.kind !== 'step-list' && msg.blocks.length > SLACK_LIMITS.blocks) {
    // Keep the decision buttons (at the end) and say what was cut, rather than letting Slack reject the message.
    const keep = msg.blocks.slice(-(SLACK_LIMITS.blocks - 2));
    msg.blocks = [msg.blocks[0], context(`${msg.blocks.length - keep.length - 1} blocks omitted; see the report for everything.`), ...keep];
  }
  return msg;
}

/** Render any view model as a Slack modal (Show all of a step; or a refusal shown where the list would be). */
export function renderSlackModal(view: View): SlackModal {
  return modal(modalTitle(view), renderBlockKit(view).blocks);
}

function message(v: MessageView): SlackMessage {
  return { text: `${v.title}: ${v.text}`, blocks: [section(`${toneIcon[v.tone]} *${esc(v.title)}*\n${esc(v.text)}`)] };
}

function help(v: HelpView): SlackMessage {
  return {
    text: 'Contain commands',
    blocks: [
      section(
        `*Contain commands*\n${v.commands.map((c) => `\`/contain ${esc(c.usage.replace(/^contain /, ''))}\` ${esc(c.description)}`).join('\n')}`,
      ),
    ],
  };
}
