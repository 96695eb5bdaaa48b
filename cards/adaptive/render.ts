import type { ChooserView, ContainmentView, DoctorView, Download, HelpView, HuntView, IncidentListView, InvestigationView, MessageView, PostureView, ReportView, ScopeView, Tone, View } from '../../src/views/types';
import { escapeMarkdown as md, truncate, visibleDeep } from '../text';
import { defang } from '../../src/views/defang';
import { card, execute, text, type AdaptiveCard, type Element } from './types';
import { formatUtc } from '../../src/views/time';

const color: Record<Tone, string> = { default: 'Default', good: 'Good', warning: 'Warning', attention: 'Attention' };
const stateColor: Record<string, string> = { succeeded: 'Good', failed: 'Attention', rejected: 'Warning', expired: 'Warning', running: 'Accent', approved: 'Accent', proposed: 'Default', skipped: 'Default' };

/** Render any view model as an Adaptive Card (schema 1.5). */
export function renderAdaptive(shown: View): AdaptiveCard {
  // Tenant text can hide bidi controls in any field, plain-text ones included (titles of buttons and facts).
  const view = visibleDeep(shown);
  switch (view.kind) {
    case 'containment':
      return containmentCard(view);
    case 'chooser':
      return chooserCard(view);
    case 'message':
      return messageCard(view);
    case 'help':
      return helpCard(view);
    case 'report':
      return reportCard(view);
    case 'incidents':
      return incidentsCard(view);
    case 'investigation':
      return investigationCard(view);
    case 'scope':
      return scopeCard(view);
    case 'hunt':
      return huntCard(view);
    case 'posture':
      return postureCard(view);
    case 'doctor':
      return doctorCard(view);
  }
}

function doctorCard(v: DoctorView): AdaptiveCard {
  const failing = v.checks.filter((c) => !c.ok);
  const body: Element[] = [
    text('Contain doctor', { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(failing.length ? `${failing.length} of ${v.checks.length} checks fail` : `All ${v.checks.length} checks pass`, { color: failing.length ? 'Attention' : 'Good', weight: 'Bolder', spacing: 'None' }),
  ];
  for (const c of failing) body.push({ type: 'Container', spacing: 'Small', items: [text(`**${md(c.needs)}**: ${md(c.enables)}`, { size: 'Small', color: 'Attention' }), text(`Fix: ${md(c.fix)}`, { size: 'Small', spacing: 'None' })] });
  const passing = v.checks.filter((c) => c.ok);
  if (passing.length) body.push(text(`OK: ${passing.map((c) => md(c.id)).join(', ')}`, { size: 'Small', isSubtle: true, spacing: 'Medium' }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  body.push(text(`Checked ${formatUtc(v.at)}`, { size: 'Small', isSubtle: true }));
  return card(body);
}

function postureCard(v: PostureView): AdaptiveCard {
  const color = { met: 'Good', missing: 'Attention', unknown: 'Warning' } as const;
  const body: Element[] = [text('Defensive measures', { size: 'Large', weight: 'Bolder', style: 'heading' })];
  for (const c of v.checks) body.push(text(`**${c.status}** · ${md(c.measure)}: ${md(c.evidence)}`, { size: 'Small', color: color[c.status], spacing: 'Small' }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  return card(body);
}

/** Buttons that open the full result (links we signed, never text from outside), and until when they work. */
function cardWithLinks(body: Element[], d: Download | undefined): AdaptiveCard {
  if (!d) return card(body);
  body.push(text(`Full result links work until ${formatUtc(d.expires)}.`, { size: 'Small', isSubtle: true }));
  return card(body, [
    { type: 'Action.OpenUrl', title: 'Full result (Markdown)', url: d.markdown },
    { type: 'Action.OpenUrl', title: 'Full result (JSON)', url: d.json },
    ...(d.timeline ? [{ type: 'Action.OpenUrl' as const, title: 'Timeline (picture)', url: d.timeline }] : []),
  ]);
}

function huntCard(v: HuntView): AdaptiveCard {
  const body: Element[] = [
    text(`Harmful user agents, last ${v.days} days`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`${v.signIns} sign-ins checked`, { isSubtle: true, spacing: 'None' }),
    { type: 'FactSet', facts: v.userAgents.length ? v.userAgents.map((u) => ({ title: md(u.userAgent), value: `${u.success} successful, ${u.failure} failed` })) : [{ title: 'Result', value: 'none found' }] },
    ...v.hits.map((h) => text(`${formatUtc(h.time)} · **${h.verdict}** · ${md(h.user)}${h.ip ? ` · ${md(h.ip)}` : ''}: ${md(h.reason)}`, { size: 'Small', color: h.verdict === 'malicious' ? 'Attention' : 'Warning', spacing: 'Small' })),
  ];
  if (v.more) body.push(text(`… and ${v.more} more${v.download ? ' in the full result' : ''}.`, { size: 'Small', isSubtle: true }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', isSubtle: true }));
  return cardWithLinks(body, v.download);
}

function scopeCard(v: ScopeView): AdaptiveCard {
  const body: Element[] = [text(`Scope: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' })];
  if (v.mail)
    body.push({ type: 'FactSet', facts: [{ title: 'Phishing mail', value: md(v.mail.subject) }, { title: 'From', value: md(v.mail.sender) }, { title: 'Delivered', value: `${formatUtc(v.mail.time)}` }, { title: 'Recipients', value: String(v.mail.recipients) }, ...(v.mail.messageId ? [{ title: 'Message id', value: md(v.mail.messageId) }] : []), ...(v.mail.urls.length ? [{ title: 'Links', value: v.mail.urls.map((u) => md(defang(u))).join(', ') }] : []), { title: 'Found by', value: v.mail.source }] });
  for (const r of v.recipients)
    body.push(text(`${r.flagged ? '**Likely compromised**' : 'No sign of compromise'} · ${md(r.upn)}${r.via === 'same link' ? ` (same link${r.subject ? `, subject "${md(r.subject)}"` : ''})` : ''}${r.reasons.length ? `: ${md(r.reasons.join('; '))}` : ''}`, { size: 'Small', color: r.flagged ? 'Attention' : 'Default', spacing: 'Small' }));
  if (v.mail && !v.recipients.length) body.push(text('Nobody else received it.', { isSubtle: true }));
  if (v.recipients.some((r) => r.flagged)) body.push(text('Open an incident for each likely compromised recipient with "contain <user>".', { weight: 'Bolder', spacing: 'Medium' }));
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  return cardWithLinks(body, v.download);
}

function investigationCard(v: InvestigationView): AdaptiveCard {
  const body: Element[] = [
    text(`Investigation: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`${v.records} records from the last ${v.sinceDays} days, ${v.findings.length + v.more} findings`, { isSubtle: true, spacing: 'None' }),
  ];
  for (const f of v.findings)
    body.push(text(`${formatUtc(f.time)} · **${f.verdict}** · ${md(f.category)}${f.ip ? ` · ${md(f.ip)}` : ''}: ${md(f.reason)}`, { size: 'Small', color: f.verdict === 'malicious' ? 'Attention' : 'Warning', spacing: 'Small' }));
  if (v.more) body.push(text(`… and ${v.more} more${v.download ? ' in the full result' : ' (run contain investigate from the CLI for all of them)'}.`, { size: 'Small', isSubtle: true }));
  if (!v.findings.length) body.push(text('Nothing suspicious in these sources.', { isSubtle: true }));
  body.push({ type: 'FactSet', facts: [{ title: 'Attacker IPs', value: v.iocs.ips.map(md).join(', ') || 'none found' }, { title: 'User agents', value: v.iocs.userAgents.map(md).join(', ') || 'none found' }, { title: 'Sessions', value: v.iocs.sessionIds.map(md).join(', ') || 'none found' }] });
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  return cardWithLinks(body, v.download);
}

function reportCard(v: ReportView): AdaptiveCard {
  const body: Element[] = [
    text(`Report ${v.incidentId}: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(md(v.summary)),
    text('Response actions', { weight: 'Bolder', spacing: 'Medium' }),
    ...v.actions.map((a) => text(`${md(a.title)}: **${a.state}**${a.by ? ` · ${md(a.by)}` : ''}${a.at ? ` · ${formatUtc(a.at)}` : ''}${a.result ? ` · ${md(truncate(a.result, 200))}` : ''}`, { size: 'Small' })),
    text('Indicators', { weight: 'Bolder', spacing: 'Medium' }),
    { type: 'FactSet', facts: [{ title: 'IPs', value: v.iocs.ips.map(md).join(', ') || 'none yet' }, { title: 'Clients', value: v.iocs.userAgents.map(md).join('; ') || 'none yet' }] },
    text('Open questions', { weight: 'Bolder', spacing: 'Medium' }),
    ...v.openQuestions.map((q) => text(`• ${md(q)}`, { size: 'Small' })),
    ...v.notes.map((n) => text(md(n), { size: 'Small', color: 'Warning' })),
    text(`For scripts: GET ${md(v.downloadPath)} with the function key.`, { size: 'Small', isSubtle: true, spacing: 'Medium' }),
  ];
  return cardWithLinks(body, v.download);
}

function incidentsCard(v: IncidentListView): AdaptiveCard {
  const body: Element[] = [text(md(v.title), { weight: 'Bolder', size: 'Medium' })];
  if (v.items.length === 0) body.push(text('None.', { isSubtle: true }));
  for (const i of v.items) body.push(text(`**${i.incidentId}** · ${md(i.target)} · ${i.state}${i.pending ? ` · ${i.pending} waiting for approval` : ''} · opened ${formatUtc(i.openedAt)}`, { size: 'Small' }));
  return card(body);
}

function containmentCard(v: ContainmentView): AdaptiveCard {
  const t = v.target;
  const body: Element[] = [
    text(`${v.dryRun ? 'Dry run: ' : ''}Contain ${md(t.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(v.incidentId, { isSubtle: true, spacing: 'None' }),
  ];
  if (v.banner) body.push({ type: 'Container', style: v.banner.tone === 'good' ? 'good' : v.banner.tone === 'default' ? 'emphasis' : v.banner.tone, items: [text(md(v.banner.text), { color: color[v.banner.tone], weight: 'Bolder' })] });
  if (v.dryRun) body.push(text('Dry run: discovery only. Nothing was or will be changed by this card.', { color: 'Warning', weight: 'Bolder' }));
  body.push({
    type: 'FactSet',
    facts: [
      { title: 'User', value: md(t.displayName) },
      { title: 'UPN', value: md(t.userPrincipalName) },
      ...(t.jobTitle ? [{ title: 'Job title', value: md(t.jobTitle) }] : []),
      { title: 'Account', value: t.accountEnabled === false ? 'Disabled' : 'Enabled' },
      ...(t.onPremisesSyncEnabled ? [{ title: 'Source', value: 'Synced from on-premises AD' }] : []),
      { title: 'Requested by', value: md(v.requesterName) },
    ],
  });
  body.push(text('Recent sign-ins (risky first)', { weight: 'Bolder', spacing: 'Medium' }));
  if (v.signIns.length === 0) body.push(text(v.notes.length ? 'None shown: see the note below.' : 'No sign-ins in the last 7 days.', { isSubtle: true }));
  for (const s of v.signIns) {
    const flags = [s.risk !== 'none' ? `risk ${s.risk}` : '', !s.deviceKnown ? 'unknown device' : '', !s.success ? 'failed' : ''].filter(Boolean).join(', ');
    body.push(
      text(`${formatUtc(s.time)} · ${md(s.ip)} · ${md(s.location)} · ${md(s.app)} · ${md(truncate(s.client, 60))}${flags ? ` · **${flags}**` : ''}`, {
        size: 'Small',
        spacing: 'Small',
        color: flags ? 'Attention' : 'Default',
      }),
    );
  }
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  if (v.window) body.push(text(`Intrusion window from ${formatUtc(v.window.start)}: ${md(v.window.reason)}`, { size: 'Small', isSubtle: true }));
  if (v.decideAll) {
    body.push({
      type: 'ActionSet',
      actions: [execute('Approve all', 'approve-all', { ref: v.incidentId }, 'positive'), execute('Reject all', 'reject-all', { ref: v.incidentId }, 'destructive')],
    });
  }
  const steps = v.steps.length ? v.steps : [...new Set(v.actions.map((a) => a.step))].map((n) => ({ step: n, name: `Step ${n}`, checked: '', notes: [] as string[] }));
  for (const st of steps) {
    const mine = v.actions.filter((a) => a.step === st.step);
    const header = `${st.step}. ${md(st.name)}${mine.length ? '' : ': nothing suspicious'}${st.checked ? ` (${md(st.checked)})` : ''}`;
    body.push(text(header, { weight: 'Bolder', spacing: 'Medium', separator: true }));
    for (const n of st.notes) body.push(text(md(n), { size: 'Small', color: 'Warning', spacing: 'Small' }));
    for (const a of mine) {
      const items: Element[] = [
        text(`**${md(a.title)}**`),
        ...(a.reason ? [text(`Why: ${md(a.reason)}`, { size: 'Small', spacing: 'None' })] : []),
        text(md(a.detail), { size: 'Small', isSubtle: true, spacing: 'None' }),
        text(md(a.stateLabel), { size: 'Small', color: stateColor[a.state] ?? 'Default', spacing: 'Small' }),
        ...(a.blocked ? [text(md(a.blocked), { size: 'Small', color: 'Attention', weight: 'Bolder', spacing: 'None' })] : []),
      ];
      if (a.decidable) {
        items.push({
          type: 'ActionSet',
          actions: [
            execute(a.deletable ? 'Approve (disable)' : 'Approve', 'approve', { ref: a.ref }, 'positive'),
            ...(a.deletable ? [execute('Approve: delete rule', 'approve-delete', { ref: a.ref }, 'destructive')] : []),
            execute('Reject', 'reject', { ref: a.ref }, 'destructive'),
          ],
        });
      }
      if (a.reproposable) items.push({ type: 'ActionSet', actions: [execute('Propose again', 'repropose', { ref: a.ref })] });
      body.push({ type: 'Container', items, spacing: 'Small' });
    }
  }
  body.push(text(md(v.footer), { size: 'Small', isSubtle: true, spacing: 'Medium' }));
  return card(body);
}

function chooserCard(v: ChooserView): AdaptiveCard {
  const body: Element[] = [
    text(`Several users match "${md(v.query)}"`, { weight: 'Bolder', size: 'Medium' }),
    text('Contain never guesses. Pick the account to contain:', { isSubtle: true }),
  ];
  const actions = v.candidates.map((c) =>
    execute(truncate(`${c.displayName} (${c.userPrincipalName})`, 80), 'choose', { userId: c.id, ...(v.dryRun ? { dryRun: 'true' } : {}) }),
  );
  for (const c of v.candidates) body.push(text(`${md(c.displayName)} · ${md(c.userPrincipalName)}${c.jobTitle ? ` · ${md(c.jobTitle)}` : ''}`, { size: 'Small' }));
  return card(body, actions);
}

function messageCard(v: MessageView): AdaptiveCard {
  return card([text(md(v.title), { weight: 'Bolder', color: color[v.tone] }), text(md(v.text))]);
}

function helpCard(v: HelpView): AdaptiveCard {
  return card([
    text('Contain commands', { weight: 'Bolder', size: 'Medium' }),
    { type: 'FactSet', facts: v.commands.map((c) => ({ title: c.usage, value: c.description })) },
  ]);
}
