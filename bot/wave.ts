import type { ContainContext } from '../src/context';
import type { ButtonPress } from '../src/views/buttons';
import { campaignMarkdown, campaignView } from '../src/views/campaign';
import { message } from '../src/views/types';
import { withDownload } from '../src/investigate/publish';
import { priorGrant } from '../src/incidents/policy';
import { approveWave } from '../src/wave/approve';
import { loadCampaign, loadStatuses, loadUsers, markLanded, saveCampaign, type Campaign } from '../src/wave/campaign';
import { progressText } from '../src/wave/progress';
import { runWaveSlice } from '../src/wave/run';
import type { Surface } from './core/surface';
import { surfaceModule } from './surfaces';

/** One queue message's share of a wave: then the next slice is queued, so no invocation runs for long. */
const SLICE_MS = 20_000;
const CONCURRENCY = 4;
/** Once everyone is opened, how often the wave looks again at incidents still running. */
const TICK_SECONDS = 2;

/**
 * "Contain all N" pressed: the wave is approved (src/wave/approve.ts), its card posted where the scope card is, its one
 * progress message posted in the card's thread, and its first slice queued. A refusal is told to the clicker alone.
 */
export async function pressContainAll(ctx: ContainContext, surface: Surface, press: ButtonPress): Promise<void> {
  const r = await approveWave(ctx, press.ref, press.selected, await surface.actor());
  if (r.kind === 'refused') return surface.tell({ view: message('attention', 'Not approved', r.text), text: r.text });
  const module = (await surfaceModule(surface.name))!;
  const users = await loadUsers(ctx, r.campaign);
  const cardId = await surface.post(campaignView(r.campaign, new Map(), users));
  const thread = cardId ? module.threadOf(surface.thread, cardId) : surface.thread;
  const text = progressText(r.campaign, new Map(), users);
  const progressId = await module.at(ctx, thread, surface.log).postText(text);
  await saveCampaign(ctx, {
    ...r.campaign,
    thread: { platform: surface.name, thread, ...(cardId ? { cardId } : {}), ...(progressId ? { progressId } : {}) },
    progress: text,
  });
  await ctx.queue.send({ type: 'wave', key: `${r.campaign.id}#0`, campaignId: r.campaign.id, step: 0 });
  const said = `Approved: ${r.chosen} user(s) will be contained${r.left ? `, ${r.left} left out` : ''}. Progress: the campaign card's thread.`;
  await surface.tell({ view: message('good', `Wave ${r.campaign.id} approved`, said), text: said });
}

/**
 * The worker's share of a wave: one slice (open the next users, read where the running ones stand), the progress
 * message edited in place when its line changed, then the next slice queued; when everyone is done, the campaign card
 * shows every row's outcome and links the full list. `step` keeps one chain: a duplicate of an earlier slice's message
 * (redelivered after a crash) finds the campaign past it and does nothing.
 */
export async function runWaveMessage(ctx: ContainContext, msg: { campaignId: string; step: number; chain?: string }): Promise<void> {
  const log = ctx.log.child({ campaignId: msg.campaignId, step: msg.step });
  const c = await loadCampaign(ctx, msg.campaignId);
  if (!c || c.state !== 'approved' || msg.step < c.step || msg.chain !== c.chain) return;
  const r = await runWaveSlice(ctx, c, { budgetMs: SLICE_MS, concurrency: CONCURRENCY });
  const text = progressText(r.campaign, r.statuses, r.users);
  const chat = c.thread && (await surfaceModule(c.thread.platform))?.at(ctx, c.thread.thread, log);
  if (chat && c.thread?.progressId && text !== c.progress)
    await chat.updateText(c.thread.progressId, text).catch((err: unknown) => log.warn('could not edit the wave progress', { err }));
  if (r.finished) {
    if (chat && c.thread?.cardId)
      await chat
        .update(c.thread.cardId, await finalView(ctx, r.campaign))
        .catch((err: unknown) => log.warn('could not update the campaign card', { err }));
    await saveCampaign(ctx, { ...r.campaign, state: 'done', progress: text });
    await markLanded(ctx, c.id);
    log.info('phishing wave done', { users: c.count });
    return;
  }
  const step = msg.step + 1;
  // A redelivered copy of this slice, or a restarted chain, moved the campaign on meanwhile: that one queues the next
  // slice, so the wave stays one chain of messages.
  const latest = await loadCampaign(ctx, c.id);
  if (!latest || latest.step !== msg.step || latest.chain !== c.chain) return log.info('wave slice superseded; the next is not queued');
  // Queued before the campaign moves on: a crash in between repeats this slice (harmlessly), never loses the chain.
  await ctx.queue.send(
    { type: 'wave', key: `${c.id}#${step}${c.chain ? `@${c.chain}` : ''}`, campaignId: c.id, step, ...(c.chain ? { chain: c.chain } : {}) },
    { delaySeconds: r.toOpen ? 0 : TICK_SECONDS },
  );
  await saveCampaign(ctx, { ...r.campaign, step, progress: text });
}

/** The finished card, linking the full list (every user, incident, state and reason) for whoever approved the wave. */
async function finalView(ctx: ContainContext, c: Campaign) {
  const [users, statuses] = await Promise.all([loadUsers(ctx, c), loadStatuses(ctx, c)]);
  const view = campaignView(c, statuses, users);
  if (!c.decision) return view;
  return withDownload(ctx, priorGrant(c.decision.by, 'approver'), 'campaign', {
    view,
    full: { campaign: c.id, users: users.map((u, i) => ({ ...u, ...statuses.get(i) })) },
    markdown: campaignMarkdown(view, c, statuses, users),
  });
}
