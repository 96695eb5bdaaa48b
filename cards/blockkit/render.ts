import type { ChooserView, ContainmentView, DoctorView, Download, HelpView, HuntView, IncidentListView, InvestigationView, MessageView, PostureView, ReportView, ScopeView, View } from '../../src/views/types';
import { escapeSlack as esc, truncate, visibleDeep } from '../text';
import { defang } from '../../src/views/defang';
import { formatUtc } from '../../src/views/time';
import { chooseRef, type ButtonVerb } from '../../src/views/buttons';

/** Slack's published limits for what Contain posts. */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fieldText: 2000, fields: 10, buttonValue: 255, buttonText: 75, headerText: 150, actionsElements: 25, messageText: 40_000 };

export type Block = Record<string, unknown> & { type: string };
export interface SlackMessage {
  /** Fallback text for notifications and screen readers. */
  text: string;
  blocks: Block[];
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) });
const plain = (text: string, max: number) => ({ type: 'plain_text', text: truncate(text, max), emoji: true });
const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });
const context = (text: string): Block => ({ type: 'context', elements: [mrkdwn(text)] });

/** Lines as as few sections as Slack's 3,000-character limit allows, so that a long list is split, never cut. */
function sections(lines: string[]): Block[] {
  const out: string[] = [];
  for (const line of lines) {
    const last = out.length - 1;
    if (last >= 0 && out[last].length + 1 + line.length <= SLACK_LIMITS.sectionText) out[last] += `\n${line}`;
    else out.push(line);
  }
  return out.map(section);
}
const toneIcon = { default: ':information_source:', good: ':white_check_mark:', warning: ':warning:', attention: ':no_entry:' } as const;
const stateIcon: Record<string, string> = { proposed: ':hourglass_flowing_sand:', approved: ':arrow_forward:', running: ':arrows_counterclockwise:', succeeded: ':white_check_mark:', failed: ':x:', rejected: ':no_entry_sign:', expired: ':alarm_clock:', skipped: ':fast_forward:' };

function button(text: string, actionId: `contain.${ButtonVerb}${string}`, value: string, style?: 'primary' | 'danger', confirm?: { title: string; text: string; confirm: string }): Block {
  if (value.length > SLACK_LIMITS.buttonValue) throw new Error(`button value over ${SLACK_LIMITS.buttonValue} characters`);
  return {
    type: 'button',
    text: plain(text, SLACK_LIMITS.buttonText),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
    ...(confirm ? { confirm: { title: plain(confirm.title, 100), text: mrkdwn(confirm.text), confirm: plain(confirm.confirm, 30), deny: plain('Cancel', 30), ...(style === 'danger' ? { style: 'danger' } : {}) } } : {}),
  };
}

/** Render any view model as a Slack message with Block Kit blocks. */
export function renderBlockKit(shown: View): SlackMessage {
  // Tenant text can hide bidi controls in any field, plain-text ones included (the header, button labels).
  const view = visibleDeep(shown);
  const msg = (() => {
    switch (view.kind) {
      case 'containment':
        return containment(view);
      case 'chooser':
        return chooser(view);
      case 'message':
        return message(view);
      case 'help':
        return help(view);
      case 'report':
        return report(view);
      case 'incidents':
        return incidents(view);
      case 'investigation':
        return investigation(view);
      case 'scope':
        return scope(view);
      case 'hunt':
        return hunt(view);
      case 'posture':
        return posture(view);
      case 'doctor':
        return doctor(view);
    }
  })();
  // The fallback text is parsed for mentions and links like mrkdwn: escape it too (<!channel> must not notify).
  msg.text = truncate(esc(msg.text), SLACK_LIMITS.messageText);
  if (msg.blocks.length > SLACK_LIMITS.blocks) {
    // Keep the decision buttons (at the end) and say what was cut, rather than letting Slack reject the message.
    const keep = msg.blocks.slice(-(SLACK_LIMITS.blocks - 2));
    msg.blocks = [msg.blocks[0], context(`${msg.blocks.length - keep.length - 1} blocks omitted; see the report for everything.`), ...keep];
  }
  return msg;
}

function containment(v: ContainmentView): SlackMessage {
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

function chooser(v: ChooserView): SlackMessage {
  const blocks: Block[] = [section(`*Several users match "${esc(v.query)}"*\nContain never guesses. Pick the account to contain:`)];
  for (const c of v.candidates) blocks.push(section(`${esc(c.displayName)} · ${esc(c.userPrincipalName)}${c.jobTitle ? ` · ${esc(c.jobTitle)}` : ''}`));
  const elements = v.candidates.slice(0, SLACK_LIMITS.actionsElements).map((c) => button(c.displayName, `contain.choose.${c.id}`, chooseRef(c.id, v.dryRun)));
  blocks.push({ type: 'actions', block_id: 'choose', elements });
  return { text: `Several users match "${v.query}"`, blocks };
}

function message(v: MessageView): SlackMessage {
  return { text: `${v.title}: ${v.text}`, blocks: [section(`${toneIcon[v.tone]} *${esc(v.title)}*\n${esc(v.text)}`)] };
}

function help(v: HelpView): SlackMessage {
  return { text: 'Contain commands', blocks: [section(`*Contain commands*\n${v.commands.map((c) => `\`/contain ${esc(c.usage.replace(/^contain /, ''))}\` ${esc(c.description)}`).join('\n')}`)] };
}

function report(v: ReportView): SlackMessage {
  const blocks: Block[] = [
    { type: 'header', text: plain(`Report ${v.incidentId}: ${v.target.displayName}`, SLACK_LIMITS.headerText) },
    section(esc(v.summary)),
    section(`*Response actions*\n${v.actions.map((a) => `• ${esc(a.title)}: *${a.state}*${a.by ? ` · ${esc(a.by)}` : ''}${a.at ? ` · ${formatUtc(a.at)}` : ''}${a.result ? ` · ${esc(truncate(a.result, 200))}` : ''}`).join('\n') || '_none_'}`),
    section(`*Indicators*\nIPs: ${v.iocs.ips.map((i) => `\`${esc(i)}\``).join(', ') || '_none yet_'}\nClients: ${v.iocs.userAgents.map(esc).join('; ') || '_none yet_'}`),
    section(`*Open questions*\n${v.openQuestions.map((q) => `• ${esc(q)}`).join('\n')}`),
    ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
    ...downloadBlocks(v.download),
    context(`For scripts: GET ${esc(v.downloadPath)} with the function key.`),
  ];
  return { text: `Report ${v.incidentId}`, blocks };
}

function incidents(v: IncidentListView): SlackMessage {
  const lines = v.items.map((i) => `• *${i.incidentId}* · ${esc(i.target)} · ${i.state}${i.pending ? ` · ${i.pending} waiting for approval` : ''}`);
  return { text: v.title, blocks: [section(`*${esc(v.title)}*\n${lines.join('\n') || '_None._'}`)] };
}

/** A URL inside <url|label>: only the characters that would end or split the link are encoded. */
const linkUrl = (u: string) => u.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');

/** Links to the full result (we signed them; nothing from outside), and until when they work. */
function downloadBlocks(d: Download | undefined): Block[] {
  return d ? [context(`Full result: <${linkUrl(d.markdown)}|Markdown> · <${linkUrl(d.json)}|JSON>${d.timeline ? ` · <${linkUrl(d.timeline)}|Timeline>` : ''} · links work until ${formatUtc(d.expires)}`)] : [];
}

function investigation(v: InvestigationView): SlackMessage {
  const lines = v.findings.map((f) => `• ${formatUtc(f.time)} · *${f.verdict}* · ${esc(f.category)}${f.ip ? ` · \`${esc(f.ip)}\`` : ''}: ${esc(f.reason)}`);
  const blocks: Block[] = [
    { type: 'header', text: plain(`Investigation: ${v.target.displayName}`, SLACK_LIMITS.headerText) },
    context(`${v.records} records from the last ${v.sinceDays} days, ${v.findings.length + v.more} findings`),
    ...(lines.length ? sections(lines) : [section('_Nothing suspicious in these sources._')]),
    ...(v.more ? [context(`… and ${v.more} more${v.download ? ' in the full result' : ' (run contain investigate from the CLI for all of them)'}.`)] : []),
    section(`*Attacker IPs:* ${v.iocs.ips.map(esc).join(', ') || 'none found'}\n*User agents:* ${v.iocs.userAgents.map(esc).join(', ') || 'none found'}\n*Sessions:* ${v.iocs.sessionIds.map(esc).join(', ') || 'none found'}`),
    ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
    ...downloadBlocks(v.download),
  ];
  return { text: `Investigation: ${v.target.displayName}`, blocks };
}

function scope(v: ScopeView): SlackMessage {
  const blocks: Block[] = [{ type: 'header', text: plain(`Scope: ${v.target.displayName}`, SLACK_LIMITS.headerText) }];
  if (v.mail) blocks.push(section(`*Phishing mail:* ${esc(v.mail.subject)}\n*From:* ${esc(v.mail.sender)} · ${formatUtc(v.mail.time)} · ${v.mail.recipients} recipients${v.mail.messageId ? `\n*Message id:* ${esc(v.mail.messageId)}` : ''}${v.mail.urls.length ? `\n*Links:* ${v.mail.urls.map((u) => `\`${esc(defang(u))}\``).join(', ')}` : ''}\n_Found by ${v.mail.source}_`));
  const lines = v.recipients.map((r) => `• ${r.flagged ? '*Likely compromised*' : 'No sign of compromise'} · ${esc(r.upn)}${r.via === 'same link' ? ` (same link${r.subject ? `, subject "${esc(r.subject)}"` : ''})` : ''}${r.reasons.length ? `: ${esc(r.reasons.join('; '))}` : ''}`);
  blocks.push(...sections(lines));
  if (v.recipients.some((r) => r.flagged)) blocks.push(section('*Open an incident for each likely compromised recipient with* `/contain <user>`.'));
  for (const n of v.notes) blocks.push(context(`:warning: ${esc(n)}`));
  blocks.push(...downloadBlocks(v.download));
  return { text: `Scope: ${v.target.displayName}`, blocks };
}

function hunt(v: HuntView): SlackMessage {
  const uas = v.userAgents.map((u) => `• \`${esc(u.userAgent)}\`: ${u.success} successful, ${u.failure} failed`).join('\n') || '_none found_';
  const hits = v.hits.map((h) => `• ${formatUtc(h.time)} · *${h.verdict}* · ${esc(h.user)}${h.ip ? ` · \`${esc(h.ip)}\`` : ''}`);
  const blocks: Block[] = [
    { type: 'header', text: plain(`Harmful user agents, last ${v.days} days`, SLACK_LIMITS.headerText) },
    context(`${v.signIns} sign-ins checked`),
    section(uas),
    ...sections(hits),
    ...(v.more ? [context(`… and ${v.more} more${v.download ? ' in the full result' : ''}.`)] : []),
    ...v.notes.map((n) => context(esc(n))),
    ...downloadBlocks(v.download),
  ];
  return { text: `Harmful user agents, last ${v.days} days`, blocks };
}

function doctor(v: DoctorView): SlackMessage {
  const failing = v.checks.filter((c) => !c.ok);
  const passing = v.checks.filter((c) => c.ok);
  return {
    text: failing.length ? `Contain doctor: ${failing.length} of ${v.checks.length} checks fail` : `Contain doctor: all ${v.checks.length} checks pass`,
    blocks: [
      { type: 'header', text: plain('Contain doctor', SLACK_LIMITS.headerText) },
      section(failing.length ? `:x: *${failing.length} of ${v.checks.length} checks fail*` : `:white_check_mark: *All ${v.checks.length} checks pass*`),
      ...sections(failing.map((c) => `:x: *${esc(c.needs)}*: ${esc(c.enables)}\n*Fix:* ${esc(c.fix)}`)),
      ...(passing.length ? [context(`OK: ${passing.map((c) => esc(c.id)).join(', ')}`)] : []),
      ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
      context(`Checked ${formatUtc(v.at)}`),
    ],
  };
}

function posture(v: PostureView): SlackMessage {
  const icon = { met: ':white_check_mark:', missing: ':x:', unknown: ':grey_question:' } as const;
  return {
    text: 'Defensive measures',
    blocks: [
      { type: 'header', text: plain('Defensive measures', SLACK_LIMITS.headerText) },
      section(v.checks.map((c) => `${icon[c.status]} *${esc(c.measure)}*: ${esc(c.evidence)}`).join('\n')),
      ...v.notes.map((n) => context(`:warning: ${esc(n)}`)),
    ],
  };
}
