import type { ChooserView, ContainmentView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { escapeMarkdown as md, truncate } from '../text';
import { card, color, execute, text, type AdaptiveCard, type Element } from './types';

export const stateColor: Record<string, string> = { succeeded: 'Good', failed: 'Attention', rejected: 'Warning', expired: 'Warning', running: 'Accent', approved: 'Accent', proposed: 'Default', skipped: 'Default' };

export function containmentCard(v: ContainmentView): AdaptiveCard {
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

export function chooserCard(v: ChooserView): AdaptiveCard {
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
