import type { ContainContext } from '../context';
import { ContainError, toContainError } from '../errors';
import { runBatch, type BatchRequest } from '../graph/batch';
import { isRetryableStatus } from '../graph/retry';
import { withoutAnnotations } from '../graph/odata';
import { handlerFor } from '../playbook/registry';
import type { Call, CallResult } from '../playbook/types';
import { ConcurrencyError } from '../store/incident-store';
import { containmentView } from '../views/containment';
import type { Action, ActionResult } from './model';
import type { Notifier } from './notifier';

export type ExecuteOutcome = 'done' | 'nothing-to-do' | 'busy';

/**
 * Run approved actions of one incident exactly once, as one batched unit: claim each (CAS approved -> running), take
 * every missing snapshot in one $batch and store it before anything changes, change phase 1 (sessions, password)
 * then phase 2 (the rest) in one $batch each, verify in one $batch, record each result. A crash anywhere resumes
 * from the stored state: finished actions are not repeated, snapshots are not retaken after a change.
 */
export async function executeActions(ctx: ContainContext, msg: { incidentId: string; actionIds: string[] }, notifier: Notifier, options: { signal?: AbortSignal } = {}): Promise<ExecuteOutcome> {
  const log = ctx.log.child({ incidentId: msg.incidentId });
  const now = ctx.now();
  let busy = false;
  let claimed: Action[] = [];
  for (const id of msg.actionIds) {
    const a = await ctx.store.getAction(msg.incidentId, id);
    if (!a) continue;
    if (a.state === 'running' && a.leaseUntil && Date.parse(a.leaseUntil) > now.getTime()) {
      busy = true;
      continue;
    }
    if (a.state !== 'approved' && a.state !== 'running') continue;
    try {
      claimed.push(await ctx.store.updateAction({ ...a, state: 'running', attempts: a.attempts + 1, leaseUntil: new Date(now.getTime() + ctx.config.policy.actionLeaseMs).toISOString() }));
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      busy = true;
    }
  }
  if (!claimed.length) {
    if (!busy) log.info('nothing runnable; duplicate or late message', { actionIds: msg.actionIds });
    return busy ? 'busy' : 'nothing-to-do';
  }

  const results = new Map<string, ActionResult>();
  let transient: ContainError | undefined;
  const noteTransient = (e: ContainError) => (transient ??= e);

  // 1. Evidence first, for every action that has none yet.
  const needSnapshot = claimed.filter((a) => a.evidence === undefined);
  const snaps = await runCalls(ctx, needSnapshot.map((a) => [a.id, handlerFor(a.kind).snapshot(a)]), options);
  for (const a of needSnapshot) {
    const r = snaps.get(a.id)!;
    if (r instanceof ContainError) {
      noteTransient(r);
      continue;
    }
    if (r.status === 404) results.set(a.id, { outcome: 'skipped', message: `${a.title}: the object no longer exists; nothing to change.` });
    else if (isRetryableStatus(r.status)) noteTransient(new ContainError('GRAPH_UNAVAILABLE', 'Microsoft Graph did not answer the snapshot.', { transient: true }));
    else if (r.status >= 300) results.set(a.id, handlerFor(a.kind).outcome(a, r));
    else {
      const evidence = withoutAnnotations((r.body ?? {}) as object);
      claimed = claimed.map((c) => (c.id === a.id ? { ...c, evidence } : c));
      const stored = await ctx.store.updateAction({ ...claimed.find((c) => c.id === a.id)! });
      claimed = claimed.map((c) => (c.id === a.id ? stored : c));
      await ctx.store.appendAudit(a.incidentId, { at: ctx.now().toISOString(), event: 'action.snapshot', actionId: a.id, details: { title: a.title } });
    }
  }

  // 2. The changes, phase by phase; within a phase everything goes in one batch.
  for (const phase of [1, 2] as const) {
    const ready = claimed.filter((a) => !results.has(a.id) && a.evidence !== undefined && handlerFor(a.kind).phase === phase);
    const changes = await runCalls(ctx, ready.map((a) => [a.id, handlerFor(a.kind).change(a, a.evidence)]), options);
    for (const a of ready) {
      const r = changes.get(a.id)!;
      if (r instanceof ContainError) noteTransient(r);
      else if (isRetryableStatus(r.status)) noteTransient(new ContainError('GRAPH_UNAVAILABLE', `Microsoft Graph did not answer "${a.title}".`, { transient: true }));
      else results.set(a.id, handlerFor(a.kind).outcome(a, r));
    }
  }

  // 3. Read back what was changed.
  const done = claimed.filter((a) => results.get(a.id)?.outcome === 'succeeded');
  const checks = await runCalls(ctx, done.map((a) => [a.id, handlerFor(a.kind).check(a)]), options);
  for (const a of done) {
    const r = checks.get(a.id)!;
    results.get(a.id)!.verified = !(r instanceof ContainError) && handlerFor(a.kind).verified(a, a.evidence, r);
  }

  // 4. Record: finished actions get their result; the rest go back to "approved" for the queue's next delivery.
  for (const a of claimed) {
    const result = results.get(a.id);
    if (result) {
      await ctx.store.updateAction({ ...a, state: result.outcome, result, leaseUntil: undefined });
      await ctx.store.appendAudit(a.incidentId, { at: ctx.now().toISOString(), event: `action.${result.outcome}`, actionId: a.id, details: { title: a.title, message: result.message, code: result.code, verified: result.verified, requestIds: result.requestIds } });
      (result.outcome === 'failed' ? log.warn : log.info)(`action ${result.outcome}`, { actionId: a.id, kind: a.kind, code: result.code, verified: result.verified });
    } else {
      await ctx.store.updateAction({ ...a, state: 'approved', leaseUntil: undefined }).catch(() => undefined);
    }
  }
  await report(ctx, msg.incidentId, claimed.filter((a) => results.has(a.id)).map((a) => ({ a, r: results.get(a.id)! })), notifier);
  if (transient) {
    log.warn('some actions hit transient faults; the queue will retry them', { code: transient.code });
    throw transient;
  }
  return 'done';
}

/** Run calls: Graph ones in $batch round trips, Power Automate ones directly. A whole-batch failure is transient. */
async function runCalls(ctx: ContainContext, calls: [string, Call][], options: { signal?: AbortSignal }): Promise<Map<string, CallResult | ContainError>> {
  const out = new Map<string, CallResult | ContainError>();
  const graphCalls = calls.filter((c): c is [string, Extract<Call, { api: 'graph' }>] => c[1].api === 'graph');
  const flowCalls = calls.filter((c): c is [string, Extract<Call, { api: 'flow' }>] => c[1].api === 'flow');
  const flowRuns = flowCalls.map(async ([id, c]) => {
    if (!ctx.flows) return out.set(id, new ContainError('CONFIG_INVALID', 'Power Automate is not configured.'));
    try {
      const r = c.op === 'get' ? await ctx.flows.get(c.environment, c.flowId, options) : await ctx.flows.stop(c.environment, c.flowId, options);
      out.set(id, { ...r, headers: {} });
    } catch (err) {
      out.set(id, new ContainError('GRAPH_UNAVAILABLE', 'The Power Automate API did not answer.', { transient: true, cause: err }));
    }
  });
  if (graphCalls.length) {
    try {
      const requests: BatchRequest[] = graphCalls.map(([id, c]) => ({ id, method: c.method, url: c.url, body: c.body, headers: c.headers }));
      const res = await runBatch(ctx.graph, requests, { signal: options.signal });
      for (const [id] of graphCalls) out.set(id, res.get(id) ?? new ContainError('GRAPH_ERROR', 'Missing batch response.', { transient: true }));
    } catch (err) {
      const e = toContainError(err);
      for (const [id] of graphCalls) out.set(id, e.transient ? e : new ContainError(e.code, e.userMessage, { transient: true, cause: e }));
    }
  }
  await Promise.all(flowRuns);
  return out;
}

/** Update the shared card once and post one status line per finished action; chat failures never undo actions. */
async function report(ctx: ContainContext, incidentId: string, finished: { a: Action; r: ActionResult }[], notifier: Notifier): Promise<void> {
  if (!finished.length) return;
  let incident = (await ctx.store.getIncident(incidentId))!;
  const actions = await ctx.store.listActions(incidentId);
  const allDone = actions.every((a) => ['succeeded', 'failed', 'skipped', 'rejected', 'expired'].includes(a.state));
  if (allDone && incident.state === 'open' && actions.some((a) => a.state === 'succeeded')) {
    try {
      incident = await ctx.store.updateIncident({ ...incident, state: 'contained' });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  const icon = { succeeded: '✅', failed: '❌', skipped: '⏭️' } as const;
  try {
    await notifier.updateCard(incident, containmentView(incident, actions));
    await notifier.postStatus(incident, finished.map(({ a, r }) => `${icon[r.outcome]} ${a.title}: ${r.message}`).join('\n'));
  } catch (err) {
    ctx.log.warn('could not update the chat thread', { incidentId, err: err instanceof ContainError ? err.userMessage : String(err) });
  }
}
