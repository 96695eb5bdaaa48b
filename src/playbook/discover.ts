import type { ContainContext } from '../context';
import { runBatch, type BatchRequest } from '../graph/batch';
import type { TargetUser } from '../incidents/model';
import type { FlowClient } from '../powerautomate/client';
import { Answers } from './answers';
import { containmentSteps } from './registry';
import type { Discovery, ReadScope } from './types';

/** Requests in order, each id once (steps 3 and 7 both declare the directory audit). */
function unique(requests: BatchRequest[], asked: Set<string>): BatchRequest[] {
  const out: BatchRequest[] = [];
  for (const r of requests) {
    if (asked.has(r.id)) continue;
    asked.add(r.id);
    out.push(r);
  }
  return out;
}

/**
 * Read what steps 2-7 judge, in as few Graph batches as the reads' dependencies allow: every step's first reads
 * together (with the Power Automate list and the Exchange mailbox reads alongside), then what the answers lead to (the apps behind consents, the
 * folders rules move mail to), batch after batch until no step asks for more. For Alice that is two batches.
 */
export async function discover(
  ctx: ContainContext,
  user: TargetUser,
  windowStart: string,
  flows: FlowClient | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<Discovery> {
  const scope: ReadScope = { user, since: windowStart.replace(/\.\d{3}Z$/, 'Z') };
  const asked = new Set<string>();
  const first = unique(
    containmentSteps.flatMap((s) => s.reads?.first?.(scope) ?? []),
    asked,
  );
  const flowRead = containmentSteps.find((s) => s.reads?.flows)?.reads?.flows;
  const exchangeRead = containmentSteps.find((s) => s.reads?.exchange)?.reads?.exchange;
  const [answered, flowList, exchange] = await Promise.all([
    runBatch(ctx.graph, first, { signal: options.signal }),
    flowRead ? flowRead(flows, user.id, options.signal) : { notChecked: 'no step reads flows' },
    exchangeRead?.(ctx.exchange, user, options.signal),
  ]);
  let answers = new Answers(answered);
  for (;;) {
    const more = unique(
      containmentSteps.flatMap((s) => s.reads?.next?.(answers, scope) ?? []),
      asked,
    );
    if (!more.length) return { answers, flows: flowList, ...(exchange ? { exchange } : {}) };
    answers = answers.with(await runBatch(ctx.graph, more, { signal: options.signal }));
  }
}
