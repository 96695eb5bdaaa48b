import type { ContainContext } from '../context';
import { odataDateTime } from '../graph/odata';
import type { HuntView } from '../views/types';
import { analyze } from './analyze';
import { betaSignInsPath, fromSignIn } from './formats/graph';
import { readGraphRecords } from './graph-records';
import type { Progress } from './live';
import type { Investigated } from './publish';
import { huntMarkdown } from './result-markdown';
import { pilotCandidates, type PilotCandidates } from '../posture/pilot';

/** At most this many sign-ins are read from chat; the CLI over an export has no such limit. */
const MAX_SIGNINS = 50_000;

/** `hunt user-agents`: the tenant's sign-ins of the last N days, through the harmful-user-agent detection. */
export async function huntUserAgents(
  ctx: ContainContext,
  days: number,
  options: { signal?: AbortSignal; exclusions?: string[]; progress?: Progress } = {},
): Promise<Investigated<HuntView> & { pilot: PilotCandidates }> {
  const since = odataDateTime(ctx.now().getTime() - days * 86_400_000);
  const notes: string[] = [];
  await options.progress?.(`Reading the tenant's sign-ins of the last ${days} day${days === 1 ? '' : 's'}…`);
  const { records, unreadable } = await readGraphRecords(ctx, betaSignInsPath(`createdDateTime ge ${since}`, 1000), {
    version: 'beta',
    what: 'sign-in logs',
    map: fromSignIn,
    max: MAX_SIGNINS,
    signal: options.signal,
    // Big tenants have hundreds of thousands of sign-ins a week: say how far the read has got.
    onRecord: async (n) => {
      if (n % 10_000 === 0) await options.progress?.(`${n.toLocaleString('en-US')} sign-ins read…`);
    },
  });
  if (unreadable) notes.push(`Sign-in logs: ${unreadable.userMessage}`);
  await options.progress?.(`${records.length.toLocaleString('en-US')} sign-ins read.`);
  if (records.length >= MAX_SIGNINS)
    notes.push(`Only the first ${MAX_SIGNINS} sign-ins were read; export the logs and run contain analyze for all of them.`);
  const result = await analyze(
    [
      async function* () {
        yield* records;
      },
    ],
    { userAgentExclusions: options.exclusions },
  );
  const hits = result.findings.filter((f) => f.category === 'harmful-user-agent');
  const view: HuntView = {
    kind: 'hunt',
    days,
    signIns: result.records,
    userAgents: result.userAgentCounts.sort((a, b) => b.success - a.success || b.failure - a.failure),
    hits: hits.slice(0, 15).map((f) => ({ time: f.time, user: f.user, ip: f.ip, verdict: f.verdict, reason: f.reason })),
    more: Math.max(0, hits.length - 15),
    notes: [
      ...notes,
      'Block these user agents with a Conditional Access policy (report-only first) and an exclusion group for legitimate automation.',
    ],
  };
  // Who the tools targeted and who used such a client legitimately: the harmful-user-agent measure's two groups.
  const pilot = pilotCandidates(records, options.exclusions);
  return {
    view,
    pilot,
    full: { days, signIns: result.records, userAgents: view.userAgents, hits, pilot, notes: view.notes },
    markdown: huntMarkdown(view, hits, ctx.now().toISOString()),
  };
}
