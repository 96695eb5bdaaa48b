import { WAVE_STATE_LABEL } from '../../src/views/campaign';
import { formatUtc } from '../../src/views/time';
import type { CampaignView } from '../../src/views/types';
import { escapeSlack as esc, truncate } from '../text';
import { context, downloadBlocks, plain, section, sections, SLACK_LIMITS, type Block, type SlackMessage } from './blocks';

/** A phishing wave: who asked and approved, the counts, one compact row per user (its incident and where it stands). */
export function campaign(v: CampaignView): SlackMessage {
  const n = v.counts;
  const lines = v.rows.map(
    (r) => `• ${esc(r.upn)} · ${r.incidentId ?? '…'} · ${WAVE_STATE_LABEL[r.state]}${r.note ? `: ${esc(truncate(r.note, 100))}` : ''}`,
  );
  const blocks: Block[] = [
    { type: 'header', text: plain(`Phishing wave: contain ${n.total} users`, SLACK_LIMITS.headerText) },
    context(`${v.campaignId} · following ${esc(v.source)}${v.mail ? ` · mail "${esc(v.mail.subject)}" from ${esc(v.mail.sender)}` : ''}`),
    section(
      `Asked for by *${esc(v.requesterName)}*, approved by *${esc(v.approval.by)}* at ${formatUtc(v.approval.at)}\n*${n.contained}* contained · *${n.admin}* need an admin · ${n.running} in progress · ${n.opening} to open · ${n.refused} not contained · ${n.left} left out`,
    ),
    ...sections(lines),
    ...(v.more
      ? [
          context(
            `… and ${v.more} more users${v.download ? ': every one in the full list' : '; the full list is linked when the wave is done'}.`,
          ),
        ]
      : []),
    ...v.notes.map((note) => context(`:warning: ${esc(note)}`)),
    ...downloadBlocks(v.download),
  ];
  return { text: `Phishing wave ${v.campaignId}: ${n.contained} of ${n.total} contained`, blocks };
}
