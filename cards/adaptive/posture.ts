import type { AppliedMeasureView, HuntView, MeasureOffer, PostureChangeView, PostureView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { escapeMarkdown as md, truncate } from '../text';
import { actionItem } from './steps';
import { bannerBox, card, execute, text, type AdaptiveCard, type Element } from './types';

const small = (value: string, extra: Record<string, unknown> = {}) => text(value, { size: 'Small', spacing: 'Small', ...extra });

/** Numbered steps, one line each: what a responder does by hand in a portal. */
const steps = (lines: string[]): Element[] => lines.map((s, i) => small(`${i + 1}. ${md(s)}`, { spacing: 'None' }));

function offer(o: MeasureOffer | undefined): Element[] {
  if (!o) return [];
  if (o.kind === 'apply')
    return [{ type: 'ActionSet', actions: [execute('Apply (report-only)', 'posture-apply', { ref: o.ref }, 'positive')] }];
  if (o.kind === 'note') return [small(md(o.text), { isSubtle: true, spacing: 'None' })];
  return [small(md(o.why), { color: 'Warning', spacing: 'None' }), ...steps(o.steps)];
}

const tally = (label: string, xs: { name: string; count: number }[]) =>
  xs.length
    ? `${label}: ${xs
        .slice(0, 5)
        .map((x) => `${md(truncate(x.name, 60))} (${x.count})`)
        .join(', ')}`
    : '';

function applied(a: AppliedMeasureView): Element {
  const items: Element[] = [
    text(`**${a.state}** · ${md(a.title)}`, {
      color: a.state === 'missing' ? 'Attention' : a.state === 'report-only' ? 'Warning' : 'Good',
    }),
    small(`${md(a.name)} · ${a.incidentId} · since ${formatUtc(a.since)}`, { isSubtle: true, spacing: 'None' }),
  ];
  if (a.impact) {
    const i = a.impact;
    items.push(
      small(
        `Would-be impact: ${i.evaluated} sign-in(s) evaluated, ${i.inScope} in scope, **${i.wouldBlock} would have been blocked**${i.wouldInterrupt ? `, ${i.wouldInterrupt} asked for more` : ''}.`,
      ),
    );
    for (const line of [tally('By app', i.byApp), tally('By user agent', i.byUserAgent), tally('Users', i.byUser)].filter(Boolean))
      items.push(small(line, { spacing: 'None' }));
    for (const n of i.notes) items.push(small(md(n), { isSubtle: true, spacing: 'None' }));
  }
  if (a.pending) items.push(small(md(a.pending), { color: 'Accent' }));
  const buttons = [
    ...(a.enforce ? [execute('Enforce', 'posture-enforce', { ref: a.enforce }, 'positive')] : []),
    ...(a.undo ? [execute('Undo', 'posture-undo', { ref: a.undo }, 'destructive')] : []),
  ];
  if (buttons.length) items.push({ type: 'ActionSet', actions: buttons });
  if (a.manual) items.push(small(md(a.manual.why), { color: 'Warning' }), ...steps(a.manual.steps));
  if (a.portalSteps?.length)
    items.push(small('No API for this part: in the Defender portal', { weight: 'Bolder' }), ...steps(a.portalSteps));
  return { type: 'Container', items, spacing: 'Medium', separator: true };
}

/** `posture`: each measure met, missing or unknown with its evidence and what can be done; then Contain's own measures. */
export function postureCard(v: PostureView): AdaptiveCard {
  const status = { met: 'Good', missing: 'Attention', unknown: 'Warning' } as const;
  const body: Element[] = [text('Defensive measures', { size: 'Large', weight: 'Bolder', style: 'heading' })];
  for (const c of v.checks)
    body.push({
      type: 'Container',
      spacing: 'Small',
      items: [small(`**${c.status}** · ${md(c.measure)}: ${md(c.evidence)}`, { color: status[c.status] }), ...offer(c.offer)],
    });
  if (v.applied?.length) body.push(text('Applied by Contain', { weight: 'Bolder', spacing: 'Large' }), ...v.applied.map(applied));
  for (const n of v.notes) body.push(small(md(n), { color: 'Warning' }));
  return card(body);
}

/** One requested change to the defensive measures: what it does, Approve or Reject, then its outcome. */
export function postureChangeCard(v: PostureChangeView): AdaptiveCard {
  const body: Element[] = [
    text(md(v.title), { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(v.incidentId, { isSubtle: true, spacing: 'None' }),
  ];
  if (v.banner) body.push(bannerBox(v.banner));
  body.push(text(md(v.description)), { type: 'FactSet', facts: v.facts.map((f) => ({ title: md(f.title), value: md(f.value) })) });
  if (v.portalSteps.length)
    body.push(
      small('No API for this part: after the approval, in the Defender portal', { weight: 'Bolder', spacing: 'Medium' }),
      ...steps(v.portalSteps),
    );
  for (const n of v.notes) body.push(small(md(n), { color: 'Warning' }));
  // The change itself is an ordinary action: rendered as every action is (Approve, Reject, Propose again).
  for (const a of v.actions) body.push({ ...actionItem(a), spacing: 'Medium', separator: true });
  body.push(small(md(v.footer), { isSubtle: true, spacing: 'Medium' }));
  return card(body);
}

/** The hunt card's offer of the harmful-user-agent measure. */
export function pilotOffer(o: HuntView['offer']): Element[] {
  if (!o) return [];
  if (o.kind === 'manual')
    return [small(`Harmful-user-agent measure by hand: ${md(o.why)}`, { color: 'Warning', spacing: 'Medium' }), ...steps(o.steps)];
  return [
    small(
      `Block these tools with Conditional Access App Control, report-only first: a pilot group of the ${o.pilot} targeted user(s), an exclusion group of the ${o.legitimate} with legitimate successes${o.userAgents.length ? `; user agents ${o.userAgents.map((u) => md(u)).join(', ')}` : ''}.`,
      { spacing: 'Medium' },
    ),
    { type: 'ActionSet', actions: [execute('Apply the measure (report-only)', 'posture-pilot', { ref: o.ref }, 'positive')] },
  ];
}
