import type { ChooserView, ContainmentView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { stepsOf } from '../../src/views/steps';
import { fitSteps, stepSizes, type Shown } from '../budget';
import { escapeMarkdown as md, truncate } from '../text';
import { stepElements } from './steps';
import { bannerBox, card, cardBytes, execute, TEAMS_CARD_BYTES, text, type AdaptiveCard, type Element } from './types';
import { alertElements } from './alert';

/** Who, which account, the sign-ins that made this an incident. `compact`: the last resort when nothing else fits. */
function header(v: ContainmentView, compact: boolean): Element[] {
  const t = v.target;
  const body: Element[] = [
    text(`${v.dryRun ? 'Dry run: ' : ''}Contain ${md(t.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(v.incidentId, { isSubtle: true, spacing: 'None' }),
  ];
  if (v.banner) body.push(bannerBox(v.banner));
  if (v.dryRun)
    body.push(text('Dry run: discovery only. Nothing was or will be changed by this card.', { color: 'Warning', weight: 'Bolder' }));
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
  body.push(...alertElements(v));
  body.push(text('Recent sign-ins (risky first)', { weight: 'Bolder', spacing: 'Medium' }));
  if (v.signIns.length === 0)
    body.push(text(v.notes.length ? 'None shown: see the note below.' : 'No sign-ins in the last 7 days.', { isSubtle: true }));
  for (const s of compact ? v.signIns.slice(0, 3) : v.signIns) {
    const flags = [s.risk !== 'none' ? `risk ${s.risk}` : '', !s.deviceKnown ? 'unknown device' : '', !s.success ? 'failed' : '']
      .filter(Boolean)
      .join(', ');
    body.push(
      text(
        `${formatUtc(s.time)} · ${md(s.ip)} · ${md(s.location)} · ${md(s.app)} · ${md(truncate(s.client, 60))}${flags ? ` · **${flags}**` : ''}`,
        {
          size: 'Small',
          spacing: 'Small',
          color: flags ? 'Attention' : 'Default',
        },
      ),
    );
  }
  for (const n of compact ? v.notes.slice(0, 5) : v.notes)
    body.push(text(md(compact ? truncate(n, 300) : n), { size: 'Small', color: 'Warning' }));
  if (v.window)
    body.push(text(`Intrusion window from ${formatUtc(v.window.start)}: ${md(v.window.reason)}`, { size: 'Small', isSubtle: true }));
  if (v.decideAll) {
    body.push({
      type: 'ActionSet',
      actions: [
        execute('Approve all', 'approve-all', { ref: v.incidentId }, 'positive'),
        execute('Reject all', 'reject-all', { ref: v.incidentId }, 'destructive'),
      ],
    });
  }
  return body;
}

/**
 * The containment card, within what Teams delivers (TEAMS_CARD_BYTES): small steps whole with a decision on each
 * action; big steps as a summary, their most suspicious findings, and Approve step / Reject step / Show all.
 */
export function containmentCard(v: ContainmentView): AdaptiveCard {
  const steps = stepsOf(v);
  const build = (shown: Shown, compact: boolean) =>
    card([
      ...header(v, compact),
      ...steps.flatMap((st) => stepElements(v, st, shown.get(st.step) ?? 0, compact)),
      text(md(v.footer), { size: 'Small', isSubtle: true, spacing: 'Medium' }),
    ]);
  return fitSteps(stepSizes(v.actions, steps), build, (c) => cardBytes(c) <= TEAMS_CARD_BYTES);
}

export function chooserCard(v: ChooserView): AdaptiveCard {
  const body: Element[] = [
    text(`Several users match "${md(v.query)}"`, { weight: 'Bolder', size: 'Medium' }),
    text('Contain never guesses. Pick the account to contain:', { isSubtle: true }),
  ];
  const actions = v.candidates.map((c) =>
    execute(truncate(`${c.displayName} (${c.userPrincipalName})`, 80), 'choose', { userId: c.id, ...(v.dryRun ? { dryRun: 'true' } : {}) }),
  );
  for (const c of v.candidates)
    body.push(text(`${md(c.displayName)} · ${md(c.userPrincipalName)}${c.jobTitle ? ` · ${md(c.jobTitle)}` : ''}`, { size: 'Small' }));
  return card(body, actions);
}
