import type { ButtonVerb } from '../../src/views/buttons';
import type { Download } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { truncate } from '../text';

/**
 * Slack's published limits for what Contain posts (sandbox/slack-limits.ts enforces them, with their sources); a
 * button's value is kept far below Slack's 2,000 because it is only ever a reference. Modals: 100 blocks, a title of
 * 24 characters, close and submit buttons of 24 (https://docs.slack.dev/reference/views/modal-views).
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  buttonValue: 255,
  buttonText: 75,
  headerText: 150,
  actionsElements: 25,
  messageText: 40_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalBlocks: 100,
  modalTitle: 24,
  modalButton: 24,
};

export type Block = Record<string, unknown> & { type: string };

export interface SlackMessage {
  /** Fallback text for notifications and screen readers. */
  text: string;
  blocks: Block[];
}

export const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) });

export const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

export const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });

export const context = (text: string): Block => ({ type: 'context', elements: [mrkdwn(text)] });

/** Lines as as few sections as Slack's 3,000-character limit allows, so that a long list is split, never cut. */
export function sections(lines: string[]): Block[] {
  const out: string[] = [];
  for (const line of lines) {
    const last = out.length - 1;
    if (last >= 0 && out[last].length + 1 + line.length <= SLACK_LIMITS.sectionText) out[last] += `\n${line}`;
    else out.push(line);
  }
  return out.map(section);
}

export const toneIcon = {
  default: ':information_source:',
  good: ':white_check_mark:',
  warning: ':warning:',
  attention: ':no_entry:',
} as const;

export const stateIcon: Record<string, string> = {
  proposed: ':hourglass_flowing_sand:',
  approved: ':arrow_forward:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rejected: ':no_entry_sign:',
  expired: ':alarm_clock:',
  skipped: ':fast_forward:',
};

export function button(
  text: string,
  actionId: `contain.${ButtonVerb}${string}`,
  value: string,
  style?: 'primary' | 'danger',
  confirm?: { title: string; text: string; confirm: string },
): Block {
  if (value.length > SLACK_LIMITS.buttonValue) throw new Error(`button value over ${SLACK_LIMITS.buttonValue} characters`);
  return {
    type: 'button',
    text: plain(text, SLACK_LIMITS.buttonText),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: plain(confirm.title, SLACK_LIMITS.confirmTitle),
            text: { type: 'mrkdwn', text: truncate(confirm.text, SLACK_LIMITS.confirmText) },
            confirm: plain(confirm.confirm, SLACK_LIMITS.confirmButton),
            deny: plain('Cancel', SLACK_LIMITS.confirmButton),
            ...(style === 'danger' ? { style: 'danger' } : {}),
          },
        }
      : {}),
  };
}

/** A URL inside <url|label>: only the characters that would end or split the link are encoded. */
export const linkUrl = (u: string) => u.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');

/** Links to the full result (we signed them; nothing from outside), and until when they work. */
export function downloadBlocks(d: Download | undefined): Block[] {
  return d
    ? [
        context(
          `Full result: <${linkUrl(d.markdown)}|Markdown> · <${linkUrl(d.json)}|JSON>${d.timeline ? ` · <${linkUrl(d.timeline)}|Timeline>` : ''} · links work until ${formatUtc(d.expires)}`,
        ),
      ]
    : [];
}
