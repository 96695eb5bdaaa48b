import type { DoctorView, HuntView, IncidentListView, InvestigationView, ReportView } from '../../src/views/types';
import { pilotOffer } from './posture';
import { formatUtc } from '../../src/views/time';
import { escapeSlack as esc, truncate } from '../text';
import { context, downloadBlocks, plain, section, sections, SLACK_LIMITS, type Block, type SlackMessage } from './blocks';

export function report(v: ReportView): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: plain(`Report ${v.incidentId}: ${v.target.displayName}`, SLACK_LIMITS.headerText) },
    section(esc(v.summary)),
    section(
      `*Response actions*\n${v.actions.map((a) => `• ${esc(a.title)}: *${a.state}*${a.by ? ` · ${esc(a.by)}` : ''}${a.at ? ` · ${formatUtc(a.at)}` : ''}${a.result ? ` · ${esc(truncate(a.result, 200))}` : ''}`).join('\n') || '_none_'}`,
    ),
    section(
      `*Indicators*\nIPs: ${v.iocs.ips.map((i) => `\`${esc(i)}\``).join(', ') || '_none yet_'}\nClients: ${v.iocs.userAgents.map(esc).join('; ') || '_none yet_'}`,
    ),
    section(`*Open questions*\n${v.openQuestions.map((q) => `• ${esc(q)}`).join('\n')}`),
    ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
    ...downloadBlocks(v.download),
    context(`For scripts: GET ${esc(v.downloadPath)} with the function key.`),
  ];
  return { text: `Report ${v.incidentId}`, blocks };
}

export function incidents(v: IncidentListView): SlackMessage {
  const lines = v.items.map(
    (i) => `• *${i.incidentId}* · ${esc(i.target)} · ${i.state}${i.pending ? ` · ${i.pending} waiting for approval` : ''}`,
  );
  return { text: v.title, blocks: [section(`*${esc(v.title)}*\n${lines.join('\n') || '_None._'}`)] };
}

export function investigation(v: InvestigationView): SlackMessage {
  const lines = v.findings.map(
    (f) => `• ${formatUtc(f.time)} · *${f.verdict}* · ${esc(f.category)}${f.ip ? ` · \`${esc(f.ip)}\`` : ''}: ${esc(f.reason)}`,
  );
  const blocks: Block[] = [
    { type: 'header', text: plain(`Investigation: ${v.target.displayName}`, SLACK_LIMITS.headerText) },
    context(`${v.records} records from the last ${v.sinceDays} days, ${v.findings.length + v.more} findings`),
    ...(lines.length ? sections(lines) : [section('_Nothing suspicious in these sources._')]),
    ...(v.more
      ? [context(`… and ${v.more} more${v.download ? ' in the full result' : ' (run contain investigate from the CLI for all of them)'}.`)]
      : []),
    section(
      `*Attacker IPs:* ${v.iocs.ips.map(esc).join(', ') || 'none found'}\n*User agents:* ${v.iocs.userAgents.map(esc).join(', ') || 'none found'}\n*Sessions:* ${v.iocs.sessionIds.map(esc).join(', ') || 'none found'}`,
    ),
    ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
    ...downloadBlocks(v.download),
  ];
  return { text: `Investigation: ${v.target.displayName}`, blocks };
}

export function hunt(v: HuntView): SlackMessage {
  const uas =
    v.userAgents.map((u) => `• \`${esc(u.userAgent)}\`: ${u.success} successful, ${u.failure} failed`).join('\n') || '_none found_';
  const hits = v.hits.map((h) => `• ${formatUtc(h.time)} · *${h.verdict}* · ${esc(h.user)}${h.ip ? ` · \`${esc(h.ip)}\`` : ''}`);
  const blocks: Block[] = [
    { type: 'header', text: plain(`Harmful user agents, last ${v.days} days`, SLACK_LIMITS.headerText) },
    context(`${v.signIns} sign-ins checked`),
    section(uas),
    ...sections(hits),
    ...(v.more ? [context(`… and ${v.more} more${v.download ? ' in the full result' : ''}.`)] : []),
    ...v.notes.map((n) => context(esc(n))),
    ...pilotOffer(v.offer),
    ...downloadBlocks(v.download),
  ];
  return { text: `Harmful user agents, last ${v.days} days`, blocks };
}

export function doctor(v: DoctorView): SlackMessage {
  const failing = v.checks.filter((c) => !c.ok);
  const passing = v.checks.filter((c) => c.ok);
  return {
    text: failing.length
      ? `Contain doctor: ${failing.length} of ${v.checks.length} checks fail`
      : `Contain doctor: all ${v.checks.length} checks pass`,
    blocks: [
      { type: 'header', text: plain('Contain doctor', SLACK_LIMITS.headerText) },
      section(
        failing.length
          ? `:x: *${failing.length} of ${v.checks.length} checks fail*`
          : `:white_check_mark: *All ${v.checks.length} checks pass*`,
      ),
      ...sections(failing.map((c) => `:x: *${esc(c.needs)}*: ${esc(c.enables)}\n*Fix:* ${esc(c.fix)}`)),
      ...(passing.length ? [context(`OK: ${passing.map((c) => esc(c.id)).join(', ')}`)] : []),
      ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
      context(`Checked ${formatUtc(v.at)}`),
    ],
  };
}
