import { randomUUID } from 'node:crypto';
import type { Budgets } from './budgets';
import type { FaultTable } from './faults';
import { batchRefusal, executionOrder, type BatchSubRequest } from './batch-rules';
import { errorBody, faultResponse, json, lower, shuffle, type Call, type EmulatorResponse, type LoggedRequest } from './http';

/** What a batch needs of the emulator: its faults and budgets, its router, its log, and how to lose the whole answer. */
export interface BatchDeps {
  faults: FaultTable;
  budgets: Budgets;
  random: () => number;
  route(call: Call, requestId: string): EmulatorResponse;
  /** A sub-request, logged right after the batch's envelope. */
  log(entry: LoggedRequest): void;
  /** A sub-request's fault drops the connection or kills the caller: the batch's answer is lost. */
  disconnect(how: 'drop' | 'kill'): void;
}

/**
 * JSON batching as Graph does it: the batch's rules checked first (at most 20 requests, unique ids, Content-Type
 * with a body, and a parallel, sequential or all-on-one dependency shape; else 400 and nothing runs), then each
 * request after the ones it depends on, 424 for dependents of a failed request, responses in arbitrary order.
 */
export function runJsonBatch(call: Call, requestId: string, em: BatchDeps): EmulatorResponse {
  const reqs = (call.body as { requests?: unknown })?.requests;
  const refusal = batchRefusal(reqs);
  if (refusal) return json(400, errorBody('BadRequest', refusal, requestId));
  const batchId = requestId;
  const results = new Map<string, EmulatorResponse>();
  const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
  for (const r of executionOrder(reqs as BatchSubRequest[])) {
    let res: EmulatorResponse;
    let applied = false;
    const failedDep = (r.dependsOn ?? []).find((d) => results.get(d)!.status >= 400);
    const url = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://sandbox');
    const subPath = `/${call.version}${url.pathname}`;
    if (failedDep !== undefined) {
      res = json(424, errorBody('FailedDependency', `Request depends on request '${failedDep}' which failed.`, randomUUID()));
    } else {
      const fault = em.faults.failure(r.method, subPath);
      if (fault) {
        res = faultResponse(fault, randomUUID());
        if (fault.drop) em.disconnect('drop');
      } else {
        const sub: Call = {
          method: r.method.toUpperCase(),
          version: call.version,
          path: url.pathname,
          query: url.searchParams,
          headers: lower(r.headers ?? {}),
          body: r.body,
          base: call.base,
        };
        res = em.budgets.charge(sub, batchId, { requests: reqs as BatchSubRequest[], id: r.id }) ?? em.route(sub, randomUUID());
        applied = res.status < 400;
        const after = applied ? em.faults.after(r.method, subPath) : undefined;
        if (after?.disconnect) em.disconnect(after.disconnect);
        else if (after) res = faultResponse(after, randomUUID());
      }
    }
    results.set(r.id, res);
    em.log({
      method: r.method.toUpperCase(),
      path: subPath,
      query: url.search || undefined,
      status: res.status,
      time: new Date().toISOString(),
      batchId,
      applied,
    });
    responses.push({ id: r.id, status: res.status, headers: res.headers, body: res.body });
  }
  // Graph documents that responses may come back in any order; make sure callers do not rely on it.
  shuffle(responses, em.random);
  return json(200, { responses });
}
