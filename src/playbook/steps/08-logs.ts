import { betaSignInsPath } from '../../investigate/formats/graph';
import type { AnalysisResult } from '../../investigate/analyze';
import type { AttackerActivity } from '../../investigate/activity';
import { odataString } from '../../graph/odata';
import type { InvestigationSummary } from '../../incidents/model';
import type { InvestigationStep } from '../types';
import { directoryAuditPath } from './common';

export { analyze as analyzeLogs } from '../../investigate/analyze';

/**
 * Step 8: the user's sign-ins (beta: session ids, networks, non-interactive sign-ins), directory audit and unified
 * audit log over the window, with the mail advanced hunting saw, judged together by the analyzer that also reads
 * exported logs (`contain analyze`, src/investigate/analyze.ts). Run by `investigate <user>` (src/investigate/live.ts).
 */
export const logsStep: InvestigationStep = { number: 8, name: 'Sign-in and audit logs', command: 'investigate' };

/** The unified audit log operations step 8 reads (reference/graph.md). */
export const UAL_OPERATIONS = [
  'New-InboxRule',
  'Set-InboxRule',
  'UpdateInboxRules',
  'Set-Mailbox',
  'MailItemsAccessed',
  'Send',
  'SendAs',
  'SendOnBehalf',
  'HardDelete',
  'SoftDelete',
  'MoveToDeletedItems',
  'CreateFlow',
  'FileAccessed',
  'FileDownloaded',
  'SearchQueryInitiatedExchange',
  'SearchQueryInitiatedSharePoint',
  'Consent to application.',
  'Add service principal.',
  'User registered security info',
];

/** The Graph reads of step 8 besides the audit log query: the user's sign-ins and directory audit since `since`. */
export function logReads(userId: string, since: string): { signIns: string; directoryAudit: string } {
  return {
    signIns: betaSignInsPath(`userId eq ${odataString(userId)} and createdDateTime ge ${since}`, 1000),
    directoryAudit: directoryAuditPath(userId, since),
  };
}

/** What an incident keeps of the attacker's activity: the first 25 of each list and the full counts. */
export function summariseActivity(a: AttackerActivity): NonNullable<InvestigationSummary['attackerActivity']> {
  const first = (xs: string[]) => xs.slice(0, 25).map((x) => x.slice(0, 300));
  return {
    mailRead: first(a.mailRead),
    searches: first(a.searches),
    files: first(a.files),
    mailSent: first(a.mailSent),
    foldersSynced: first(a.foldersSynced),
    counts: {
      mailRead: a.mailRead.length,
      searches: a.searches.length,
      files: a.files.length,
      mailSent: a.mailSent.length,
      foldersSynced: a.foldersSynced.length,
    },
  };
}

/**
 * What the incident keeps of step 8 for its report: the table row has room for the top findings (an entity property
 * holds 64 KiB), the full result link for all of them.
 */
export function investigationSummary(
  result: AnalysisResult,
  upn: string,
  notes: string[],
  timeline: InvestigationSummary['timeline'],
): InvestigationSummary {
  const findings = result.findings
    .slice(0, 30)
    .map((f) => ({ time: f.time, verdict: f.verdict, category: f.category, reason: f.reason.slice(0, 300), ip: f.ip }));
  const { ips, userAgents, sessionIds } = result.iocs;
  return {
    records: result.records,
    findings,
    more: result.findings.length - findings.length,
    iocs: { ips: ips.slice(0, 50), userAgents: userAgents.slice(0, 20), sessionIds: sessionIds.slice(0, 20) },
    notes,
    attackerActivity: summariseActivity(result.attackerActivity),
    timeline,
    cleared: (result.ownAddresses[upn.toLowerCase()] ?? []).slice(0, 50),
  };
}
