import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { odataDateTime } from '../graph/odata';
import type { InvestigationView } from '../views/types';
import { auditLogRecords } from './audit-log';
import { fromDirectoryAudit, fromSignIn } from './formats/graph';
import type { Investigated } from './publish';
import type { LogRecord } from './record';
import { readGraphRecords } from './graph-records';
import { investigationMarkdown } from './result-markdown';
import { recordOnIncident } from '../incidents/threads';
import { huntedMail } from './mail-records';
import { phaseSpans, timelineEvents, timelineLanes } from './timeline';
import { timelineSvg } from '../views/timeline-svg';
import { analyzeLogs, investigationSummary, logReads, UAL_OPERATIONS } from '../playbook/steps/08-logs';
import { formatUtc } from '../views/time';

/** How long-running reads tell the thread where they are; one line, updated in place where the platform can. */
export type Progress = (text: string) => Promise<void>;

/** Audit records read from chat at most: enough for one user's week; a busier mailbox goes through an export. */
const UAL_MAX = 50_000;
const minutes = (ms: number) =>
  ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/**
 * `investigate <user>`: the user's sign-ins (beta: sessionId, ASN, non-interactive sign-ins), directory audit and
 * unified audit log for the window, read in parallel and judged together by the analyzer that reads exported files.
 * Unlicensed or forbidden sources become notes; the audit log query reports progress while Purview runs it.
 */
export async function investigateUser(
  ctx: ContainContext,
  q: UserQuery,
  sinceDays: number,
  options: { signal?: AbortSignal; progress?: Progress } = {},
): Promise<Investigated<InvestigationView>> {
  const found = await findUser(ctx, q, options);
  if (found.kind === 'many') throw new ContainError('USER_AMBIGUOUS', `Several users match "${q.value}"; use the UPN.`);
  const user = found.user;
  const now = ctx.now();
  const since = odataDateTime(now.getTime() - sinceDays * 86_400_000);
  const notes: string[] = [];
  const collected: LogRecord[] = [];
  const progress = options.progress ?? (async () => undefined);
  const degrade = (what: string, err: unknown, forbiddenHint = '') => {
    if (err instanceof ContainError && err.code.startsWith('GRAPH_'))
      notes.push(`${what}: ${err.userMessage}${err.code === 'GRAPH_FORBIDDEN' ? forbiddenHint : ''}`);
    else throw err;
  };
  const source = async (
    what: string,
    path: string,
    version: 'v1.0' | 'beta',
    map: (x: Record<string, unknown>) => LogRecord | undefined,
  ) => {
    const { records, unreadable } = await readGraphRecords(ctx, path, { version, what, map, max: 20_000, signal: options.signal });
    for (const r of records) collected.push(r);
    if (unreadable) degrade(what, unreadable);
  };
  const ual = async () => {
    let read = 0;
    // A run that timed out left its query running in Purview: pick it up (within the hour) instead of starting over.
    const memoKey = `${user.id}|${sinceDays}`;
    const prior = await ctx.store.recall<{ queryId: string; start: string; end: string }>('audit-query', memoKey).catch(() => undefined);
    const reusable = prior && now.getTime() - Date.parse(prior.at) < 3_600_000 ? prior.value : undefined;
    const window = reusable ?? { start: since, end: odataDateTime(now) };
    let created = false;
    try {
      const records = auditLogRecords(
        ctx,
        {
          displayName: `Contain: ${user.userPrincipalName} ${window.start.slice(0, 10)}..${window.end.slice(0, 10)}`,
          start: window.start,
          end: window.end,
          users: [user.userPrincipalName],
          operations: UAL_OPERATIONS,
        },
        {
          signal: options.signal,
          max: UAL_MAX,
          existingQueryId: reusable?.queryId,
          onCreated: async (queryId) => {
            created = true;
            await ctx.store
              .remember('audit-query', memoKey, { queryId, ...window })
              .catch((err: unknown) => ctx.log.warn('could not remember the audit log query', { err }));
          },
          onProgress: (p) =>
            progress(
              `Unified audit log query ${p.status === 'notStarted' ? 'queued' : p.status} in Purview (${minutes(p.elapsedMs)} so far)…`,
            ),
        },
      );
      for await (const r of records) {
        collected.push(r);
        read++;
      }
      if (read >= UAL_MAX)
        notes.push(
          `Only the first ${UAL_MAX.toLocaleString('en-US')} unified audit log records were read; open the query in Purview > Audit and export the rest for contain analyze.`,
        );
      if (reusable && !created)
        notes.push(
          `The unified audit log covers up to ${formatUtc(reusable.end)}: an earlier run's query was picked up (after an hour, a run starts a fresh one).`,
        );
      await progress(`Unified audit log: ${read} record${read === 1 ? '' : 's'} read.`);
    } catch (err) {
      degrade('unified audit log', err, ' It needs AuditLogsQuery.Read.All and Microsoft Purview Audit.');
      await progress('Unified audit log: not read (the card says why).');
    }
  };
  await progress(
    `Reading sign-ins, directory audit and the unified audit log of ${user.userPrincipalName} for the last ${sinceDays} days…`,
  );
  const reads = logReads(user.id, since);
  const mail = async () => {
    // The phishing mail before the intrusion and what the mailbox sent during it: advanced hunting, when licensed.
    try {
      for (const r of await huntedMail(ctx, user, now.getTime() - sinceDays * 86_400_000, now.getTime(), { signal: options.signal }))
        collected.push(r);
    } catch (err) {
      degrade('mail (advanced hunting)', err, ' It needs ThreatHunting.Read.All and Defender for Office 365 Plan 2.');
    }
  };
  await Promise.all([
    source('sign-in logs', reads.signIns, 'beta', fromSignIn),
    source('directory audit', reads.directoryAudit, 'v1.0', fromDirectoryAudit),
    ual(),
    mail(),
  ]);
  const result = await analyzeLogs([
    async function* () {
      yield* collected;
    },
  ]);
  notes.push(...result.notes);
  const events = timelineEvents(result.findings);
  const timeline = phaseSpans(events);
  // The incident report builds its timeline and indicators from this.
  const summary = investigationSummary(result, user.userPrincipalName, notes, timeline);
  await recordOnIncident(ctx, user.id, (facts) => ({ ...facts, investigation: { at: now.toISOString(), ...summary } }));
  const view: InvestigationView = {
    kind: 'investigation',
    target: user,
    sinceDays,
    records: result.records,
    findings: result.findings
      .slice(0, 12)
      .map((f) => ({ time: f.time, verdict: f.verdict, category: f.category, reason: f.reason, ip: f.ip })),
    more: Math.max(0, result.findings.length - 12),
    iocs: result.iocs,
    notes,
    attackerActivity: summary.attackerActivity,
    timeline,
  };
  const svg = result.findings.length
    ? timelineSvg(timelineLanes({ events }), `Investigation of ${user.userPrincipalName} (UTC)`)
    : undefined;
  return {
    view,
    full: {
      user: user.userPrincipalName,
      sinceDays,
      records: result.records,
      findings: result.findings,
      iocs: result.iocs,
      context: result.context,
      attackerActivity: result.attackerActivity,
      notes,
    },
    markdown: investigationMarkdown(`${user.displayName} (${user.userPrincipalName})`, sinceDays, result, notes, now.toISOString(), svg),
    svg,
  };
}
