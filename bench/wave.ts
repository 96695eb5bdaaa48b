/**
 * bench:wave: a phishing wave under Microsoft Graph's published throttling budgets, which the sandbox enforces
 * (sandbox/graph/budgets.ts) and Contain paces itself within (src/graph/pacing.ts). Alice's phishing mail reached R
 * more people (/sandbox/scenario); N of them signed in through the attacker's proxy. Three phases, each timed against
 * the lower bound the budgets put on it, computed from the requests it made:
 *   1. `scope alice`: step 10 over every recipient. Sign-in reads are 5 per 10 s per app and tenant, so k reads
 *      cannot finish before floor((k - 1) / 5) x 10 s. Run paced (as built) and unpaced (CONTAIN_GRAPH_PACING=off)
 *      side by side on the same tenant, each with fresh budgets.
 *   2. `contain` each of the N: two report reads per incident (the user's sign-ins, the directory audit), same bound.
 *   3. "Approve all" on every incident at once: writes are a token bucket of 3,000 per 150 s (burst 3,000, then 20/s),
 *      so k writes need max(0, k - 3000) / 20 s; Outlook allows 4 requests at once per mailbox (one mailbox each here).
 * BENCH_FAULT_RATE adds that share of random 429s (Retry-After 0.2 s) on top in phase 3, as the earlier fault model did.
 */
import type { LocalStack } from '../sandbox/local-stack';
import type { LoggedRequest } from '../sandbox/graph/emulator';
import { SEED_IDS } from '../sandbox/graph/seed';
import { getContext, resetContext } from '../src/runtime';
import { benchStack, postTeams, record, until } from './common';

const N = Number(process.env.BENCH_N ?? 100);
// CI's smoke run keeps the mail small: the opening phase alone waits out the report budget (about 4 s per incident).
const R = Number(process.env.BENCH_RECIPIENTS ?? (process.env.BENCH_SMOKE ? N : 10 * N));
const FAULT_RATE = Number(process.env.BENCH_FAULT_RATE ?? 0);

const REPORTS = /^\/(v1\.0|beta)\/auditLogs\/(signIns|directoryAudits)$/;
const WRITE = /^(POST|PATCH|PUT|DELETE)$/;
/** POSTs that read (membership checks): not writes to Graph's budgets. */
const READ_POST = /\/(checkMemberObjects|checkMemberGroups|getMemberObjects|getMemberGroups|getByIds|getObjectsById)$/;
const riley = { id: '29:riley', name: 'Riley Rivera', aadObjectId: SEED_IDS.riley };
const teams = (stack: LocalStack, extra: Record<string, unknown>) => postTeams(stack, extra, '19:wave@thread.tacv2');

/** Sliding window: the k-th request can go no earlier than floor((k - 1) / limit) windows after the first. */
const windowBound = (k: number, limit: number, windowS: number) => (k <= 0 ? 0 : Math.floor((k - 1) / limit) * windowS * 1000);
/** Token bucket with `capacity` tokens refilled at `perS`: k requests need max(0, k - capacity) / perS. */
const bucketBound = (k: number, capacity: number, perS: number) => (Math.max(0, k - capacity) / perS) * 1000;

interface Phase {
  name: string;
  wallMs: number;
  boundMs: number;
  log: LoggedRequest[];
  note: string;
}

async function phase(
  stack: LocalStack,
  name: string,
  run: () => Promise<void>,
  bound: (log: LoggedRequest[]) => { ms: number; note: string },
): Promise<Phase> {
  const mark = stack.emulator.requests().length;
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const log = stack.emulator.requests().slice(mark);
  const b = bound(log);
  return { name, wallMs, boundMs: b.ms, log, note: b.note };
}

async function scope(stack: LocalStack): Promise<void> {
  const before = stack.connector.all().length;
  await teams(stack, { type: 'message', text: 'scope alice', from: riley });
  await until(
    () =>
      stack.connector
        .all()
        .slice(before)
        .some((r) => r.op !== 'update' && JSON.stringify(r.activity).includes('Scope: Alice Aoki')),
    1_800_000,
    'the scope card',
  );
}

async function main(): Promise<void> {
  const stack = await benchStack();
  try {
    const added = stack.emulator.addScenario({ phishRecipients: R, compromised: N });
    const victims = added.added.filter((a) => a.compromised);
    // The work a phase needs is the reads that succeeded; a 429 and its retry add time, not work.
    const reports = (log: LoggedRequest[]) => log.filter((r) => REPORTS.test(r.path) && r.status !== 429).length;
    const reportBound = (log: LoggedRequest[]) => ({
      ms: windowBound(reports(log), 5, 10),
      note: `${reports(log)} sign-in/audit reads at 5 per 10 s`,
    });

    // 1. Step 10 over every recipient, paced and unpaced, each on fresh budgets.
    stack.emulator.budgets.reset();
    const paced = await phase(stack, `scope alice, paced (${added.recipients - 1} other recipients)`, () => scope(stack), reportBound);
    stack.emulator.budgets.reset();
    process.env.CONTAIN_GRAPH_PACING = 'off';
    resetContext();
    const unpaced = await phase(stack, 'scope alice, unpaced', () => scope(stack), reportBound);
    delete process.env.CONTAIN_GRAPH_PACING;
    resetContext();

    // 2. One incident per victim.
    stack.emulator.budgets.reset();
    const ctx = await getContext();
    const open = await phase(
      stack,
      `contain ${N} users`,
      async () => {
        for (const v of victims) await teams(stack, { type: 'message', text: `contain ${v.upn}`, from: riley });
        await until(
          async () => {
            const o = (await ctx.store.findIncidents({ state: 'open' })).filter(
              (i) => i.target.userPrincipalName.startsWith('phish.recipient') && i.threads.teams?.cardActivityId,
            );
            return o.length >= N;
          },
          3_600_000,
          'incidents to open',
        );
      },
      reportBound,
    );
    const incidents = (await ctx.store.findIncidents({ state: 'open' })).filter((i) =>
      i.target.userPrincipalName.startsWith('phish.recipient'),
    );
    const actionCount = (await Promise.all(incidents.map((i) => ctx.store.listActions(i.id)))).flat().length;

    // 3. Approve all, everywhere at once.
    if (FAULT_RATE > 0) stack.emulator.faults.add({ route: '^/v1\\.0/(?!\\$batch$)', status: 429, rate: FAULT_RATE, retryAfter: 0.2 });
    let settled: { state: string }[] = [];
    const approve = await phase(
      stack,
      `approve all (${actionCount} actions)`,
      async () => {
        await Promise.all(
          incidents.map((i) =>
            teams(stack, {
              type: 'invoke',
              name: 'adaptiveCard/action',
              from: { id: '29:avery', name: 'Avery Adams', aadObjectId: SEED_IDS.avery },
              value: { action: { type: 'Action.Execute', verb: 'approve-all', data: { verb: 'approve-all', ref: i.id } } },
            }),
          ),
        );
        settled = await until(
          async () => {
            const all = (await Promise.all(incidents.map((i) => ctx.store.listActions(i.id)))).flat();
            return all.every((a) => !['proposed', 'approved', 'running', 'sending'].includes(a.state)) ? all : undefined;
          },
          1_800_000,
          'the wave to settle',
        );
      },
      (log) => {
        const writes = log.filter(
          (r) => WRITE.test(r.method) && !r.path.endsWith('/$batch') && !READ_POST.test(r.path) && r.status !== 429,
        ).length;
        return { ms: bucketBound(writes, 3_000, 20), note: `${writes} writes against a 3,000-write bucket` };
      },
    );

    const counted = (p: Phase) => p.log.filter((r) => !r.path.endsWith('/$batch'));
    const rows: (string | number)[][] = [
      ['phase', 'wall ms', 'budget lower bound ms', 'wall / bound', 'Graph requests', '429s', 'round trips', 'what binds'],
    ];
    for (const p of [paced, unpaced, open, approve])
      rows.push([
        p.name,
        Math.round(p.wallMs),
        Math.round(p.boundMs),
        p.boundMs > 0 ? (p.wallMs / p.boundMs).toFixed(2) : 'n/a',
        counted(p).length,
        counted(p).filter((r) => r.status === 429).length,
        p.log.filter((r) => !r.batchId).length,
        p.note,
      ]);
    const failed = settled.filter((a) => a.state === 'failed').length;
    // What the approve phase asked of Graph beyond each action's snapshot, change and read-back.
    const byKind = new Map<string, number>();
    for (const r of counted(approve)) {
      const k = `${r.method} ${r.path.replace(/\/[0-9a-f-]{36}/gi, '/{id}').replace(/\/messageRules\/[^/]+/, '/messageRules/{id}')}`;
      byKind.set(k, (byKind.get(k) ?? 0) + 1);
    }
    const perRecipient = 1 + (added.recipients - 1);
    record(
      `bench:wave (${R} more recipients, ${N} compromised, ${actionCount} actions; published budgets${FAULT_RATE ? ` + ${Math.round(FAULT_RATE * 100)}% random 429` : ''})`,
      rows,
      [
        `Approve all: ${settled.filter((a) => a.state === 'succeeded').length}/${settled.length} succeeded, ${failed} failed; ${counted(approve).length} Graph requests for a minimum of ${actionCount * 3} (snapshot, change, read-back per action): ${[
          ...byKind,
        ]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}.`,
        'Bounds come from the published budgets only (no latency, no local machine), k being the requests that succeeded (retries of 429s add time, not work): sign-in and audit reads floor((k - 1) / 5) x 10 s; writes max(0, k - 3000) / 20 s. "n/a": no budget binds; the local stack is the limit.',
        `Step 10 reading each recipient's sign-ins alone (as before) would need ${perRecipient} reads: at least ${Math.round(windowBound(perRecipient, 5, 10) / 1000)} s.`,
        'Paced and unpaced scope ran one after the other in this run, on the same tenant, each with fresh budgets.',
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
