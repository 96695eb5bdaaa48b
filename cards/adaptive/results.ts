import type { DoctorView, Download, HuntView, IncidentListView, InvestigationView, ReportView } from '../../src/views/types';
import { pilotOffer } from './posture';
import { formatUtc } from '../../src/views/time';
import { escapeMarkdown as md, truncate } from '../text';
import { card, text, type AdaptiveCard, type Element } from './types';

/** Buttons that open the full result (links we signed, never text from outside), and until when they work. */
export function cardWithLinks(body: Element[], d: Download | undefined): AdaptiveCard {
  if (!d) return card(body);
  body.push(text(`Full result links work until ${formatUtc(d.expires)}.`, { size: 'Small', isSubtle: true }));
  return card(body, [
    { type: 'Action.OpenUrl', title: 'Full result (Markdown)', url: d.markdown },
    { type: 'Action.OpenUrl', title: 'Full result (JSON)', url: d.json },
    ...(d.timeline ? [{ type: 'Action.OpenUrl' as const, title: 'Timeline (picture)', url: d.timeline }] : []),
  ]);
}

export function doctorCard(v: DoctorView): AdaptiveCard {
  const failing = v.checks.filter((c) => !c.ok);
  const body: Element[] = [
    text('Contain doctor', { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(failing.length ? `${failing.length} of ${v.checks.length} checks fail` : `All ${v.checks.length} checks pass`, {
      color: failing.length ? 'Attention' : 'Good',
      weight: 'Bolder',
      spacing: 'None',
    }),
  ];
  for (const c of failing)
    body.push({
      type: 'Container',
      spacing: 'Small',
      items: [
        text(`**${md(c.needs)}**: ${md(c.enables)}`, { size: 'Small', color: 'Attention' }),
        text(`Fix: ${md(c.fix)}`, { size: 'Small', spacing: 'None' }),
      ],
    });
  const passing = v.checks.filter((c) => c.ok);
  if (passing.length)
    body.push(text(`OK: ${passing.map((c) => md(c.id)).join(', ')}`, { size: 'Small', isSubtle: true, spacing: 'Medium' }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  body.push(text(`Checked ${formatUtc(v.at)}`, { size: 'Small', isSubtle: true }));
  return card(body);
}

export function huntCard(v: HuntView): AdaptiveCard {
  const body: Element[] = [
    text(`Harmful user agents, last ${v.days} days`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`${v.signIns} sign-ins checked`, { isSubtle: true, spacing: 'None' }),
    {
      type: 'FactSet',
      facts: v.userAgents.length
        ? v.userAgents.map((u) => ({ title: md(u.userAgent), value: `${u.success} successful, ${u.failure} failed` }))
        : [{ title: 'Result', value: 'none found' }],
    },
    ...v.hits.map((h) =>
      text(`${formatUtc(h.time)} · **${h.verdict}** · ${md(h.user)}${h.ip ? ` · ${md(h.ip)}` : ''}: ${md(h.reason)}`, {
        size: 'Small',
        color: h.verdict === 'malicious' ? 'Attention' : 'Warning',
        spacing: 'Small',
      }),
    ),
  ];
  if (v.more) body.push(text(`… and ${v.more} more${v.download ? ' in the full result' : ''}.`, { size: 'Small', isSubtle: true }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', isSubtle: true }));
  body.push(...pilotOffer(v.offer));
  return cardWithLinks(body, v.download);
}

export function investigationCard(v: InvestigationView): AdaptiveCard {
  const body: Element[] = [
    text(`Investigation: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`${v.records} records from the last ${v.sinceDays} days, ${v.findings.length + v.more} findings`, {
      isSubtle: true,
      spacing: 'None',
    }),
  ];
  for (const f of v.findings)
    body.push(
      text(`${formatUtc(f.time)} · **${f.verdict}** · ${md(f.category)}${f.ip ? ` · ${md(f.ip)}` : ''}: ${md(f.reason)}`, {
        size: 'Small',
        color: f.verdict === 'malicious' ? 'Attention' : 'Warning',
        spacing: 'Small',
      }),
    );
  if (v.more)
    body.push(
      text(`… and ${v.more} more${v.download ? ' in the full result' : ' (run contain investigate from the CLI for all of them)'}.`, {
        size: 'Small',
        isSubtle: true,
      }),
    );
  if (!v.findings.length) body.push(text('Nothing suspicious in these sources.', { isSubtle: true }));
  body.push({
    type: 'FactSet',
    facts: [
      { title: 'Attacker IPs', value: v.iocs.ips.map(md).join(', ') || 'none found' },
      { title: 'User agents', value: v.iocs.userAgents.map(md).join(', ') || 'none found' },
      { title: 'Sessions', value: v.iocs.sessionIds.map(md).join(', ') || 'none found' },
    ],
  });
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  return cardWithLinks(body, v.download);
}

export function reportCard(v: ReportView): AdaptiveCard {
  const body: Element[] = [
    text(`Report ${v.incidentId}: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(md(v.summary)),
    text('Response actions', { weight: 'Bolder', spacing: 'Medium' }),
    ...v.actions.map((a) =>
      text(
        `${md(a.title)}: **${a.state}**${a.by ? ` · ${md(a.by)}` : ''}${a.at ? ` · ${formatUtc(a.at)}` : ''}${a.result ? ` · ${md(truncate(a.result, 200))}` : ''}`,
        { size: 'Small' },
      ),
    ),
    text('Indicators', { weight: 'Bolder', spacing: 'Medium' }),
    {
      type: 'FactSet',
      facts: [
        { title: 'IPs', value: v.iocs.ips.map(md).join(', ') || 'none yet' },
        { title: 'Clients', value: v.iocs.userAgents.map(md).join('; ') || 'none yet' },
      ],
    },
    text('Open questions', { weight: 'Bolder', spacing: 'Medium' }),
    ...v.openQuestions.map((q) => text(`• ${md(q)}`, { size: 'Small' })),
    ...v.notes.map((n) => text(md(n), { size: 'Small', color: 'Warning' })),
    text(`For scripts: GET ${md(v.downloadPath)} with the function key.`, { size: 'Small', isSubtle: true, spacing: 'Medium' }),
  ];
  return cardWithLinks(body, v.download);
}

export function incidentsCard(v: IncidentListView): AdaptiveCard {
  const body: Element[] = [text(md(v.title), { weight: 'Bolder', size: 'Medium' })];
  if (v.items.length === 0) body.push(text('None.', { isSubtle: true }));
  for (const i of v.items)
    body.push(
      text(
        `**${i.incidentId}** · ${md(i.target)} · ${i.state}${i.pending ? ` · ${i.pending} waiting for approval` : ''} · opened ${formatUtc(i.openedAt)}`,
        { size: 'Small' },
      ),
    );
  return card(body);
}
