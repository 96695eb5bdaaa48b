/**
 * bench:wave: a phishing wave. N users (default 100) are contained at once ("Approve all" on every incident at the
 * same moment) while the sandbox throttles: 30% of requests get 429 with Retry-After, and a per-second budget
 * answers 429 beyond it. Reports completion, failed actions, Graph requests against the minimum needed, and wall time
 * against the budget's lower bound (minimum requests / budget).
 */
import type { LocalStack } from '../sandbox/local-stack';
import { SEED_IDS } from '../sandbox/graph/seed';
import { getContext } from '../src/runtime';
import { benchStack, postTeams, record, until } from './common';

const N = Number(process.env.BENCH_N ?? 100);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 200);
const THROTTLE = 0.3;

const teams = (stack: LocalStack, extra: Record<string, unknown>) => postTeams(stack, extra, '19:wave@thread.tacv2');

async function main(): Promise<void> {
  const stack = await benchStack();
  try {
    const users = stack.emulator.addWaveUsers(N);
    const ctx = await getContext();
    for (const u of users) await teams(stack, { type: 'message', text: `contain ${u.upn}`, from: { id: '29:riley', name: 'Riley Rivera', aadObjectId: SEED_IDS.riley } });
    const incidents = await until(async () => {
      const open = (await ctx.store.findIncidents({ state: 'open' })).filter((i) => i.target.userPrincipalName.startsWith('wave.') && i.threads.teams?.cardActivityId);
      return open.length >= N ? open : undefined;
    }, 600_000, 'incidents to open');
    const actionCount = (await Promise.all(incidents.map((i) => ctx.store.listActions(i.id)))).flat().length;

    // Throttling applies to what Graph counts: individual requests and batch sub-requests, not the batch envelope.
    const route = '^/v1\\.0/(?!\\$batch$)';
    stack.emulator.faults.add({ route, status: 429, rate: THROTTLE, retryAfter: 0.2 });
    stack.emulator.faults.add({ route, budgetPerSecond: BUDGET });
    const mark = stack.emulator.requests().length;
    const t0 = performance.now();
    await Promise.all(incidents.map((i) => teams(stack, { type: 'invoke', name: 'adaptiveCard/action', from: { id: '29:avery', name: 'Avery Adams', aadObjectId: SEED_IDS.avery }, value: { action: { type: 'Action.Execute', verb: 'approve-all', data: { verb: 'approve-all', ref: i.id } } } })));
    const settled = await until(async () => {
      const all = (await Promise.all(incidents.map((i) => ctx.store.listActions(i.id)))).flat();
      return all.every((a) => !['proposed', 'approved', 'running', 'sending'].includes(a.state)) ? all : undefined;
    }, 900_000, 'the wave to settle');
    const wallMs = performance.now() - t0;
    const log = stack.emulator.requests().slice(mark);
    const counted = log.filter((r) => !r.path.endsWith('/$batch'));
    const throttled = counted.filter((r) => r.status === 429).length;
    const minimum = actionCount * 3; // snapshot, change, read-back per action
    const lowerBoundMs = (minimum / BUDGET) * 1000;
    const failed = settled.filter((a) => a.state === 'failed').length;
    record(`bench:wave (${N} users, ${actionCount} actions, ${Math.round(THROTTLE * 100)}% 429 + ${BUDGET} requests/s budget)`, [
      ['metric', 'value'],
      ['completed', `${settled.filter((a) => a.state === 'succeeded').length}/${settled.length} succeeded`],
      ['failed actions', failed],
      ['Graph requests (incl. batch sub-requests)', counted.length],
      ['of which throttled (429)', throttled],
      ['minimum needed', minimum],
      ['requests / minimum', (counted.length / minimum).toFixed(2)],
      ['HTTP round trips (envelopes + single requests)', log.filter((r) => !r.batchId).length],
      ['wall time ms', Math.round(wallMs)],
      ['budget lower bound ms', Math.round(lowerBoundMs)],
      ['wall / lower bound', (wallMs / lowerBoundMs).toFixed(2)],
    ], [
      'Targets: all complete, zero failed, requests <= 1.3x minimum, wall time <= 1.5x the budget lower bound.',
      `With ${Math.round(THROTTLE * 100)}% of requests refused at random, each needed request takes 1/(1-${THROTTLE}) = ${(1 / (1 - THROTTLE)).toFixed(2)} attempts on average whatever the client does, so "requests <= 1.3x minimum" cannot hold under this fault model; the successful requests are what the minimum counts.`,
      `Successful requests / minimum: ${((counted.length - throttled) / minimum).toFixed(2)}.`,
    ]);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
