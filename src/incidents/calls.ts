import type { ContainContext } from '../context';
import { ContainError, toContainError } from '../errors';
import { runExchangeCall } from '../exchange/calls';
import { runBatch, type BatchRequest } from '../graph/batch';
import type { Call, CallResult } from '../playbook/types';
import { runPostureCall } from '../posture/calls';

/** A call to make, under the id its answer is returned by. */
export type PlannedCall = [string, Call];

type GraphCall = Extract<Call, { api: 'graph' }>;
type FlowCall = Extract<Call, { api: 'flow' }>;
type DirectCall = Extract<Call, { api: 'exchange' | 'posture' }>;

/**
 * Make one round of calls: the Graph ones in one parallel $batch (split by 20), the Power Automate, Exchange and
 * composite posture ones directly and at the same time. A ContainError in place of an answer means none came: for a
 * change, its outcome is unknown.
 */
export async function runCalls(
  ctx: ContainContext,
  calls: PlannedCall[],
  options: { signal?: AbortSignal },
): Promise<Map<string, CallResult | ContainError>> {
  const out = new Map<string, CallResult | ContainError>();
  const graphCalls = calls.filter((c): c is [string, GraphCall] => c[1].api === 'graph');
  const flowCalls = calls.filter((c): c is [string, FlowCall] => c[1].api === 'flow');
  const directCalls = calls.filter((c): c is [string, DirectCall] => c[1].api === 'exchange' || c[1].api === 'posture');
  const flows = Promise.all(
    flowCalls.map(async ([id, c]) => {
      if (!ctx.flows) return void out.set(id, new ContainError('CONFIG_INVALID', 'Power Automate is not configured.'));
      try {
        const r = await ctx.flows[c.op](c.environment, c.flowId, options);
        out.set(id, { ...r, headers: {} });
      } catch (err) {
        out.set(id, new ContainError('GRAPH_UNAVAILABLE', 'The Power Automate API did not answer.', { transient: true, cause: err }));
      }
    }),
  );
  // All at once, as the Graph batch leaves: a change recorded as "sending" must be on its way now, not after the others
  // answered (a worker frozen in between would send it long after the new holder's grace period). Exchange refuses
  // past a few requests at once per tenant; the client waits and retries that refusal (nothing was made).
  const direct = Promise.all(
    directCalls.map(async ([id, c]) =>
      out.set(id, c.api === 'exchange' ? await runExchangeCall(ctx.exchange, c, options) : await runPostureCall(ctx.graph, c, options)),
    ),
  );
  if (graphCalls.length) {
    try {
      const requests: BatchRequest[] = graphCalls.map(([id, c]) => ({
        id,
        method: c.method,
        url: c.url,
        body: c.body,
        headers: c.headers,
      }));
      const res = await runBatch(ctx.graph, requests, { signal: options.signal });
      for (const [id] of graphCalls)
        out.set(id, res.get(id) ?? new ContainError('GRAPH_ERROR', 'Missing batch response.', { transient: true }));
    } catch (err) {
      const e = toContainError(err);
      if (e.code === 'ABORTED') throw err;
      const status = e.details.status;
      // A batch refused whole (a 4xx on the envelope) ran none of its requests: each gets that answer as its own.
      const refused: CallResult | undefined =
        !e.transient && typeof status === 'number' && status >= 400
          ? { status, headers: {}, body: { error: { code: e.details.graphCode, message: e.details.graphMessage } } }
          : undefined;
      for (const [id] of graphCalls)
        out.set(id, refused ?? (e.transient ? e : new ContainError(e.code, e.userMessage, { transient: true, cause: e })));
    }
  }
  await Promise.all([flows, direct]);
  return out;
}
