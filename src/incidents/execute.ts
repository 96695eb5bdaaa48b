import type { ContainContext } from '../context';
import { ContainError, toContainError } from '../errors';
import { stepFor } from '../playbook/registry';
import { ConcurrencyError } from '../store/incident-store';
import { containmentView } from '../views/containment';
import type { Action, ActionResult } from './model';
import type { Notifier } from './notifier';

export type ExecuteOutcome = 'done' | 'nothing-to-do' | 'busy';

/**
 * Run one approved action exactly once: claim it (CAS approved -> running), snapshot the object before any change
 * (kept on resume), act, verify, record. A crash anywhere resumes from the stored state; `act` is idempotent so a
 * crash between the Graph call and the final write repeats a harmless call, never a different one.
 */
export async function executeAction(ctx: ContainContext, msg: { incidentId: string; actionId: string }, notifier: Notifier, options: { signal?: AbortSignal } = {}): Promise<ExecuteOutcome> {
  const log = ctx.log.child({ incidentId: msg.incidentId, actionId: msg.actionId });
  let action = await ctx.store.getAction(msg.incidentId, msg.actionId);
  if (!action) {
    log.warn('work message for an unknown action; dropped');
    return 'nothing-to-do';
  }
  const now = ctx.now();
  const leaseHeld = action.state === 'running' && action.leaseUntil !== undefined && Date.parse(action.leaseUntil) > now.getTime();
  if (leaseHeld) return 'busy';
  if (action.state !== 'approved' && action.state !== 'running') {
    log.info('action not runnable; duplicate or late message', { state: action.state });
    return 'nothing-to-do';
  }
  try {
    action = await ctx.store.updateAction({ ...action, state: 'running', attempts: action.attempts + 1, leaseUntil: new Date(now.getTime() + ctx.config.policy.actionLeaseMs).toISOString() });
  } catch (err) {
    if (err instanceof ConcurrencyError) return 'busy';
    throw err;
  }
  const step = stepFor(action.kind);
  const incident = (await ctx.store.getIncident(action.incidentId))!;
  try {
    if (action.evidence === undefined) {
      const evidence = await step.snapshot(ctx, action, options);
      action = await ctx.store.updateAction({ ...action, evidence });
      await ctx.store.appendAudit(incident.id, { at: ctx.now().toISOString(), event: 'action.snapshot', actionId: action.id, details: { title: action.title } });
    }
    const result = await step.act(ctx, action, options);
    result.verified = await step.verify(ctx, action, action.evidence, options).catch((err: unknown) => {
      log.warn('verification read failed', { err });
      return false;
    });
    action = await finish(ctx, action, result);
    log.info('action succeeded', { kind: action.kind, attempts: action.attempts, verified: result.verified });
  } catch (err) {
    const e = toContainError(err);
    if (e.transient) {
      // Hand it back: the queue redelivers and the next attempt resumes with the stored snapshot.
      await ctx.store.updateAction({ ...action, state: 'approved', leaseUntil: undefined }).catch(() => undefined);
      log.warn('action hit a transient fault; will retry', { code: e.code, details: e.details });
      throw e;
    }
    action = await finish(ctx, action, { outcome: 'failed', message: e.userMessage, code: String(e.details.graphCode ?? e.code) });
    log.error('action failed', { code: e.code, details: e.details });
  }
  await report(ctx, action, notifier);
  return 'done';
}

async function finish(ctx: ContainContext, action: Action, result: ActionResult): Promise<Action> {
  const state = result.outcome;
  const done = await ctx.store.updateAction({ ...action, state, result, leaseUntil: undefined });
  await ctx.store.appendAudit(action.incidentId, { at: ctx.now().toISOString(), event: `action.${state}`, actionId: action.id, details: { title: action.title, message: result.message, code: result.code, verified: result.verified } });
  return done;
}

/** Update the shared card and post a status line; chat failures are logged, never undo the action. */
async function report(ctx: ContainContext, action: Action, notifier: Notifier): Promise<void> {
  let incident = (await ctx.store.getIncident(action.incidentId))!;
  const actions = await ctx.store.listActions(incident.id);
  const finished = actions.every((a) => ['succeeded', 'failed', 'skipped', 'rejected', 'expired'].includes(a.state));
  if (finished && incident.state === 'open' && actions.some((a) => a.state === 'succeeded')) {
    try {
      incident = await ctx.store.updateIncident({ ...incident, state: 'contained' });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  const icon = action.state === 'succeeded' ? '✅' : '❌';
  try {
    await notifier.updateCard(incident, containmentView(incident, actions));
    await notifier.postStatus(incident, `${icon} ${action.title}: ${action.result?.message ?? action.state}`);
  } catch (err) {
    ctx.log.warn('could not update the chat thread', { incidentId: incident.id, err: err instanceof ContainError ? err.userMessage : String(err) });
  }
}
