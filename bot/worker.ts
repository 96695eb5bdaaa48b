import { getContext } from '../src/runtime';
import { executeActions } from '../src/incidents/execute';
import { sweep, type SweepResult } from '../src/incidents/sweep';
import { decodeWorkMessage } from '../src/store/work-queue';
import { ContainError } from '../src/errors';
import { notifierFor } from './notifiers';

/** Handle one queue message; throws to have the queue redeliver it (transient faults, a lease held elsewhere). */
export async function runWorkMessage(raw: unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
  const ctx = await getContext();
  const msg = decodeWorkMessage(raw);
  if (!msg) {
    ctx.log.error('undecodable work message dropped', { sample: String(typeof raw === 'string' ? raw : JSON.stringify(raw)).slice(0, 200) });
    return;
  }
  if (msg.type !== 'execute' && !(await ctx.store.claim(msg.type, msg.key))) {
    // Slack and Teams redeliver when an answer is slow: the first delivery owns the command.
    ctx.log.info('duplicate delivery ignored', { type: msg.type, key: msg.key });
    return;
  }
  if (msg.type === 'teams-command') {
    const [{ getAdapter }, { runTeamsCommand }] = await Promise.all([import('./teams/adapter'), import('./teams/turn')]);
    await runTeamsCommand(ctx, getAdapter(ctx.config, ctx.log), msg);
    return;
  }
  if (msg.type === 'slack-command' || msg.type === 'slack-action') {
    // Bolt stays out of the worker: only the Web API client and our own code load here.
    const { runSlackCommand, runSlackAction } = await import('./slack/work');
    await (msg.type === 'slack-command' ? runSlackCommand(ctx, msg) : runSlackAction(ctx, msg));
    return;
  }
  const incident = await ctx.store.getIncident(msg.incidentId);
  const outcome = await executeActions(ctx, msg, await notifierFor(ctx, incident), options);
  if (outcome === 'busy') throw new ContainError('CONFLICT', 'Another worker holds this action; retry later.', { transient: true });
}

/** The timer's work: expire undecided approvals, re-queue stuck actions. */
export async function runSweep(): Promise<SweepResult> {
  const ctx = await getContext();
  return sweep(ctx, async (incidentId) => notifierFor(ctx, await ctx.store.getIncident(incidentId)));
}
