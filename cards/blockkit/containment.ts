import type { ChooserView, ContainmentView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { stepsOf } from '../../src/views/steps';
import { chooseRef } from '../../src/views/buttons';
import { fitSteps, stepSizes, type Shown } from '../budget';
import { escapeSlack as esc, truncate } from '../text';
import { button, context, plain, section, SLACK_LIMITS, toneIcon, type Block, type SlackMessage } from './blocks';
import { stepBlocks } from './steps';
import { alertBlocks } from './alert';

/** Who, which account, the sign-ins that made this an incident. `compact`: the last resort when nothing else fits. */
function header(v: ContainmentView, compact: boolean): Block[] {
  const t = v.target;
  const blocks: Block[] = [
    { type: 'header', text: plain(`${v.dryRun ? 'Dry run: ' : ''}Contain ${t.displayName}`, SLACK_LIMITS.headerText) },
    context(`${v.incidentId} · requested by ${esc(v.requesterName)}`),
  ];
  if (v.banner) blocks.push(section(`${toneIcon[v.banner.tone]} *${esc(v.banner.text)}*`));
  if (v.dryRun) blocks.push(section(':warning: *Dry run:* discovery only. Nothing was or will be changed by this message.'));
  const fields = [
    `*User*\n${esc(t.displayName)}`,
    `*UPN*\n${esc(t.userPrincipalName)}`,
    ...(t.jobTitle ? [`*Job title*\n${esc(t.jobTitle)}`] : []),
    `*Account*\n${t.accountEnabled === false ? 'Disabled' : 'Enabled'}`,
    ...(t.onPremisesSyncEnabled ? ['*Source*\nSynced from on-premises AD'] : []),
  ].slice(0, SLACK_LIMITS.fields);
  blocks.push({ type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: truncate(f, SLACK_LIMITS.fieldText) })) });
  blocks.push(...alertBlocks(v));
  const lines = (compact ? v.signIns.slice(0, 3) : v.signIns).map((s) => {
    const flags = [s.risk !== 'none' ? `risk ${s.risk}` : '', !s.deviceKnown ? 'unknown device' : '', !s.success ? 'failed' : '']
      .filter(Boolean)
      .join(', ');
    return `• ${formatUtc(s.time)} · \`${esc(s.ip)}\` · ${esc(s.location)} · ${esc(s.app)} · ${esc(truncate(s.client, 60))}${flags ? ` · *${flags}*` : ''}`;
  });
  blocks.push(
    section(
      `*Recent sign-ins (risky first)*\n${lines.length ? lines.join('\n') : v.notes.length ? '_None shown: see the note below._' : '_No sign-ins in the last 7 days._'}`,
    ),
  );
  // Compact: the notes in one block rather than one each.
  if (compact && v.notes.length)
    blocks.push(
      context(
        v.notes
          .slice(0, 5)
          .map((n) => `:warning: ${esc(truncate(n, 300))}`)
          .join('\n'),
      ),
    );
  else for (const n of v.notes) blocks.push(context(`:warning: ${esc(n)}`));
  if (v.window) blocks.push(context(`Intrusion window from ${formatUtc(v.window.start)}: ${esc(v.window.reason)}`));
  if (v.decideAll)
    blocks.push({
      type: 'actions',
      block_id: `all:${v.incidentId}`,
      elements: [
        button('Approve all', 'contain.approve-all', v.incidentId, 'primary', {
          title: 'Approve every proposed action?',
          text: `All ${v.actions.filter((a) => a.decidable).length} proposed actions for ${esc(t.displayName)} run as soon as you confirm.`,
          confirm: 'Approve all',
        }),
        button('Reject all', 'contain.reject-all', v.incidentId, 'danger', {
          title: 'Reject every proposed action?',
          text: 'None of them will run.',
          confirm: 'Reject all',
        }),
      ],
    });
  return blocks;
}

/**
 * The containment message, within Slack's 50 blocks: small steps whole with a decision on each action; big steps as
 * a summary, their most suspicious findings, and Approve step / Reject step / Show all.
 */
export function containment(v: ContainmentView): SlackMessage {
  const steps = stepsOf(v);
  const build = (shown: Shown, compact: boolean): Block[] => [
    ...header(v, compact),
    ...steps.flatMap((st) => stepBlocks(v, st, shown.get(st.step) ?? 0, compact)),
    context(esc(v.footer)),
  ];
  const blocks = fitSteps(stepSizes(v.actions, steps), build, (b) => b.length <= SLACK_LIMITS.blocks);
  return { text: `Contain ${v.target.displayName} (${v.incidentId})`, blocks };
}

export function chooser(v: ChooserView): SlackMessage {
  const blocks: Block[] = [section(`*Several users match "${esc(v.query)}"*\nContain never guesses. Pick the account to contain:`)];
  for (const c of v.candidates)
    blocks.push(section(`${esc(c.displayName)} · ${esc(c.userPrincipalName)}${c.jobTitle ? ` · ${esc(c.jobTitle)}` : ''}`));
  const elements = v.candidates
    .slice(0, SLACK_LIMITS.actionsElements)
    .map((c) => button(c.displayName, `contain.choose.${c.id}`, chooseRef(c.id, v.dryRun)));
  blocks.push({ type: 'actions', block_id: 'choose', elements });
  return { text: `Several users match "${v.query}"`, blocks };
}
