/**
 * bench:contain: Alice's full containment (steps 1-7) after "Approve all", with 100 ms injected on every Graph
 * request and Graph's published throttling budgets on in the sandbox (Contain paces itself within them). Contain as
 * built (batched: snapshot, act x2 phases, verify) against the same actions issued one request at a time (snapshot,
 * change, read back for each action), the way typical playbooks do. Reported as wall time over the single-request
 * latency; the lower bound is one latency per round trip.
 */
import { runCalls } from '../src/incidents/calls';
import type { LocalStack } from '../sandbox/local-stack';
import { SEED_IDS } from '../sandbox/graph/seed';
import { getContext } from '../src/runtime';
import { handlerFor } from '../src/playbook/registry';
import type { Call } from '../src/playbook/types';
import type { Action } from '../src/incidents/model';
import { benchStack, postTeams, record, until } from './common';

const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const CONV = '19:bench@thread.tacv2';

const post = (stack: LocalStack, extra: Record<string, unknown>) => postTeams(stack, extra, CONV);

async function openAlice(stack: LocalStack): Promise<{ incidentId: string; actions: Action[] }> {
  const ctx = await getContext();
  const before = (await ctx.store.findIncidents({ targetUserId: SEED_IDS.alice })).length;
  await post(stack, {
    type: 'message',
    text: 'contain alice',
    from: { id: '29:riley', name: 'Riley Rivera', aadObjectId: SEED_IDS.riley },
  });
  const incident = await until(
    async () => {
      const all = await ctx.store.findIncidents({ targetUserId: SEED_IDS.alice });
      return all.length > before && all[0].threads.teams?.cardActivityId ? all[0] : undefined;
    },
    60_000,
    'incident',
  );
  return { incidentId: incident.id, actions: await ctx.store.listActions(incident.id) };
}

async function settled(incidentId: string): Promise<Action[]> {
  const ctx = await getContext();
  return until(
    async () => {
      const a = await ctx.store.listActions(incidentId);
      return a.every((x) => !['proposed', 'approved', 'running', 'sending'].includes(x.state)) ? a : undefined;
    },
    120_000,
    'actions to settle',
  );
}

/** The one-by-one baseline: each action's snapshot, change and read-back as separate sequential requests. */
async function oneByOne(actions: Action[]): Promise<void> {
  const ctx = await getContext();
  const run = async (c: Call) => {
    if (c.api === 'flow') return c.op === 'get' ? ctx.flows!.get(c.environment, c.flowId) : ctx.flows!.stop(c.environment, c.flowId);
    // Exchange and composite posture operations run directly in the engine too: the same path here.
    if (c.api === 'exchange' || c.api === 'posture')
      return (await runCalls(ctx, [['one', c]], {})).get('one') as { status: number; body: unknown };
    const opts = { headers: c.headers };
    try {
      if (c.method === 'GET') return { status: 200, body: await ctx.graph.get(c.url, opts) };
      if (c.method === 'DELETE') return { status: 204, body: await ctx.graph.delete(c.url, opts) };
      if (c.method === 'PATCH') return { status: 204, body: await ctx.graph.patch(c.url, c.body, opts) };
      return { status: 200, body: await ctx.graph.post(c.url, c.body, opts) };
    } catch (err) {
      return { status: (err as { details?: { status?: number } }).details?.status ?? 500, body: undefined };
    }
  };
  for (const phase of [1, 2]) {
    for (const a of actions.filter((x) => handlerFor(x.kind).phase === phase)) {
      const h = handlerFor(a.kind);
      const snap = await run(h.snapshot(a));
      await run(h.change(a, snap.body));
      await run(h.check(a));
    }
  }
}

async function main(): Promise<void> {
  const stack = await benchStack();
  try {
    // Contain as built.
    const { incidentId, actions } = await openAlice(stack);
    stack.emulator.faults.add({ route: '.*', latencyMs: LATENCY });
    const mark = stack.emulator.requests().length;
    const t0 = performance.now();
    await post(stack, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      from: { id: '29:avery', name: 'Avery Adams', aadObjectId: SEED_IDS.avery },
      value: { action: { type: 'Action.Execute', verb: 'approve-all', data: { verb: 'approve-all', ref: incidentId } } },
    });
    const done = await settled(incidentId);
    const builtMs = performance.now() - t0;
    const builtLog = stack.emulator.requests().slice(mark);
    const builtTrips = builtLog.filter((r) => !r.batchId).length;
    if (process.env.BENCH_TRACE)
      for (const r of stack.emulator
        .requests()
        .slice(mark)
        .filter((x) => !x.batchId))
        console.log('trace', Math.round(Date.parse(r.time) - (performance.timeOrigin + t0)), r.method, r.path);
    stack.emulator.faults.clear();

    // The same actions one by one, on a fresh tenant.
    stack.emulator.reset();
    const again = await openAlice(stack);
    stack.emulator.faults.add({ route: '.*', latencyMs: LATENCY });
    const mark2 = stack.emulator.requests().length;
    const t1 = performance.now();
    await oneByOne(again.actions);
    const serialMs = performance.now() - t1;
    const serialLog = stack.emulator.requests().slice(mark2);
    const serialTrips = serialLog.filter((r) => !r.batchId).length;
    const throttled = (log: { status: number }[]) => log.filter((r) => r.status === 429).length;

    const ok = done.filter((a) => a.state === 'succeeded').length;
    record(
      `bench:contain (${actions.length} actions, ${LATENCY} ms per Graph request)`,
      [
        ['variant', 'wall ms', 'x single-request latency', 'Graph round trips', 'wall / round trips x latency', '429s', 'succeeded'],
        [
          'Contain (batched)',
          Math.round(builtMs),
          (builtMs / LATENCY).toFixed(1),
          builtTrips,
          (builtMs / (builtTrips * LATENCY)).toFixed(2),
          throttled(builtLog),
          `${ok}/${done.length}`,
        ],
        [
          'one by one',
          Math.round(serialMs),
          (serialMs / LATENCY).toFixed(1),
          serialTrips,
          (serialMs / (serialTrips * LATENCY)).toFixed(2),
          throttled(serialLog),
          '-',
        ],
        ['speed-up', '', (serialMs / builtMs).toFixed(1) + 'x', '', '', '', ''],
      ],
      [
        'Targets: Contain <= 6x the single-request latency; >= 4x faster than one by one.',
        'Contain includes the approval itself (membership check, table writes, queue hop) and the card update; the baseline is Graph calls only, so the comparison favours the baseline.',
        'The Power Automate call (step 6) has no injected latency in either variant.',
        `Sandbox budgets on (${stack.emulator.budgets.describe().enabled ? 'published limits' : 'off'}): no containment write budget binds for one user (3,000 writes per 150 s; 25 device writes per 10 s); Outlook allows 4 requests at once per mailbox, and the pacer keeps each batch within that.`,
      ],
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
