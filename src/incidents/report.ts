import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { ReportView } from '../views/types';
import { md } from '../views/markdown';
import { markdownImage, timelineSvg } from '../views/timeline-svg';
import { timelineEvents, timelineLanes, type PhaseSpan } from '../investigate/timeline';
import type { Action, AuditEntry, Incident } from './model';

/** A report: the view for chat and the Markdown document for the file. */
export interface IncidentReport {
  view: ReportView;
  markdown: string;
  /** The same as data: the incident with its facts, the actions and the audit trail. */
  full: unknown;
  /** The timeline picture (also embedded in the Markdown). */
  svg?: string;
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
  const inv = incident.facts.investigation;
  // An address the user signs in from on a known device, or that the investigation found to be theirs, is never an
  // indicator, however odd a sign-in from it looked (the victim of a device code types the code at the office).
  const cleared = new Set([...incident.facts.signIns.filter((s) => s.deviceKnown && s.success).map((s) => s.ip), ...(inv?.cleared ?? [])]);
  const ips = [...new Set([...suspicious.map((s) => s.ip).filter((ip) => !cleared.has(ip)), ...(inv?.iocs.ips ?? [])])];
  const userAgents = [...new Set([...suspicious.map((s) => s.client), ...(inv?.iocs.userAgents ?? [])])];
  const done = actions.filter((a) => a.state === 'succeeded').length;
  const summary = `${t.displayName} (${t.userPrincipalName}): incident ${incident.id}, ${incident.state}${incident.dryRun ? ' (dry run)' : ''}. ${done} of ${actions.length} proposed action(s) carried out.`;
  const rows = actions.map((a) => ({
    title: a.title,
    state: a.state,
    by:
      `${a.decision ? `${a.decision.by.name} (${a.decision.by.platform})` : a.fastPath ? 'fast path (policy)' : ''}${a.requestedBy ? `${a.decision ? '; ' : ''}asked for by ${a.requestedBy.name}` : ''}` ||
      undefined,
    at: a.decision?.at,
    result: a.result?.message,
  }));
  const openQuestions = [
    ...incident.facts.notes,
    'Hidden inbox rules and mailbox forwarding are not visible to Graph: check them with Exchange Online PowerShell.',
    ...(incident.facts.scope
      ? incident.facts.scope.recipients.filter((r) => r.flagged).map((r) => `${r.upn} looks compromised too: open an incident for them.`)
      : ['Other recipients of the phishing mail were not checked: run "scope <user>".']),
    ...(inv ? inv.notes : ['The logs were not investigated (sign-ins, directory audit, unified audit log): run "investigate <user>".']),
    ...actions
      .filter((a) => a.state === 'failed')
      .map((a) => `"${a.title}" failed: ${a.result?.message ?? 'unknown'}. Retry or do it by hand.`),
    ...actions.filter((a) => a.state === 'expired' || a.state === 'proposed').map((a) => `"${a.title}" is ${a.state}: nobody decided.`),
  ];
  const view: ReportView = {
    kind: 'report',
    incidentId: incident.id,
    target: t,
    state: incident.state,
    summary,
    actions: rows,
    iocs: { ips, userAgents },
    openQuestions,
    downloadPath: `/api/incidents/${incident.id}/report`,
    notes: [],
  };
  const svg = picture(incident, audit);

  const lines = [
    `# Incident ${incident.id}: ${md(t.displayName)}`,
    '',
    '## Summary',
    '',
    md(summary),
    '',
    `- User: ${md(t.displayName)} (${md(t.userPrincipalName)})${t.jobTitle ? `, ${md(t.jobTitle)}` : ''}`,
    `- Opened: ${incident.createdAt} by ${md(incident.requester.name)} (${incident.requester.platform})`,
    ...(incident.facts.alert
      ? [`- Opened by an alert: ${incident.facts.alert.signals.map((a) => `${md(a.title)} (${a.severity}, ${a.at})`).join('; ')}`]
      : []),
    ...(incident.facts.laterAlerts ?? []).map(
      (l) => `- Alert while open (no second incident): ${l.signals.map((a) => `${md(a.title)} (${a.severity}, ${a.at})`).join('; ')}`,
    ),
    ...(incident.facts.campaign ? [`- Part of phishing wave ${incident.facts.campaign.id}`] : []),
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
    ...(suspicious.length
      ? suspicious.map(
          (s) =>
            `- ${s.time} \`${s.ip}\` ${md(s.location)}, ${md(s.app)}, ${md(s.client)}, risk ${s.risk}${s.deviceKnown ? '' : ', unknown device'}`,
        )
      : ['- none found in the sign-in facts']),
    '',
    '## Indicators',
    '',
    `- IP addresses: ${ips.length ? ips.map((i) => `\`${i}\``).join(', ') : 'none yet'}`,
    `- Clients / user agents: ${userAgents.length ? userAgents.map(md).join('; ') : 'none yet'}`,
    ...(inv?.iocs.sessionIds.length ? [`- Stolen sessions: ${inv.iocs.sessionIds.map((x) => `\`${x}\``).join(', ')}`] : []),
    '',
    '## Timeline',
    '',
    ...(svg ? [markdownImage(svg, `Incident ${incident.id} timeline`), ''] : []),
    '| When (UTC) | What |',
    '|---|---|',
    ...timeline(incident, audit).map(([t, what]) => `| ${t} | ${md(what)} |`),
    '',
    ...touched(inv),
    ...section(
      'Security info added by the attacker',
      actions.filter((a) => a.kind === 'deleteAuthMethod'),
    ),
    ...section(
      'Devices',
      actions.filter((a) => a.kind === 'disableDevice'),
    ),
    ...section(
      'Mail rules',
      actions.filter((a) => a.kind === 'disableInboxRule'),
      (a) => {
        const e = a.evidence as { conditions?: unknown; actions?: unknown } | undefined;
        return e ? ` Conditions: \`${JSON.stringify(e.conditions ?? {})}\`; actions: \`${JSON.stringify(e.actions ?? {})}\`.` : '';
      },
    ),
    ...section(
      'Power Automate flows',
      actions.filter((a) => a.kind === 'stopFlow'),
    ),
    ...section(
      'Applications added or consented',
      actions.filter((a) => ['disableServicePrincipal', 'removeGrant', 'removeAppSecret', 'removeAppCertificate'].includes(a.kind)),
    ),
    '## Other recipients of the phishing mail',
    '',
    ...(incident.facts.scope
      ? [
          incident.facts.scope.mail
            ? `"${md(incident.facts.scope.mail.subject)}" from ${md(incident.facts.scope.mail.sender)}, delivered ${incident.facts.scope.mail.time}, ${incident.facts.scope.mail.recipients} recipients.`
            : 'The phishing mail was not identified.',
          '',
          ...incident.facts.scope.recipients.map(
            (r) => `- ${md(r.upn)}: ${r.flagged ? `**likely compromised**: ${md(r.reasons.join('; '))}` : 'no sign of compromise'}`,
          ),
        ]
      : ['Not checked yet: run `scope <user>` in the incident channel.']),
    '',
    '## Open questions',
    '',
    ...openQuestions.map((q) => `- ${md(q)}`),
    '',
    '## Audit trail',
    '',
    '| When (UTC) | Event | Who | Details |',
    '|---|---|---|---|',
    ...audit.map(
      (e) =>
        `| ${e.at} | ${e.event} | ${md(e.actor ? `${e.actor.name} (${e.actor.platform})` : 'Contain')} | ${md(JSON.stringify(e.details ?? {}))} |`,
    ),
    '',
  ];
  const { etag: _etag, ...stored } = incident;
  return { view, markdown: lines.join('\n'), full: { incident: stored, actions: rows, audit }, ...(svg ? { svg } : {}) };
}

/** "What the attacker touched" from the investigation kept on the incident, for breach-notification decisions. */
function touched(inv: Incident['facts']['investigation']): string[] {
  const a = inv?.attackerActivity;
  if (!a) return [];
  const list = (title: string, xs: string[], n: number) => [
    `- ${title}: ${n ? `${n}${n > xs.length ? ` (the first ${xs.length} here, all in the investigation's full result)` : ''}` : 'none found'}`,
    ...xs.map((x) => `  - ${md(x)}`),
  ];
  return [
    '## What the attacker touched',
    '',
    ...list('Mail read (Internet message ids)', a.mailRead, a.counts.mailRead),
    ...(a.counts.foldersSynced
      ? list('Folders synchronised whole (every item in them read)', a.foldersSynced, a.counts.foldersSynced)
      : []),
    ...list('Searches', a.searches, a.counts.searches),
    ...list('Files opened or downloaded', a.files, a.counts.files),
    ...list('Mail sent', a.mailSent, a.counts.mailSent),
    '',
  ];
}

/**
 * The timeline picture: the phishing mail, sign-ins and what the investigation found per stage, and the containment
 * actions that succeeded, on one axis.
 */
function picture(incident: Incident, audit: AuditEntry[]): string | undefined {
  const inv = incident.facts.investigation;
  const mail = incident.facts.scope?.mail;
  // Incidents investigated before the digest existed still have their top findings.
  const spans: PhaseSpan[] = (inv?.timeline ?? []).map((s) => ({ ...s, phase: s.phase as PhaseSpan['phase'] }));
  const events = inv?.timeline ? [] : timelineEvents(inv?.findings ?? []);
  if (mail && !spans.some((s) => s.phase === 'phishing'))
    events.push({ phase: 'phishing', time: mail.time, label: `phishing mail "${mail.subject}" from ${mail.sender}` });
  if (!spans.some((s) => s.phase === 'access'))
    for (const s of incident.facts.signIns.filter((x) => x.success && (x.risk !== 'none' || !x.deviceKnown)))
      events.push({ phase: 'access', time: s.time, label: `sign-in from ${s.ip} (${s.location}), ${s.app}` });
  const containment = audit
    .filter((e) => e.event === 'action.succeeded')
    .map((e) => ({ time: e.at, label: String(e.details?.title ?? 'containment action') }));
  if (!spans.length && !events.length && !containment.length) return undefined;
  return timelineSvg(timelineLanes({ events, spans, containment }), `Incident ${incident.id}: ${incident.target.userPrincipalName} (UTC)`);
}

/** A report section listing one kind of containment action: what, why, and what happened. */
function section(title: string, actions: Action[], extra: (a: Action) => string = () => ''): string[] {
  if (!actions.length) return [];
  return [
    `## ${title}`,
    '',
    ...actions.map((a) => `- ${md(a.title)} (${a.state}${a.result ? `: ${md(a.result.message)}` : ''}). Why: ${md(a.reason)}.${extra(a)}`),
    '',
  ];
}

/** Suspicious sign-ins and the response's audit events, in time order. */
function timeline(incident: Incident, audit: AuditEntry[]): [string, string][] {
  const items: [string, string][] = [
    ...incident.facts.signIns
      .filter((s) => s.risk !== 'none' || !s.deviceKnown)
      .map((s): [string, string] => [s.time, `suspicious sign-in from ${s.ip} (${s.location}), ${s.app}, ${s.client}`]),
    ...(incident.facts.scope?.mail
      ? [[incident.facts.scope.mail.time, `phishing mail "${incident.facts.scope.mail.subject}" delivered`] as [string, string]]
      : []),
    // The investigation's sign-in findings repeat the suspicious sign-ins above; its audit-log findings are new.
    ...(incident.facts.investigation?.findings ?? [])
      .filter((f) => !/^aitm-|^harmful-user-agent$|^impossible-travel$|^rapid-ip-change$/.test(f.category))
      .map((f): [string, string] => [f.time, `${f.category}: ${f.reason}`]),
    ...audit
      .filter((e) => !e.event.startsWith('decision.') && e.event !== 'action.snapshot')
      .map((e): [string, string] => [
        e.at,
        `${e.event}${e.actor ? ` by ${e.actor.name}` : ''}${e.details?.title ? `: ${String(e.details.title)}` : ''}`,
      ]),
  ];
  return items.sort((a, b) => a[0].localeCompare(b[0]));
}
