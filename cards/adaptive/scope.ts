import { defang } from '../../src/views/defang';
import { formatUtc } from '../../src/views/time';
import type { ScopeView, WaveOffer } from '../../src/views/types';
import { escapeMarkdown as md, truncate } from '../text';
import { cardWithLinks } from './results';
import { execute, text, type AdaptiveCard, type Element } from './types';

/** Recipients listed as text: beyond these the card says how many more (the full result lists everyone). */
export const RECIPIENT_ROWS = 50;

export function scopeCard(v: ScopeView): AdaptiveCard {
  const body: Element[] = [text(`Scope: ${md(v.target.displayName)}`, { size: 'Large', weight: 'Bolder', style: 'heading' })];
  if (v.mail)
    body.push({
      type: 'FactSet',
      facts: [
        { title: 'Phishing mail', value: md(v.mail.subject) },
        { title: 'From', value: md(v.mail.sender) },
        { title: 'Delivered', value: `${formatUtc(v.mail.time)}` },
        { title: 'Recipients', value: String(v.mail.recipients) },
        ...(v.mail.messageId ? [{ title: 'Message id', value: md(v.mail.messageId) }] : []),
        ...(v.mail.urls.length ? [{ title: 'Links', value: v.mail.urls.map((u) => md(defang(u))).join(', ') }] : []),
        { title: 'Found by', value: v.mail.source },
      ],
    });
  // With a wave offered, the likely compromised are in its list (with their reasons): the text rows are everyone else.
  const rows = v.wave ? v.recipients.filter((r) => !r.flagged) : v.recipients;
  for (const r of rows.slice(0, RECIPIENT_ROWS))
    body.push(
      text(
        `${r.flagged ? '**Likely compromised**' : 'No sign of compromise'} · ${md(r.upn)}${r.via === 'same link' ? ` (same link${r.subject ? `, subject "${md(r.subject)}"` : ''})` : ''}${r.reasons.length ? `: ${md(r.reasons.join('; '))}` : ''}`,
        { size: 'Small', color: r.flagged ? 'Attention' : 'Default', spacing: 'Small' },
      ),
    );
  if (rows.length > RECIPIENT_ROWS)
    body.push(
      text(`… and ${rows.length - RECIPIENT_ROWS} more recipients${v.download ? ' in the full result' : ''}.`, {
        size: 'Small',
        isSubtle: true,
      }),
    );
  if (v.mail && !v.recipients.length) body.push(text('Nobody else received it.', { isSubtle: true }));
  if (v.wave) body.push(...wavePicker(v.wave));
  else if (v.recipients.some((r) => r.flagged))
    body.push(
      text('Open an incident for each likely compromised recipient with "contain <user>".', { weight: 'Bolder', spacing: 'Medium' }),
    );
  for (const n of v.notes) body.push(text(md(n), { size: 'Small', color: 'Warning' }));
  return cardWithLinks(body, v.download);
}

/**
 * "Contain all N": one box per listed user, ticked, with the reason (Input.ChoiceSet, isMultiSelect; the ticked keys
 * come back with the button as one comma-separated value), and the button an approver presses to approve the set.
 */
function wavePicker(w: WaveOffer): Element[] {
  return [
    text(`Contain all ${w.count}: one approval for the set`, { weight: 'Bolder', size: 'Medium', spacing: 'Large', separator: true }),
    text(
      `Each gets their own incident (wave ${w.campaignId}) with the checks, evidence and read-backs of contain. An approver other than whoever ran scope approves; untick anyone to leave them out.`,
      { size: 'Small', isSubtle: true, spacing: 'None' },
    ),
    {
      type: 'Input.ChoiceSet',
      id: 'wave',
      isMultiSelect: true,
      style: 'expanded',
      value: w.listed.map((l) => l.key).join(','),
      choices: w.listed.map((l) => ({ title: truncate(`${l.upn}: ${l.reasons}`, 160), value: l.key })),
    },
    ...(w.count > w.listed.length
      ? [text(`… and ${w.count - w.listed.length} more, all in the wave (the full result lists them).`, { size: 'Small', spacing: 'None' })]
      : []),
    { type: 'ActionSet', actions: [execute(`Contain all ${w.count}`, 'contain-all', { ref: w.campaignId }, 'destructive')] },
  ];
}
