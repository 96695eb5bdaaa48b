import { WAVE_STATE_LABEL } from '../../src/views/campaign';
import { formatUtc } from '../../src/views/time';
import type { CampaignView } from '../../src/views/types';
import { escapeMarkdown as md, truncate } from '../text';
import { cardWithLinks } from './results';
import { text, type AdaptiveCard, type Element } from './types';

/** Rows per TextBlock: a list in few elements keeps the card small (a hundred rows are about 20 KB). */
const ROWS_PER_BLOCK = 25;

/** A phishing wave: who asked and approved, the counts, one compact row per user (its incident and where it stands). */
export function campaignCard(v: CampaignView): AdaptiveCard {
  const n = v.counts;
  const body: Element[] = [
    text(`Phishing wave: contain ${n.total} users`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(v.campaignId, { isSubtle: true, spacing: 'None' }),
    {
      type: 'FactSet',
      facts: [
        { title: 'Following', value: md(v.source) },
        ...(v.mail ? [{ title: 'Phishing mail', value: `${md(v.mail.subject)} (from ${md(v.mail.sender)})` }] : []),
        { title: 'Asked for by', value: md(v.requesterName) },
        { title: 'Approved by', value: `${md(v.approval.by)} at ${formatUtc(v.approval.at)}` },
      ],
    },
    text(
      `**${n.contained}** contained · **${n.admin}** need an admin · ${n.running} in progress · ${n.opening} to open · ${n.refused} not contained · ${n.left} left out`,
      { spacing: 'Medium' },
    ),
  ];
  for (let i = 0; i < v.rows.length; i += ROWS_PER_BLOCK) {
    const lines = v.rows
      .slice(i, i + ROWS_PER_BLOCK)
      .map(
        (r) => `- ${md(r.upn)} · ${r.incidentId ?? '…'} · ${WAVE_STATE_LABEL[r.state]}${r.note ? `: ${md(truncate(r.note, 100))}` : ''}`,
      );
    body.push(text(lines.join('\n'), { size: 'Small', spacing: 'Small' }));
  }
  if (v.more)
    body.push(
      text(
        `… and ${v.more} more users${v.download ? ': every one in the full list' : '; the full list is linked when the wave is done'}.`,
        { size: 'Small', isSubtle: true },
      ),
    );
  for (const note of v.notes) body.push(text(md(note), { size: 'Small', color: 'Warning' }));
  return cardWithLinks(body, v.download);
}
