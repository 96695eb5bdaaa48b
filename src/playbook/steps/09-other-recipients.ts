import type { InvestigationStep } from '../types';

/**
 * Step 9: the phishing mail and its other recipients. `scope <user>` (src/investigate/scope.ts) finds the mail through
 * advanced hunting when licensed, else message trace; this step decides which mail it is and who else got it.
 */
export const otherRecipientsStep: InvestigationStep = { number: 9, name: 'Other recipients of the phishing mail', command: 'scope' };

/** One delivered copy of a mail, from advanced hunting (EmailEvents) or message trace, in one shape. */
export interface MailCopy {
  time: string;
  sender: string;
  recipient: string;
  recipientId?: string;
  subject: string;
  messageId?: string;
  /** Advanced hunting only: its id for EmailUrlInfo, and its link count (message trace counts no links). */
  networkMessageId?: string;
  urlCount?: number;
  /** How it is tied to the phishing mail. */
  via?: 'same sender and subject' | 'same link';
}

/**
 * Which of the user's inbound mails is the phishing mail: the one named with --message; else the newest before the
 * first suspicious sign-in that carried links (advanced hunting counts them) or, with message trace, that came from
 * outside the user's domain.
 */
export function phishingMail(
  inbound: MailCopy[],
  options: { named: boolean; countsLinks: boolean; userDomain: string | undefined },
): MailCopy | undefined {
  const candidates = options.named
    ? inbound
    : options.countsLinks
      ? inbound.filter((m) => (m.urlCount ?? 0) > 0)
      : inbound.filter((m) => m.sender.split('@')[1]?.toLowerCase() !== options.userDomain); // no link counts: external senders
  return [...candidates].sort((a, b) => b.time.localeCompare(a.time))[0];
}

/**
 * Who else the campaign reached: one row per person, the first copy they received (a campaign often reaches someone
 * twice), without the user; and how many people it reached in all.
 */
export function otherRecipients(
  copies: MailCopy[],
  user: { id: string; userPrincipalName: string },
): { others: MailCopy[]; reached: number } {
  const firstCopy = new Map<string, MailCopy>();
  for (const c of [...copies].sort((a, b) => a.time.localeCompare(b.time)))
    if (!firstCopy.has(c.recipient.toLowerCase())) firstCopy.set(c.recipient.toLowerCase(), c);
  const others = [...firstCopy.values()].filter(
    (r) => r.recipient.toLowerCase() !== user.userPrincipalName.toLowerCase() && r.recipientId?.toLowerCase() !== user.id.toLowerCase(),
  );
  return { others, reached: firstCopy.size };
}
