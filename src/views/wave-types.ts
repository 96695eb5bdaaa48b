import type { Download } from './types';

/** The phishing wave's view models (src/wave/): the offer on the scope card and the campaign card. */

/** A wave offered on the scope card: everyone in it, the first of them listed ticked (untick to leave one out). */
export interface WaveOffer {
  campaignId: string;
  count: number;
  /** `key` goes back with the button press when the box stays ticked; reasons shortened for one compact row. */
  listed: { key: string; upn: string; reasons: string }[];
}

/** Where one user of a wave stands. */
export type WaveUserState = 'opening' | 'running' | 'contained' | 'admin' | 'refused' | 'left';

/** The campaign card of a phishing wave: who asked and approved, one compact row per user, the counts. */
export interface CampaignView {
  kind: 'campaign';
  campaignId: string;
  /** Whose phishing mail the wave follows. */
  source: string;
  mail?: { subject: string; sender: string };
  requesterName: string;
  approval: { by: string; at: string };
  counts: Record<WaveUserState, number> & { total: number };
  rows: { upn: string; incidentId?: string; state: WaveUserState; note?: string }[];
  /** Users beyond the rows shown (the full list is linked when the wave is done). */
  more: number;
  download?: Download;
  notes: string[];
}
