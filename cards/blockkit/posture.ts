import type { AppliedMeasureView, HuntView, MeasureOffer, PostureChangeView, PostureView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { escapeSlack as esc, truncate } from '../text';
import { button, context, plain, section, sections, SLACK_LIMITS, toneIcon, type Block, type SlackMessage } from './blocks';
import { actionBlocks } from './steps';

/** Numbered steps for doing something by hand in a portal. */
const steps = (lines: string[]) => lines.map((s, i) => `${i + 1}. ${esc(s)}`);

function offer(o: MeasureOffer | undefined, block: string): Block[] {
  if (!o) return [];
  if (o.kind === 'apply')
    return [
      {
        type: 'actions',
        block_id: `posture:${block}`,
        elements: [button('Apply (report-only)', 'contain.posture-apply', o.ref, 'primary')],
      },
    ];
  if (o.kind === 'note') return [context(esc(o.text))];
  return sections([`*${esc(o.why)}*`, ...steps(o.steps)]);
}

const tally = (label: string, xs: { name: string; count: number }[]) =>
  xs.length
    ? `${label}: ${xs
        .slice(0, 5)
        .map((x) => `${esc(truncate(x.name, 60))} (${x.count})`)
        .join(', ')}`
    : '';
const stateMark = {
  'report-only': ':large_yellow_circle:',
  enforced: ':large_green_circle:',
  applied: ':large_green_circle:',
  missing: ':red_circle:',
} as const;

function applied(a: AppliedMeasureView): Block[] {
  const lines = [
    `${stateMark[a.state]} *${a.state}* · *${esc(a.title)}*`,
    `${esc(a.name)} · ${a.incidentId} · since ${formatUtc(a.since)}`,
  ];
  if (a.impact) {
    const i = a.impact;
    lines.push(
      `Would-be impact: ${i.evaluated} sign-in(s) evaluated, ${i.inScope} in scope, *${i.wouldBlock} would have been blocked*${i.wouldInterrupt ? `, ${i.wouldInterrupt} asked for more` : ''}.`,
    );
    lines.push(
      ...[tally('By app', i.byApp), tally('By user agent', i.byUserAgent), tally('Users', i.byUser)].filter(Boolean),
      ...i.notes.map((n) => `_${esc(n)}_`),
    );
  }
  if (a.pending) lines.push(`:hourglass_flowing_sand: ${esc(a.pending)}`);
  const blocks: Block[] = [{ type: 'divider' }, ...sections(lines)];
  // Enforce and Undo are requests that another approver decides: the confirm says what is being asked for.
  const request = (
    ref: string | undefined,
    label: string,
    verb: `contain.posture-${'enforce' | 'undo'}`,
    style: 'primary' | 'danger',
    title: string,
    what: string,
  ) =>
    ref
      ? [
          button(label, verb, ref, style, {
            title,
            text: `*${esc(a.title)}* will be proposed for ${what}; another approver decides.`,
            confirm: 'Request',
          }),
        ]
      : [];
  const buttons = [
    ...request(a.enforce, 'Enforce', 'contain.posture-enforce', 'primary', 'Request enforcing?', 'enforcing'),
    ...request(a.undo, 'Undo', 'contain.posture-undo', 'danger', 'Request the undo?', 'removal'),
  ];
  if (buttons.length) blocks.push({ type: 'actions', block_id: `applied:${a.incidentId}`, elements: buttons });
  if (a.manual) blocks.push(...sections([`*${esc(a.manual.why)}*`, ...steps(a.manual.steps)]));
  if (a.portalSteps?.length) blocks.push(...sections(['*No API for this part: in the Defender portal*', ...steps(a.portalSteps)]));
  return blocks;
}

/** `posture`: each measure met, missing or unknown with its evidence and what can be done; then Contain's own measures. */
export function posture(v: PostureView): SlackMessage {
  const icon = { met: ':white_check_mark:', missing: ':x:', unknown: ':grey_question:' } as const;
  const blocks: Block[] = [{ type: 'header', text: plain('Defensive measures', SLACK_LIMITS.headerText) }];
  v.checks.forEach((c, i) =>
    blocks.push(section(`${icon[c.status]} *${esc(c.measure)}*: ${esc(c.evidence)}`), ...offer(c.offer, String(i))),
  );
  if (v.applied?.length) blocks.push(section('*Applied by Contain*'), ...v.applied.flatMap(applied));
  blocks.push(...v.notes.map((n) => context(`:warning: ${esc(n)}`)));
  return { text: 'Defensive measures', blocks };
}

/** One requested change to the defensive measures: what it does, Approve or Reject, then its outcome. */
export function postureChange(v: PostureChangeView): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: plain(v.title, SLACK_LIMITS.headerText) },
    context(`${v.incidentId} · defensive measures`),
  ];
  if (v.banner) blocks.push(section(`${toneIcon[v.banner.tone]} *${esc(v.banner.text)}*`));
  blocks.push(section(esc(v.description)), {
    type: 'section',
    fields: v.facts
      .slice(0, SLACK_LIMITS.fields)
      .map((f) => ({ type: 'mrkdwn', text: truncate(`*${esc(f.title)}*\n${esc(f.value)}`, SLACK_LIMITS.fieldText) })),
  });
  if (v.portalSteps.length)
    blocks.push(...sections(['*No API for this part: after the approval, in the Defender portal*', ...steps(v.portalSteps)]));
  blocks.push(...v.notes.map((n) => context(`:warning: ${esc(n)}`)));
  // The change itself is an ordinary action: rendered as every action is (Approve, Reject, Propose again).
  for (const a of v.actions) blocks.push({ type: 'divider' }, ...actionBlocks(a, 'the tenant'));
  blocks.push(context(esc(v.footer)));
  return { text: `${v.title} (${v.incidentId})`, blocks };
}

/** The hunt message's offer of the harmful-user-agent measure. */
export function pilotOffer(o: HuntView['offer']): Block[] {
  if (!o) return [];
  if (o.kind === 'manual') return sections([`*Harmful-user-agent measure by hand:* ${esc(o.why)}`, ...steps(o.steps)]);
  return [
    section(
      `Block these tools with Conditional Access App Control, report-only first: a pilot group of the ${o.pilot} targeted user(s), an exclusion group of the ${o.legitimate} with legitimate successes${o.userAgents.length ? `; user agents ${o.userAgents.map((u) => `\`${esc(u)}\``).join(', ')}` : ''}.`,
    ),
    {
      type: 'actions',
      block_id: 'pilot',
      elements: [button('Apply the measure (report-only)', 'contain.posture-pilot', o.ref, 'primary')],
    },
  ];
}
