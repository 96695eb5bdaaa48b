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
 * every missing snapshot in one $batch and store it before anything changes, then change phase 1 (sessions,
 * password) and phase 2 (the rest) in one $batch each, every change followed in the same batch by its read-back,
 * and record each result. A crash anywhere resumes
 * from the stored state: finished actions are not repeated, snapshots are not retaken after a change.
 */
export async function executeActions(ctx: ContainContext, msg: { incidentId: string; actionIds: string[] }, notifier: Notifier, options: { signal?: AbortSignal } = {}): Promise<ExecuteOutcome> {
  const log = ctx.log.child({ incidentId: msg.incidentId });
  const now = ctx.now();
  let busy = false;
  // Claims are independent compare-and-swaps: run them together.
  const attempts = await Promise.all(
    msg.actionIds.map(async (id): Promise<Action | 'busy' | undefined> => {
      const a = await ctx.store.getAction(msg.incidentId, id);
      if (!a) return undefined;
      if (a.state === 'running' && a.leaseUntil && Date.parse(a.leaseUntil) > now.getTime()) return 'busy';
      if (a.state !== 'approved' && a.state !== 'running') return undefined;
      try {
        return await ctx.store.updateAction({ ...a, state: 'running', attempts: a.attempts + 1, leaseUntil: new Date(now.getTime() + ctx.config.policy.actionLeaseMs).toISOString() });
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        return 'busy';
      }
    }),
  );
  let claimed = attempts.filter((a): a is Action => typeof a === 'object');
  busy = attempts.includes('busy');
  if (!claimed.length) {
    if (!busy) log.info('nothing runnable; duplicate or late message', { actionIds: msg.actionIds });
    return busy ? 'busy' : 'nothing-to-do';
  }

  const results = new Map<string, ActionResult>();
  let transient: ContainError | undefined;
  const noteTransient = (e: ContainError) => (transient ??= e);

  // 1. Evidence first, for every action that has none yet.
  const needSnapshot = claimed.filter((a) => a.evidence === undefined);
  const snaps = await runCalls(ctx, needSnapshot.map((a): PlannedCall => [a.id, handlerFor(a.kind).snapshot(a)]), options);
  const stored = await Promise.all(
    needSnapshot.map(async (a): Promise<Action | undefined> => {
      const r = snaps.get(a.id)!;
      if (r instanceof ContainError) {
        noteTransient(r);
        return undefined;
      }
      if (r.status === 404) results.set(a.id, { outcome: 'skipped', message: `${a.title}: the object no longer exists; nothing to change.` });
      else if (isRetryableStatus(r.status)) noteTransient(new ContainError('GRAPH_UNAVAILABLE', 'Microsoft Graph did not answer the snapshot.', { transient: true }));
      else if (r.status >= 300) results.set(a.id, handlerFor(a.kind).outcome(a, r));
      else {
        // Evidence is durable before any change is sent.
        const saved = await ctx.store.updateAction({ ...a, evidence: withoutAnnotations((r.body ?? {}) as object) });
        await ctx.store.appendAudit(a.incidentId, { at: ctx.now().toISOString(), event: 'action.snapshot', actionId: a.id, details: { title: a.title } });
        return saved;
      }
      return undefined;
    }),
  );
  for (const s of stored) if (s) claimed = claimed.map((c) => (c.id === s.id ? s : c));

  // 2. The changes, phase by phase, each with its read-back chained behind it (dependsOn) in the same batch: one
  // round trip per phase, and a read-back never runs for a change that failed.
  const verifiedBy = new Map<string, CallResult | ContainError>();
  for (const phase of [1, 2] as const) {
    const ready = claimed.filter((a) => !results.has(a.id) && a.evidence !== undefined && handlerFor(a.kind).phase === phase);
    const calls: PlannedCall[] = ready.flatMap((a): PlannedCall[] => [
      [a.id, handlerFor(a.kind).change(a, a.evidence)],
      [`${a.id}:check`, handlerFor(a.kind).check(a), a.id],
    ]);
    const answers = await runCalls(ctx, calls, options);
    for (const a of ready) {
      const r = answers.get(a.id)!;
      if (r instanceof ContainError) noteTransient(r);
      else if (isRetryableStatus(r.status)) noteTransient(new ContainError('GRAPH_UNAVAILABLE', `Microsoft Graph did not answer "${a.title}".`, { transient: true }));
      else {
        results.set(a.id, handlerFor(a.kind).outcome(a, r));
        verifiedBy.set(a.id, answers.get(`${a.id}:check`)!);
      }
    }
  }

  // 3. What the read-backs say about the changes that succeeded.
  for (const a of claimed.filter((x) => results.get(x.id)?.outcome === 'succeeded')) {
    const r = verifiedBy.get(a.id);
    results.get(a.id)!.verified = !!r && !(r instanceof ContainError) && handlerFor(a.kind).verified(a, a.evidence, r);
  }

  // 4. Record: finished actions get their result; the rest go back to "approved" for the queue's next delivery.
  await Promise.all(
    claimed.map(async (a) => {
      const result = results.get(a.id);
      if (!result) {
        await ctx.store.updateAction({ ...a, state: 'approved', leaseUntil: undefined }).catch(() => undefined);
        return;
      }
      await ctx.store.updateAction({ ...a, state: result.outcome, result, leaseUntil: undefined });
      await ctx.store.appendAudit(a.incidentId, { at: ctx.now().toISOString(), event: `action.${result.outcome}`, actionId: a.id, details: { title: a.title, message: result.message, code: result.code, verified: result.verified, requestIds: result.requestIds } });
      (result.outcome === 'failed' ? log.warn : log.info)(`action ${result.outcome}`, { actionId: a.id, kind: a.kind, code: result.code, verified: result.verified });
    }),
  );
  await report(ctx, msg.incidentId, claimed.filter((a) => results.has(a.id)).map((a) => ({ a, r: results.get(a.id)! })), notifier);
  if (transient) {
    log.warn('some actions hit transient faults; the queue will retry them', { code: transient.code });
    throw transient;
  }
  return 'done';
}

/** A call to make: id, what, and optionally the id it must run after (and only if that one succeeded). */
type PlannedCall = [string, Call] | [string, Call, string];

/** Run calls: Graph ones in $batch round trips, Power Automate ones directly. A whole-batch failure is transient. */
async function runCalls(ctx: ContainContext, calls: PlannedCall[], options: { signal?: AbortSignal }): Promise<Map<string, CallResult | ContainError>> {
  const out = new Map<string, CallResult | ContainError>();
  const graphCalls = calls.filter((c) => c[1].api === 'graph') as ([string, Extract<Call, { api: 'graph' }>] | [string, Extract<Call, { api: 'graph' }>, string])[];
  const flowCalls = calls.filter((c) => c[1].api === 'flow') as ([string, Extract<Call, { api: 'flow' }>] | [string, Extract<Call, { api: 'flow' }>, string])[];
  const runFlow = async (id: string, c: Extract<Call, { api: 'flow' }>) => {
    if (!ctx.flows) return out.set(id, new ContainError('CONFIG_INVALID', 'Power Automate is not configured.'));
    try {
      const r = c.op === 'get' ? await ctx.flows.get(c.environment, c.flowId, options) : await ctx.flows.stop(c.environment, c.flowId, options);
      out.set(id, { ...r, headers: {} });
    } catch (err) {
      out.set(id, new ContainError('GRAPH_UNAVAILABLE', 'The Power Automate API did not answer.', { transient: true, cause: err }));
    }
  };
  // Independent flow calls run at once; a dependent one waits for its predecessor.
  const flowRuns = flowCalls
    .filter((c) => c.length === 2)
    .map(async ([id, c]) => {
      await runFlow(id, c);
      for (const dep of flowCalls.filter((d) => d.length === 3 && d[2] === id)) {
        const first = out.get(id);
        if (first instanceof ContainError || (first && first.status >= 300)) out.set(dep[0], { status: 424, headers: {}, body: undefined });
        else await runFlow(dep[0], dep[1]);
      }
    });
  if (graphCalls.length) {
    try {
      const requests: BatchRequest[] = graphCalls.map(([id, c, after]) => ({ id, method: c.method, url: c.url, body: c.body, headers: c.headers, ...(after ? { dependsOn: [after] } : {}) }));
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
