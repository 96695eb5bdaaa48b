import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { ReportView } from '../views/types';
import type { Action, AuditEntry, Incident } from './model';

/** A report: the view for chat and the Markdown document for the file. */
export interface IncidentReport {
  view: ReportView;
  markdown: string;
}

/** Markdown-escape text that came from the tenant or from people (names, titles, rule names). */
function md(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]<>#|~])/g, '\\$1');
}

/** Build the incident report from the stored incident, its actions and audit trail. */
export async function buildReport(ctx: ContainContext, incidentId: string): Promise<IncidentReport> {
  const incident = await ctx.store.getIncident(incidentId);
  if (!incident) throw new ContainError('NOT_FOUND', `No incident ${incidentId}.`);
  const [actions, audit] = await Promise.all([ctx.store.listActions(incidentId), ctx.store.listAudit(incidentId)]);
  return render(incident, actions, audit);
}

export function render(incident: Incident, actions: Action[], audit: AuditEntry[]): IncidentReport {
  const t = incident.target;
  const suspicious = incident.facts.signIns.filter((s) => s.risk !== 'none' || !s.deviceKnown || !s.success);
  const ips = [...new Set(suspicious.map((s) => s.ip))];
  const userAgents = [...new Set(suspicious.map((s) => s.client))];
  const done = actions.filter((a) => a.state === 'succeeded').length;
  const summary = `${t.displayName} (${t.userPrincipalName}): incident ${incident.id}, ${incident.state}${incident.dryRun ? ' (dry run)' : ''}. ${done} of ${actions.length} proposed action(s) carried out.`;
  const rows = actions.map((a) => ({
    title: a.title,
    state: a.state,
    by: a.decision ? `${a.decision.by.name} (${a.decision.by.platform})` : a.fastPath ? 'fast path (policy)' : undefined,
    at: a.decision?.at,
    result: a.result?.message,
  }));
  const openQuestions = [
    ...incident.facts.notes,
    'Steps 2-7 (password, security info, devices, inbox rules, flows, applications) are not automated yet: check them by hand.',
    'Investigation (steps 8-10: logs, other recipients of the phishing mail, their sign-ins) is not automated yet.',
    ...actions.filter((a) => a.state === 'failed').map((a) => `"${a.title}" failed: ${a.result?.message ?? 'unknown'}. Retry or do it by hand.`),
    ...actions.filter((a) => a.state === 'expired' || a.state === 'proposed').map((a) => `"${a.title}" is ${a.state}: nobody decided.`),
  ];
  const view: ReportView = { kind: 'report', incidentId: incident.id, target: t, state: incident.state, summary, actions: rows, iocs: { ips, userAgents }, openQuestions, downloadPath: `/api/incidents/${incident.id}/report` };

  const lines = [
    `# Incident ${incident.id}: ${md(t.displayName)}`,
    '',
    '## Summary',
    '',
    md(summary),
    '',
    `- User: ${md(t.displayName)} (${md(t.userPrincipalName)})${t.jobTitle ? `, ${md(t.jobTitle)}` : ''}`,
    `- Opened: ${incident.createdAt} by ${md(incident.requester.name)} (${incident.requester.platform})`,
    `- State: ${incident.state}`,
    '',
    '## Response actions',
    '',
    '| Action | State | Decided by | When (UTC) | Result |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${md(r.title)} | ${r.state} | ${md(r.by ?? '')} | ${r.at ?? ''} | ${md(r.result ?? '')} |`),
    '',
    '## Suspicious sign-ins',
    '',
    ...(suspicious.length ? suspicious.map((s) => `- ${s.time} \`${s.ip}\` ${md(s.location)}, ${md(s.app)}, ${md(s.client)}, risk ${s.risk}${s.deviceKnown ? '' : ', unknown device'}`) : ['- none found in the sign-in facts']),
    '',
    '## Indicators',
    '',
    `- IP addresses: ${ips.length ? ips.map((i) => `\`${i}\``).join(', ') : 'none yet'}`,
    `- Clients / user agents: ${userAgents.length ? userAgents.map(md).join('; ') : 'none yet'}`,
    '',
    '## Open questions',
    '',
    ...openQuestions.map((q) => `- ${md(q)}`),
    '',
    '## Audit trail',
    '',
    '| When (UTC) | Event | Who | Details |',
    '|---|---|---|---|',
    ...audit.map((e) => `| ${e.at} | ${e.event} | ${md(e.actor ? `${e.actor.name} (${e.actor.platform})` : 'Contain')} | ${md(JSON.stringify(e.details ?? {}))} |`),
    '',
  ];
  return { view, markdown: lines.join('\n') };
}
