import type { Campaign, UserStatus, WaveUser } from '../wave/campaign';
import { countStates } from '../wave/progress';
import type { CampaignView, WaveUserState } from './types';

/**
 * Rows the campaign card shows, one compact line per user: a hundred fit both Teams' 80 KB advice and Slack's 50
 * blocks with room to spare; beyond them the card says how many more, and links the full list once the wave is done.
 */
export const CAMPAIGN_ROWS = 100;

/** What each state reads as on the card. */
export const WAVE_STATE_LABEL: Record<WaveUserState, string> = {
  opening: 'to open',
  running: 'in progress',
  contained: 'contained',
  admin: 'needs an admin',
  refused: 'not contained',
  left: 'left out',
};

/** The campaign card's view: who asked and approved, the counts, and a row per user (the first CAMPAIGN_ROWS). */
export function campaignView(c: Campaign, statuses: Map<number, UserStatus>, users: WaveUser[]): CampaignView {
  const rows = users.slice(0, CAMPAIGN_ROWS).map((u, i) => {
    const s = statuses.get(i);
    return {
      upn: u.upn,
      state: s?.state ?? 'opening',
      ...(s?.incidentId ? { incidentId: s.incidentId } : {}),
      ...(s?.note ? { note: s.note } : {}),
    };
  });
  return {
    kind: 'campaign',
    campaignId: c.id,
    source: `${c.source.displayName} (${c.source.upn})`,
    ...(c.mail ? { mail: c.mail } : {}),
    requesterName: c.requester.name,
    approval: { by: c.decision?.by.name ?? 'nobody yet', at: c.decision?.at ?? c.createdAt },
    counts: countStates(c, statuses),
    rows,
    more: Math.max(0, users.length - rows.length),
    notes: [],
  };
}

/** The whole list, for the result linked from the finished card. */
export function campaignMarkdown(v: CampaignView, c: Campaign, statuses: Map<number, UserStatus>, users: WaveUser[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `# Phishing wave ${c.id}`,
    '',
    `Following ${cell(v.source)}${v.mail ? `, mail "${cell(v.mail.subject)}" from ${cell(v.mail.sender)}` : ''}. Asked for by ${cell(v.requesterName)}, approved by ${cell(v.approval.by)} at ${v.approval.at}.`,
    '',
    '| # | User | Incident | State | Why it was in the wave | Note |',
    '|---|---|---|---|---|---|',
    ...users.map((u, i) => {
      const s = statuses.get(i);
      return `| ${i + 1} | ${cell(u.upn)} | ${s?.incidentId ?? ''} | ${WAVE_STATE_LABEL[s?.state ?? 'opening']} | ${cell(u.reasons)} | ${cell(s?.note ?? '')} |`;
    }),
  ].join('\n');
}
