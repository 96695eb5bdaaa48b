import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { odataString, query } from '../graph/odata';
import type { InvestigationView } from '../views/types';
import { analyze } from './analyze';
import { fromDirectoryAudit, fromSignIn } from './formats/graph';
import type { LogRecord } from './record';

/**
 * `investigate <user>`: the user's sign-ins (beta, which has sessionId and non-interactive sign-ins) and directory
 * audit for the window, through the same analyzer as exported files. Unlicensed or forbidden sources become notes.
 */
export async function investigateUser(ctx: ContainContext, q: UserQuery, sinceDays: number, options: { signal?: AbortSignal } = {}): Promise<InvestigationView> {
  const found = await findUser(ctx, q, options);
  if (found.kind === 'many') throw new ContainError('USER_AMBIGUOUS', `Several users match "${q.value}"; use the UPN.`);
  const user = found.user;
  const since = new Date(ctx.now().getTime() - sinceDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const notes: string[] = [];
  const collected: LogRecord[] = [];
  const source = async (what: string, path: string, version: 'v1.0' | 'beta', map: (x: Record<string, unknown>) => LogRecord | undefined) => {
    try {
      for await (const item of ctx.graph.list<Record<string, unknown>>(path, { version, signal: options.signal, max: 20_000, what })) {
        const r = map(item);
        if (r) collected.push(r);
      }
    } catch (err) {
      if (err instanceof ContainError && err.code.startsWith('GRAPH_')) notes.push(`${what}: ${err.userMessage}`);
      else throw err;
    }
  };
  const uid = odataString(user.id);
  await Promise.all([
    source('sign-in logs', `/auditLogs/signIns${query({ $filter: `userId eq ${uid} and createdDateTime ge ${since}`, $top: 500 })}`, 'beta', fromSignIn),
    source('directory audit', `/auditLogs/directoryAudits${query({ $filter: `activityDateTime ge ${since} and (targetResources/any(t: t/id eq ${uid}) or initiatedBy/user/id eq ${uid})`, $top: 500 })}`, 'v1.0', fromDirectoryAudit),
  ]);
  notes.push('The unified audit log (mailbox access, inbox-rule creation, file downloads) is not queried from chat yet: export it and run `contain analyze`.');
  const result = await analyze([async function* () { yield* collected; }]);
  return {
    kind: 'investigation',
    target: user,
    sinceDays,
    records: result.records,
    findings: result.findings.slice(0, 12).map((f) => ({ time: f.time, verdict: f.verdict, category: f.category, reason: f.reason, ip: f.ip })),
    more: Math.max(0, result.findings.length - 12),
    iocs: result.iocs,
    notes,
  };
}
