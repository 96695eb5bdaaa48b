/**
 * bench:wave: a phishing wave contained under Microsoft Graph's published throttling budgets, which the sandbox
 * enforces (sandbox/graph/budgets.ts) and Contain paces itself within (src/graph/pacing.ts). Alice's phishing mail
 * reached R more people (/sandbox/scenario); N + 1 of them signed in through the attacker's proxy.
 *   1. `scope alice` (step 10 over every recipient) offers "Contain all".
 *   2. Baseline: one of the compromised (the control) contained alone, `contain` and "Approve all" by a second person,
 *      after the one-time reads (doctor, approver roster). Its Graph requests are the minimum one user needs: m.
 *   3. The wave: "Contain all" pressed once, by an approver other than whoever ran scope, the seeded recipients
 *      unticked: N incidents opened, approved and contained as queue work, on fresh budgets (the control has its
 *      incident already: the wave follows it and opens none).
 *      Requests are compared with N x m. Wall time is compared with the least the budgets allow for the requests the
 *      wave made: k sign-in and audit reads need floor((k - 1) / 5) x 10 s (5 per 10 s per app and tenant); k writes
 *      max(0, k - 3000) / 20 s (3,000 per 150 s); the larger binds.
 * BENCH_N sets N (default 100; 5 in CI's smoke run, BENCH_SMOKE), BENCH_RECIPIENTS the other recipients (default 10).
 */
import type { LocalStack } from '../sandbox/local-stack';
import type { LoggedRequest } from '../sandbox/graph/emulator';
import { SEED_IDS } from '../sandbox/graph/seed';
import { getContext } from '../src/runtime';
import { currentDoctor } from '../src/doctor/latest';
import { loadCampaign, loadStatuses } from '../src/wave/campaign';
import { benchStack, postTeams, record, until } from './common';

const N = Number(process.env.BENCH_N ?? (process.env.BENCH_SMOKE ? 5 : 100));
const OTHERS = Number(process.env.BENCH_RECIPIENTS ?? 10);
const HOUR = 3_600_000;

const REPORTS = /^\/(v1\.0|beta)\/auditLogs\/(signIns|directoryAudits)$/;
const WRITE = /^(POST|PATCH|PUT|DELETE)$/;
/** POSTs that read (membership checks): not writes to Graph's budgets. */
const READ_POST = /\/(checkMemberObjects|checkMemberGroups|getMemberObjects|getMemberGroups|getByIds|getObjectsById)$/;
const riley = { id: '29:riley', name: 'Riley Rivera', aadObjectId: SEED_IDS.riley };
const avery = { id: '29:avery', name: 'Avery Adams', aadObjectId: SEED_IDS.avery };
const parker = { id: '29:parker', name: 'Parker Patel', aadObjectId: SEED_IDS.parker };
const CHANNEL = '19:wave@thread.tacv2';
const teams = (stack: LocalStack, extra: Record<string, unknown>) => postTeams(stack, extra, CHANNEL);
const invoke = (from: object, verb: string, data: Record<string, string>) => ({
  type: 'invoke',
  name: 'adaptiveCard/action',
  from,
  value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } },
});

/** Sliding window: the k-th request can go no earlier than floor((k - 1) / limit) windows after the first. */
const windowBound = (k: number, limit: number, windowS: number) => (k <= 0 ? 0 : Math.floor((k - 1) / limit) * windowS * 1000);
/** Token bucket with `capacity` tokens refilled at `perS`: k requests need max(0, k - capacity) / perS. */
const bucketBound = (k: number, capacity: number, perS: number) => (Math.max(0, k - capacity) / perS) * 1000;
/** What Graph counts: sub-requests and lone requests, not $batch envelopes; 429s add time, not work. */
const work = (log: LoggedRequest[]) => log.filter((r) => !r.path.endsWith('/$batch') && r.status !== 429);

async function main(): Promise<void> {
  const stack = await benchStack();
  try {
    const added = stack.emulator.addScenario({ phishRecipients: N + 1 + OTHERS, compromised: N + 1 });
    const victims = added.added.filter((a) => a.compromised);
    const control = victims.pop()!;
    const ctx = await getContext();
    const log = (mark: number) => stack.emulator.requests().slice(mark);

    // 1. scope alice: the card offering Contain all.
    let mark = stack.emulator.requests().length;
    let t0 = performance.now();
    await teams(stack, { type: 'message', text: 'scope alice', from: riley });
    const scopeCard = await until(
      () => stack.connector.all().find((r) => JSON.stringify(r.activity).includes('"verb":"contain-all"')),
      HOUR,
      'the scope card',
    );
    const scopeMs = performance.now() - t0;
    const scopeReads = work(log(mark)).filter((r) => REPORTS.test(r.path)).length;
    const card = JSON.stringify(scopeCard.activity);
    const campaignId = /"ref":"(CMP-[^"]+)"/.exec(card)![1];
    const keys = new Map([...card.matchAll(/\{"title":"([^":]+): [^"]*","value":"(\d+)"\}/g)].map((m) => [m[1], m[2]]));
    // Ticked: every listed scenario user (the first 100); the seeded recipients of the same mail (Carol, Erin) unticked.
    const seeded = new Set(
      stack.emulator.state.users.filter((u) => !u.userPrincipalName.startsWith('phish.recipient')).map((u) => u.userPrincipalName),
    );
    const wave = [...keys].filter(([upn]) => !seeded.has(upn)).map(([, k]) => k);

    // 2. Baseline: the control contained alone, after the one-time reads.
    await currentDoctor(ctx);
    mark = stack.emulator.requests().length;
    await teams(stack, { type: 'message', text: `contain ${control.upn}`, from: riley });
    const incident = await until(
      async () => (await ctx.store.findIncidents({ targetUserId: control.id })).find((i) => i.threads.teams?.cardActivityId),
      HOUR,
      'the control incident',
    );
    await teams(stack, invoke(avery, 'approve-all', { ref: incident.id }));
    await until(
      async () =>
        (await ctx.store.listActions(incident.id)).every(
          (a) => ['succeeded', 'failed', 'skipped'].includes(a.state) && (a.state !== 'succeeded' || a.result?.verified !== undefined),
        ),
      HOUR,
      'the control contained',
    );
    await stack.idle();
    const m = work(log(mark)).length;

    // 3. The wave, on fresh budgets on both sides.
    stack.emulator.budgets.reset();
    ctx.graph.pacer?.forget();
    mark = stack.emulator.requests().length;
    t0 = performance.now();
    await teams(stack, invoke(parker, 'contain-all', { ref: campaignId, wave: wave.join(',') }));
    await until(async () => (await loadCampaign(ctx, campaignId))?.state === 'done', 4 * HOUR, 'the wave');
    const waveMs = performance.now() - t0;
    await stack.idle();
    const c = (await loadCampaign(ctx, campaignId))!;
    const statuses = [...(await loadStatuses(ctx, c)).values()];
    const made = work(log(mark));
    const all = log(mark).filter((r) => !r.path.endsWith('/$batch'));
    const reads = made.filter((r) => REPORTS.test(r.path)).length;
    const writes = made.filter((r) => WRITE.test(r.method) && !READ_POST.test(r.path)).length;
    const bound = Math.max(windowBound(reads, 5, 10), bucketBound(writes, 3000, 20));
    const followed = await Promise.all(statuses.filter((s) => s.incidentId).map((s) => ctx.store.getIncident(s.incidentId!)));
    const incidents = followed.filter((i) => i?.facts.campaign?.id === campaignId).map((i) => i!.id);
    const opened = incidents.length;
    const actions = (await Promise.all(incidents.map((id) => ctx.store.listActions(id)))).flat();
    const changes = made.filter((r) => WRITE.test(r.method) && !READ_POST.test(r.path)).map((r) => `${r.method} ${r.path}`);
    const count = (s: string) => statuses.filter((x) => x.state === s).length;
    const progress = stack.connector.all().filter((r) => String(r.activity.text ?? '').startsWith(`Wave ${campaignId}`));

    const rows: (string | number)[][] = [
      ['phase', 'wall ms', 'budget lower bound ms', 'wall / bound', 'Graph requests', 'minimum', 'requests / minimum', '429s'],
      [
        `scope alice (${added.recipients - 1} other recipients)`,
        Math.round(scopeMs),
        windowBound(scopeReads, 5, 10),
        scopeReads > 5 ? (scopeMs / windowBound(scopeReads, 5, 10)).toFixed(2) : 'n/a',
        '',
        '',
        '',
        '',
      ],
      [`contain the control alone`, '', '', '', m, '', '', ''],
      [
        `Contain all: ${opened} incidents opened`,
        Math.round(waveMs),
        Math.round(bound),
        (waveMs / bound).toFixed(2),
        made.length,
        opened * m,
        (made.length / (opened * m)).toFixed(2),
        all.filter((r) => r.status === 429).length,
      ],
    ];
    record(`bench:wave (Contain all ${N}; published budgets)`, rows, [
      `Every user (${c.count - count('left')} in the wave, ${count('left')} unticked; the control followed, not reopened): ${count('contained')} contained, ${count('admin')} need an admin, ${count('refused')} not contained, ${c.count - count('left') - count('contained') - count('admin') - count('refused')} unfinished; ${actions.filter((a) => a.state === 'succeeded').length}/${actions.length} actions succeeded, ${actions.filter((a) => a.state === 'failed').length} failed; ${changes.length} changes, ${changes.length - new Set(changes).size} made twice.`,
      `Bound: ${reads} sign-in and audit reads at 5 per 10 s (${Math.round(windowBound(reads, 5, 10) / 1000)} s), ${writes} writes against a 3,000-write bucket (${Math.round(bucketBound(writes, 3000, 20) / 1000)} s). Minimum: the incidents opened x the ${m} requests the control needed alone (discovery, snapshot, change and read-back of each action, the protection check).`,
      `Progress: ${progress.filter((r) => r.op !== 'update').length} message, edited ${progress.filter((r) => r.op === 'update').length} times; last: "${progress.at(-1)?.activity.text ?? ''}"`,
    ]);
    if (opened !== N || count('contained') !== c.count - count('left')) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
