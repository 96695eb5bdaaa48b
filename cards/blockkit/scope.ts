import { defang } from '../../src/views/defang';
import { formatUtc } from '../../src/views/time';
import type { ScopeView, WaveOffer } from '../../src/views/types';
import { escapeSlack as esc, truncate } from '../text';
import { button, context, downloadBlocks, plain, section, sections, SLACK_LIMITS, type Block, type SlackMessage } from './blocks';

/** Recipients listed as text: beyond these the message says how many more (the full result lists everyone). */
export const RECIPIENT_ROWS = 50;
/** Slack's checkboxes element takes at most ten options (block-elements#checkboxes): one element per ten users. */
export const CHECKBOX_OPTIONS = 10;

export function scope(v: ScopeView): SlackMessage {
  const blocks: Block[] = [{ type: 'header', text: plain(`Scope: ${v.target.displayName}`, SLACK_LIMITS.headerText) }];
  if (v.mail)
    blocks.push(
      section(
        `*Phishing mail:* ${esc(v.mail.subject)}\n*From:* ${esc(v.mail.sender)} · ${formatUtc(v.mail.time)} · ${v.mail.recipients} recipients${v.mail.messageId ? `\n*Message id:* ${esc(v.mail.messageId)}` : ''}${v.mail.urls.length ? `\n*Links:* ${v.mail.urls.map((u) => `\`${esc(defang(u))}\``).join(', ')}` : ''}\n_Found by ${v.mail.source}_`,
      ),
    );
  // With a wave offered, the likely compromised are in its boxes (with their reasons): the text rows are everyone else.
  const rows = v.wave ? v.recipients.filter((r) => !r.flagged) : v.recipients;
  const lines = rows
    .slice(0, RECIPIENT_ROWS)
    .map(
      (r) =>
        `• ${r.flagged ? '*Likely compromised*' : 'No sign of compromise'} · ${esc(r.upn)}${r.via === 'same link' ? ` (same link${r.subject ? `, subject "${esc(r.subject)}"` : ''})` : ''}${r.reasons.length ? `: ${esc(r.reasons.join('; '))}` : ''}`,
    );
  blocks.push(...sections(lines));
  if (rows.length > RECIPIENT_ROWS)
    blocks.push(context(`… and ${rows.length - RECIPIENT_ROWS} more recipients${v.download ? ' in the full result' : ''}.`));
  if (v.wave) blocks.push(...wavePicker(v.wave));
  else if (v.recipients.some((r) => r.flagged))
    blocks.push(section('*Open an incident for each likely compromised recipient with* `/contain <user>`.'));
  for (const n of v.notes) blocks.push(context(`:warning: ${esc(n)}`));
  blocks.push(...downloadBlocks(v.download));
  return { text: `Scope: ${v.target.displayName}`, blocks };
}

/**
 * "Contain all N": the listed users as ticked checkboxes, ten to an element (the block_actions payload of the button
 * carries every element's state), and the button an approver presses to approve the set.
 */
function wavePicker(w: WaveOffer): Block[] {
  const option = (l: WaveOffer['listed'][number]) => ({
    text: { type: 'mrkdwn', text: truncate(esc(l.upn), 75) },
    description: { type: 'mrkdwn', text: truncate(esc(l.reasons), 75) },
    value: l.key,
  });
  const groups: Block[] = [];
  for (let i = 0; i < w.listed.length; i += CHECKBOX_OPTIONS) {
    const options = w.listed.slice(i, i + CHECKBOX_OPTIONS).map(option);
    groups.push({
      type: 'actions',
      block_id: `wave-pick:${i / CHECKBOX_OPTIONS}`,
      elements: [{ type: 'checkboxes', action_id: `wave-pick.${i / CHECKBOX_OPTIONS}`, options, initial_options: options }],
    });
  }
  return [
    section(
      `*Contain all ${w.count}: one approval for the set*\nEach gets their own incident (wave ${w.campaignId}) with the checks, evidence and read-backs of contain. An approver other than whoever ran scope approves; untick anyone to leave them out.`,
    ),
    ...groups,
    ...(w.count > w.listed.length
      ? [context(`… and ${w.count - w.listed.length} more, all in the wave (the full result lists them).`)]
      : []),
    {
      type: 'actions',
      block_id: `wave:${w.campaignId}`,
      elements: [
        button(`Contain all ${w.count}`, 'contain.contain-all', w.campaignId, 'danger', {
          title: 'Contain every ticked user?',
          text: `Each ticked user (and any beyond the list) gets an incident whose actions run at once, approved by you.`,
          confirm: 'Contain all',
        }),
      ],
    },
  ];
}
