import type { ContainContext } from '../context';
import type { Actor } from '../incidents/model';
import { authorize } from '../incidents/policy';
import { BUTTON_ROLES } from '../incidents/roles';
import { formatClock } from '../views/time';
import { type Campaign, loadCampaign, loadUsers, markInFlight, saveCampaign } from './campaign';

export type WaveApproval = { kind: 'approved'; campaign: Campaign; chosen: number; left: number } | { kind: 'refused'; text: string };

const CLAIM = 'campaign-approval';

/**
 * "Contain all N": one approval for the whole set, by an approver who is not whoever ran scope (four-eyes) nor one of
 * the users it contains. `selected` are the keys of the boxes left ticked (undefined: the card's default, all); the
 * users beyond the listed ones are always in. Double clicks and two approvers at once approve it once (a claim).
 */
export async function approveWave(ctx: ContainContext, id: string, selected: string[] | undefined, actor: Actor): Promise<WaveApproval> {
  const c = await loadCampaign(ctx, id);
  if (!c) return { kind: 'refused', text: `There is no wave ${id}; run scope again.` };
  const already = (x: Campaign) => ({
    kind: 'refused' as const,
    text: x.decision
      ? `Already approved by ${x.decision.by.name} at ${formatClock(x.decision.at)}; the progress is in the campaign thread.`
      : 'It is being approved right now.',
  });
  if (c.state !== 'proposed') return already(c);
  if (Date.parse(c.expiresAt) <= ctx.now().getTime())
    return {
      kind: 'refused',
      text: `This offer expired at ${formatClock(c.expiresAt)}: scope results go stale. Run scope again for a fresh one.`,
    };
  if (!actor.aadObjectId)
    return { kind: 'refused', text: 'Contain could not tell who you are in Entra ID, so it cannot accept your approval.' };
  await authorize(ctx, actor, BUTTON_ROLES['contain-all'], 'Contain all');
  const me = actor.aadObjectId.toLowerCase();
  if (c.requester.aadObjectId?.toLowerCase() === me)
    return { kind: 'refused', text: 'You ran scope, so you asked for this wave: another approver must approve it (four-eyes rule).' };
  if ((await loadUsers(ctx, c)).some((u) => u.userId?.toLowerCase() === me))
    return {
      kind: 'refused',
      text: 'You are one of the users this wave contains, so you have no role on it. Another approver must approve it.',
    };
  const ticked = selected && new Set(selected);
  const excluded = ticked ? Array.from({ length: c.listed }, (_, i) => i).filter((i) => !ticked.has(String(i))) : [];
  if (excluded.length >= c.count) return { kind: 'refused', text: 'Every box is unticked: nobody to contain. Nothing was approved.' };
  if (!(await ctx.store.claim(CLAIM, c.id))) return already((await loadCampaign(ctx, id)) ?? c);
  const approved: Campaign = { ...c, state: 'approved', decision: { by: actor, at: ctx.now().toISOString(), excluded } };
  await saveCampaign(ctx, approved);
  // In flight from here: should the first slice never be queued (a crash before it), the sweeper starts it.
  await markInFlight(ctx, c.id);
  ctx.log.info('phishing wave approved', { campaignId: c.id, by: me, users: c.count - excluded.length, left: excluded.length });
  return { kind: 'approved', campaign: approved, chosen: c.count - excluded.length, left: excluded.length };
}
