import type { ContainContext } from '../context';
import type { Actor } from '../incidents/model';
import { authorize } from '../incidents/policy';
import { BUTTON_ROLES } from '../incidents/roles';
import { formatClock } from '../views/time';
import { type Campaign, loadCampaign, loadUsers, markInFlight, saveCampaign } from './campaign';

export type WaveApproval = { kind: 'approved'; campaign: Campaign; chosen: number; left: number } | { kind: 'refused'; text: string };

const CLAIM = 'campaign-approval';
/** The decision of a press, kept before its claim: what a later press finishes should that press die before saving. */
const DECISION = 'campaign-decision';
/** A decision kept this long with the campaign still proposed was never saved: its presser died on the way. */
const UNSAVED_DECISION_MS = 60_000;

type Decision = NonNullable<Campaign['decision']>;

/**
 * "Contain all N": one approval for the whole set, by an approver who is not whoever ran scope (four-eyes) nor one of
 * the users it contains. `selected` are the keys of the boxes left ticked (undefined: the card's default, all); the
 * users beyond the listed ones are always in. Double clicks and two approvers at once approve it once (a claim); a
 * press that claimed it and died before saving is finished, with its decision, by a press a minute later.
 */
export async function approveWave(ctx: ContainContext, id: string, selected: string[] | undefined, actor: Actor): Promise<WaveApproval> {
  const c = await loadCampaign(ctx, id);
  if (!c) return { kind: 'refused', text: `There is no wave ${id}; run scope again.` };
  if (c.state !== 'proposed') return already(c);
  if (!actor.aadObjectId)
    return { kind: 'refused', text: 'Contain could not tell who you are in Entra ID, so it cannot accept your approval.' };
  await authorize(ctx, actor, BUTTON_ROLES['contain-all'], 'Contain all');
  if (Date.parse(c.expiresAt) <= ctx.now().getTime())
    return {
      kind: 'refused',
      text: `This offer expired at ${formatClock(c.expiresAt)}: scope results go stale. Run scope again for a fresh one.`,
    };
  // A decision kept before the offer expired, never saved: finished now (an expired one is not: scope went stale).
  const kept = await ctx.store.recall<Decision>(DECISION, c.id);
  if (kept && ctx.now().getTime() - Date.parse(kept.at) >= UNSAVED_DECISION_MS) return finish(ctx, c, kept.value);
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
  const decision: Decision = { by: actor, at: ctx.now().toISOString(), excluded };
  // Only the first press keeps its decision: a press refused as "being approved" must not replace the one to finish.
  if (!kept) await ctx.store.remember(DECISION, c.id, decision);
  if (!(await ctx.store.claim(CLAIM, c.id))) return already((await loadCampaign(ctx, id)) ?? c);
  return approve(ctx, c, decision);
}

function already(c: Campaign): WaveApproval {
  return {
    kind: 'refused',
    text: c.decision
      ? `Already approved by ${c.decision.by.name} at ${formatClock(c.decision.at)}; the progress is in the campaign thread.`
      : 'It is being approved right now.',
  };
}

/** A press that claimed the approval and died before saving it: the next press, a minute on, finishes it (once). */
async function finish(ctx: ContainContext, c: Campaign, decision: Decision): Promise<WaveApproval> {
  if (!(await ctx.store.claim(CLAIM, `${c.id}~finish`))) return already((await loadCampaign(ctx, c.id)) ?? c);
  ctx.log.warn('a wave approval was claimed but never saved; finishing it with the decision kept', { campaignId: c.id });
  return approve(ctx, c, decision);
}

async function approve(ctx: ContainContext, c: Campaign, decision: Decision): Promise<WaveApproval> {
  const approved: Campaign = { ...c, state: 'approved', decision };
  // In flight before it is approved: should the worker die after the save, before the first slice is queued, the
  // sweeper finds the wave and starts it; one that dies before the save leaves it proposed, for the next press.
  await markInFlight(ctx, c.id);
  await saveCampaign(ctx, approved);
  const left = decision.excluded.length;
  ctx.log.info('phishing wave approved', { campaignId: c.id, by: decision.by.aadObjectId, users: c.count - left, left });
  return { kind: 'approved', campaign: approved, chosen: c.count - left, left };
}
