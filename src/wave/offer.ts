import { randomUUID } from 'node:crypto';
import type { ContainContext } from '../context';
import { campaignId } from '../ids';
import type { Grant } from '../incidents/policy';
import type { ScopeView } from '../views/types';
import { createCampaign, type Campaign, type WaveUser } from './campaign';

/**
 * How many users the scope card lists with a box to untick: Slack takes ten checkboxes of ten options in a message
 * without crowding out the rest of the card, and a hundred rows keep a Teams card well under its 80 KB advice. The
 * others are in the wave all the same; the card says how many, and the full result lists them.
 */
export const LISTED_MAX = 100;
/** A row's reasons, shortened: the card shows one compact row per user (the full result has every reason). */
const REASONS_MAX = 200;

/**
 * After `scope`: offer "Contain all N" for the recipients whose sign-ins show compromise. The offer is stored as a
 * campaign (src/wave/campaign.ts) the button names by id, so the press carries nothing but that id and which boxes
 * stayed ticked; `grant` (whoever ran scope) is the requester of the wave and of every incident it opens.
 */
export async function offerWave(ctx: ContainContext, grant: Grant, view: ScopeView): Promise<ScopeView> {
  const flagged = view.recipients.filter((r) => r.flagged);
  if (!flagged.length) return view;
  const now = ctx.now();
  const users: WaveUser[] = flagged.map((r) => ({
    upn: r.upn,
    ...(r.userId ? { userId: r.userId } : {}),
    reasons: shorten(r.reasons.join('; '), REASONS_MAX),
  }));
  const campaign: Campaign = {
    id: campaignId(now, randomUUID()),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString(),
    requester: grant.actor,
    source: { userId: view.target.id, displayName: view.target.displayName, upn: view.target.userPrincipalName },
    ...(view.mail ? { mail: { subject: view.mail.subject, sender: view.mail.sender } } : {}),
    count: users.length,
    listed: Math.min(users.length, LISTED_MAX),
    state: 'proposed',
    step: 0,
    cursor: 0,
  };
  try {
    await createCampaign(ctx, campaign, users);
  } catch (err) {
    ctx.log.warn('could not keep the wave offer', { err });
    return {
      ...view,
      notes: [...view.notes, 'Contain all could not be offered just now (storage); run scope again, or contain each user.'],
    };
  }
  return {
    ...view,
    wave: {
      campaignId: campaign.id,
      count: users.length,
      listed: users.slice(0, LISTED_MAX).map((u, i) => ({ key: String(i), upn: u.upn, reasons: u.reasons })),
    },
  };
}

const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
