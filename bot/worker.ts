import { getContext } from '../src/runtime';
import type { ContainContext } from '../src/context';
import { executeActions } from '../src/incidents/execute';
import { sweep, type SweepResult } from '../src/incidents/sweep';
import { resumeStalledWaves } from '../src/wave/resume';
import { decodeWorkMessage, type ConversationMessage } from '../src/store/work-queue';
import { ContainError } from '../src/errors';
import { pressButton } from './core/buttons';
import { runCommand } from './core/command';
import { legacyWorkMessage } from './legacy-work';
import { notifierFor } from './notifiers';
import { surfaceModule } from './surfaces';

/** Handle one queue message; throws to have the queue redeliver it (transient faults, a lease held elsewhere). */
export async function runWorkMessage(raw: unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
  const ctx = await getContext();
  const msg = decodeWorkMessage(raw) ?? legacyWorkMessage(raw, ctx.log);
  if (!msg) {
    ctx.log.error('undecodable work message dropped', {
      sample: String(typeof raw === 'string' ? raw : JSON.stringify(raw)).slice(0, 200),
    });
    return;
  }
  if (msg.type === 'alert') return (await import('./alerts')).openAlertIncident(ctx, msg.request);
  if (msg.type === 'wave') return (await import('./wave')).runWaveMessage(ctx, msg);
  if (msg.type !== 'execute') return runConversation(ctx, msg, options);
  const incident = await ctx.store.getIncident(msg.incidentId);
  const outcome = await executeActions(ctx, msg, await notifierFor(ctx, incident), options);
  if (outcome === 'busy') throw new ContainError('CONFLICT', 'Another worker holds this action; retry later.', { transient: true });
}

/** A queued command, button press or reply, on the platform it came from. */
async function runConversation(ctx: ContainContext, msg: ConversationMessage, options: { signal?: AbortSignal }): Promise<void> {
  // Chat platforms redeliver when an answer is slow: the first delivery owns the command. (Scopes as before the
  // messages were platform-neutral, so a delivery claimed then is still recognised.)
  const scope = `${msg.surface}-${msg.type === 'button' ? 'action' : 'command'}`;
  if (!(await ctx.store.claim(scope, msg.key))) {
    ctx.log.info('duplicate delivery ignored', { type: scope, key: msg.key });
    return;
  }
  const module = await surfaceModule(msg.surface);
  if (!module) {
    ctx.log.error('work message for an unknown chat platform dropped', { surface: msg.surface, key: msg.key });
    return;
  }
  const surface = module.fromWork(ctx, msg, ctx.log.child({ correlationId: msg.key, platform: msg.surface }));
  if (msg.type === 'command') await runCommand(ctx, surface, msg.command, options);
  else if (msg.type === 'button')
    await pressButton(ctx, surface, msg.press, {
      clicked: msg.message,
      inDialog: msg.dialog !== undefined,
      start: (command) => runCommand(ctx, surface, command, options),
    });
  else await surface.post(msg.view);
}

/** The timer's work: expire undecided approvals, re-queue stuck actions, restart phishing waves whose chain stopped. */
export async function runSweep(): Promise<SweepResult & { wavesResumed: number }> {
  const ctx = await getContext();
  const result = await sweep(ctx, async (incidentId) => notifierFor(ctx, await ctx.store.getIncident(incidentId)));
  return { ...result, wavesResumed: await resumeStalledWaves(ctx) };
}
