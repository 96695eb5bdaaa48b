import type { ChooserView, ContainmentView } from '../../src/views/types';
import { formatUtc } from '../../src/views/time';
import { escapeSlack as esc, truncate } from '../text';
import { button, context, plain, section, SLACK_LIMITS, stateIcon, toneIcon, type Block, type SlackMessage } from './blocks';
import { chooseRef } from '../../src/views/buttons';

export function containment(v: ContainmentView): SlackMessage {
  const t = v.target;
  const blocks: Block[] = [{ type: 'header', text: plain(`${v.dryRun ? 'Dry run: ' : ''}Contain ${t.displayName}`, SLACK_LIMITS.headerText) }, context(`${v.incidentId} · requested by ${esc(v.requesterName)}`)];
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
  const lines = v.signIns.map((s) => {
    const flags = [s.risk !== 'none' ? `risk ${s.risk}` : '', !s.deviceKnown ? 'unknown device' : '', !s.success ? 'failed' : ''].filter(Boolean).join(', ');
    return `• ${formatUtc(s.time)} · \`${esc(s.ip)}\` · ${esc(s.location)} · ${esc(s.app)} · ${esc(truncate(s.client, 60))}${flags ? ` · *${flags}*` : ''}`;
  });
  blocks.push(section(`*Recent sign-ins (risky first)*\n${lines.length ? lines.join('\n') : v.notes.length ? '_None shown: see the note below._' : '_No sign-ins in the last 7 days._'}`));
  for (const n of v.notes) blocks.push(context(`:warning: ${esc(n)}`));
  if (v.window) blocks.push(context(`Intrusion window from ${formatUtc(v.window.start)}: ${esc(v.window.reason)}`));
  if (v.decideAll)
    blocks.push({
      type: 'actions',
      block_id: `all:${v.incidentId}`,
      elements: [
        button('Approve all', 'contain.approve-all', v.incidentId, 'primary', { title: 'Approve every proposed action?', text: `All ${v.actions.filter((a) => a.decidable).length} proposed actions for ${esc(t.displayName)} run as soon as you confirm.`, confirm: 'Approve all' }),
        button('Reject all', 'contain.reject-all', v.incidentId, 'danger', { title: 'Reject every proposed action?', text: 'None of them will run.', confirm: 'Reject all' }),
      ],
    });
  const steps = v.steps.length ? v.steps : [...new Set(v.actions.map((a) => a.step))].map((n) => ({ step: n, name: `Step ${n}`, checked: '', notes: [] as string[] }));
  for (const st of steps) {
    const mine = v.actions.filter((a) => a.step === st.step);
    blocks.push({ type: 'divider' });
    blocks.push(section(`*${st.step}. ${esc(st.name)}*${mine.length ? '' : ': nothing suspicious'}${st.checked ? ` _(${esc(st.checked)})_` : ''}${st.notes.map((n) => `\n:warning: ${esc(n)}`).join('')}`));
    for (const a of mine) {
      blocks.push(section(`${a.blocked ? ':no_entry:' : (stateIcon[a.state] ?? '')} *${esc(a.title)}*${a.reason ? `\n*Why:* ${esc(a.reason)}` : ''}\n${esc(a.detail)}\n_${esc(a.stateLabel)}_${a.blocked ? `\n*${esc(a.blocked)}*` : ''}`));
      if (a.decidable) {
        blocks.push({
          type: 'actions',
          block_id: `decide:${a.ref}`,
          elements: [
            button(a.deletable ? 'Approve (disable)' : 'Approve', 'contain.approve', a.ref, 'primary', { title: 'Approve this action?', text: `*${esc(a.title)}* for ${esc(t.displayName)} runs as soon as you confirm.`, confirm: 'Approve' }),
            ...(a.deletable ? [button('Approve: delete rule', 'contain.approve-delete', a.ref, 'danger', { title: 'Delete the rule?', text: `*${esc(a.title)}*: the rule is deleted instead of disabled (its definition stays in the evidence).`, confirm: 'Delete' })] : []),
            button('Reject', 'contain.reject', a.ref, 'danger', { title: 'Reject this action?', text: `*${esc(a.title)}* will not run.`, confirm: 'Reject' }),
          ],
        });
      }
      if (a.reproposable) blocks.push({ type: 'actions', block_id: `again:${a.ref}`, elements: [button('Propose again', 'contain.repropose', a.ref)] });
    }
  }
  blocks.push(context(esc(v.footer)));
  return { text: `Contain ${t.displayName} (${v.incidentId})`, blocks };
}

export function chooser(v: ChooserView): SlackMessage {
  const blocks: Block[] = [section(`*Several users match "${esc(v.query)}"*\nContain never guesses. Pick the account to contain:`)];
  for (const c of v.candidates) blocks.push(section(`${esc(c.displayName)} · ${esc(c.userPrincipalName)}${c.jobTitle ? ` · ${esc(c.jobTitle)}` : ''}`));
  const elements = v.candidates.slice(0, SLACK_LIMITS.actionsElements).map((c) => button(c.displayName, `contain.choose.${c.id}`, chooseRef(c.id, v.dryRun)));
  blocks.push({ type: 'actions', block_id: 'choose', elements });
  return { text: `Several users match "${v.query}"`, blocks };
}
