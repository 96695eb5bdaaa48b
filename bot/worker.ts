import { getContext } from '../src/runtime';
import { executeAction } from '../src/incidents/execute';
import type { Incident } from '../src/incidents/model';
import type { Notifier } from '../src/incidents/notifier';
import { decodeWorkMessage } from '../src/store/work-queue';
import { ContainError } from '../src/errors';

/** Fan a notification out to every platform the incident has a thread on; each platform module loads only if used. */
async function notifierFor(incident: Incident | undefined): Promise<Notifier> {
  const ctx = await getContext();
  const targets: Notifier[] = [];
  if (incident?.threads.teams) {
    const [{ getAdapter }, { teamsNotifier }] = await Promise.all([import('./teams/adapter'), import('./teams/notifier')]);
    targets.push(teamsNotifier(getAdapter(ctx.config, ctx.log), ctx.config.teams.appId));
  }
  return {
    updateCard: async (i, v) => void (await Promise.all(targets.map((t) => t.updateCard(i, v)))),
    postStatus: async (i, t) => void (await Promise.all(targets.map((n) => n.postStatus(i, t)))),
  };
}

/** Handle one queue message; throws to have the queue redeliver it (transient faults, a lease held elsewhere). */
export async function runWorkMessage(raw: unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
  const ctx = await getContext();
  const msg = decodeWorkMessage(raw);
  if (!msg) {
    ctx.log.error('undecodable work message dropped', { sample: String(typeof raw === 'string' ? raw : JSON.stringify(raw)).slice(0, 200) });
    return;
  }
  const incident = await ctx.store.getIncident(msg.incidentId);
  const outcome = await executeAction(ctx, msg, await notifierFor(incident), options);
  if (outcome === 'busy') throw new ContainError('CONFLICT', 'Another worker holds this action; retry later.', { transient: true });
}
