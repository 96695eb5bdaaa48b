import { md, mdTable } from '../views/markdown';
import { defang } from '../views/defang';
import type { HuntView, ScopeView } from '../views/types';
import type { AnalysisResult, Finding } from './analyze';
import { attackerActivityMarkdown, contextSummary } from './activity-markdown';
import { markdownImage } from '../views/timeline-svg';
import { formatSecond } from '../views/time';

function findingsTable(findings: (Omit<Finding, 'verdict'> & { verdict: string })[], none = 'No findings.'): string[] {
  if (findings.length === 0) return [none];
  return mdTable(
    ['Time (UTC)', 'Verdict', 'Category', 'User', 'IP', 'Source', 'Record id', 'Reason'],
    findings.map((f) => [formatSecond(f.time), f.verdict, f.category, f.user, f.ip ?? '', f.source, f.id, f.reason]),
  );
}

function iocs(r: Pick<AnalysisResult, 'iocs'>): string[] {
  const list = (title: string, xs: string[]) => [
    `### ${title}`,
    '',
    ...(xs.length ? xs.map((x) => `- \`${x.replace(/`/g, "'")}\``) : ['None.']),
    '',
  ];
  return [...list('IP addresses', r.iocs.ips), ...list('User agents', r.iocs.userAgents), ...list('Session ids', r.iocs.sessionIds)];
}

const notesSection = (notes: string[]) => (notes.length ? ['## Notes', '', ...notes.map((n) => `- ${md(n)}`), ''] : []);

/**
 * `investigate <user>`: the timeline picture, every finding, what the attacker touched, the indicators, the
 * notable-but-normal records apart, and what could not be read.
 */
export function investigationMarkdown(
  who: string,
  sinceDays: number,
  r: AnalysisResult,
  notes: string[],
  generated: string,
  svg?: string,
): string {
  return [
    `# Investigation: ${md(who)}`,
    '',
    `Last ${sinceDays} days, ${r.records} records read, ${r.findings.length} findings, ${r.context.length} notable but normal. Generated ${formatSecond(generated)} UTC by Contain.`,
    '',
    ...(svg ? [markdownImage(svg, 'Incident timeline'), ''] : []),
    '## Findings',
    '',
    ...findingsTable(r.findings),
    '',
    '## What the attacker touched',
    '',
    ...attackerActivityMarkdown(r.attackerActivity),
    '## Indicators',
    '',
    ...iocs(r),
    '## Context: notable, not compromise',
    '',
    ...(r.context.length > 200
      ? [`${r.context.length} entries: ${contextSummary(r.context)}. The first 200 follow; the JSON result has them all.`, '']
      : []),
    ...findingsTable(r.context.slice(0, 200), 'None.'),
    '',
    ...notesSection(notes),
  ].join('\n');
}

/** `hunt user-agents`: per-agent counts and every hit. */
export function huntMarkdown(view: HuntView, hits: Finding[], generated: string): string {
  return [
    `# Harmful user agents, last ${view.days} days`,
    '',
    `${view.signIns} sign-ins read, ${hits.length} hits. Generated ${formatSecond(generated)} UTC by Contain.`,
    '',
    '## By user agent',
    '',
    ...mdTable(
      ['User agent', 'Successful', 'Failed'],
      view.userAgents.map((u) => [u.userAgent, String(u.success), String(u.failure)]),
    ),
    '',
    '## Sign-ins',
    '',
    ...findingsTable(hits),
    '',
    ...notesSection(view.notes),
  ].join('\n');
}

/** `scope <user>`: the phishing mail and every other recipient with the reasons. */
export function scopeMarkdown(view: ScopeView, generated: string): string {
  const m = view.mail;
  return [
    `# Scope: ${md(view.target.displayName)} (${md(view.target.userPrincipalName)})`,
    '',
    `Generated ${formatSecond(generated)} UTC by Contain.`,
    '',
    '## The phishing mail',
    '',
    ...(m
      ? [
          `- Sender: ${md(m.sender)}`,
          `- Subject: ${md(m.subject)}`,
          `- Delivered: ${formatSecond(m.time)} UTC`,
          `- Recipients: ${m.recipients}`,
          ...(m.messageId ? [`- Message id: ${md(m.messageId)}`] : []),
          ...m.urls.map((u) => `- Link (defanged): ${md(defang(u))}`),
          `- Found by: ${md(m.source)}`,
        ]
      : ['Not found.']),
    '',
    '## Other recipients',
    '',
    ...(view.recipients.length
      ? mdTable(
          ['Recipient', 'Received (UTC)', 'Tied by', 'Subject', 'Verdict', 'Reasons'],
          view.recipients.map((r) => [
            r.upn,
            formatSecond(r.received),
            r.via,
            r.subject ?? m?.subject ?? '',
            r.flagged ? 'likely compromised' : 'no sign of compromise',
            r.reasons.join('; '),
          ]),
        )
      : ['None.']),
    '',
    '## Attacker addresses used for matching',
    '',
    ...(view.attackerIps.length ? view.attackerIps.map((ip) => `- \`${ip}\``) : ['None known.']),
    '',
    ...notesSection(view.notes),
  ].join('\n');
}
