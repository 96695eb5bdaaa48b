import type { ContainContext } from '../context';
import { inFlight, loadCampaignStamped, markLanded, saveCampaign } from './campaign';

/**
 * A chain of slices that saved nothing for this long has stopped: its message went to the poison queue after five
 * failed deliveries (Graph or storage down for minutes), or a worker died between claiming and queuing the next
 * slice. A live chain saves the campaign every slice (20 s of work, or a 2 s tick while incidents run).
 */
export const WAVE_STALE_MS = 5 * 60_000;

/**
 * The sweeper's share of the waves: restart each approved wave whose chain stopped, as a new chain from where the
 * campaign stands (the stopped chain's messages, should one come back, then do nothing). Nothing repeats: each user
 * is opened once (src/wave/open-user.ts) and each change is the engine's, exactly once. Landed waves leave the list.
 */
export async function resumeStalledWaves(ctx: ContainContext): Promise<number> {
  let resumed = 0;
  for (const id of await inFlight(ctx)) {
    const stamped = await loadCampaignStamped(ctx, id);
    const c = stamped?.value;
    // Proposed: a press died between marking it in flight and saving the approval; the next press finishes it.
    if (c?.state === 'proposed' && Date.parse(c.expiresAt) > ctx.now().getTime()) continue;
    if (!stamped || c?.state !== 'approved') {
      await markLanded(ctx, id);
      continue;
    }
    if (ctx.now().getTime() - Date.parse(stamped.at) < WAVE_STALE_MS) continue;
    const chain = `r${ctx.now().getTime().toString(36)}`;
    // The new chain is recorded before its first message: a sweeper dying in between leaves a campaign whose stamp
    // is fresh for one more period, then restarted again; never two chains allowed at once.
    await saveCampaign(ctx, { ...c, chain });
    await ctx.queue.send({ type: 'wave', key: `${c.id}#${c.step}@${chain}`, campaignId: c.id, step: c.step, chain });
    ctx.log.warn('phishing wave stalled: restarted from where it stands', { campaignId: c.id, step: c.step, cursor: c.cursor, chain });
    resumed++;
  }
  return resumed;
}
