/**
 * Mailbox-level forwarding (Set-Mailbox ForwardingSmtpAddress / ForwardingAddress / DeliverToMailboxAndForward):
 * invisible in Graph and in the user's inbox rules, the most common BEC persistence after rules themselves.
 */

export interface MailboxForwarding {
  mailbox: string;
  /** As Get-Mailbox shows it: "smtp:someone@example.com", or null. */
  forwardingSmtpAddress: string | null;
  /** An internal recipient, or null. Takes precedence over forwardingSmtpAddress when both are set. */
  forwardingAddress: string | null;
  /** True: a copy stays in the mailbox (so the user notices nothing). */
  deliverToMailboxAndForward: boolean;
}

/** The address part of "smtp:a@b" (or of a bare address). */
export const smtpAddress = (v: string) => v.replace(/^smtp:/i, '').trim();

/** Why this forwarding is suspicious, or undefined when nothing is forwarded. `domains` are the organisation's. */
export function forwardingReason(f: MailboxForwarding, domains: string[]): string | undefined {
  const copy = f.deliverToMailboxAndForward ? 'a copy stays in the mailbox, so the user notices nothing' : 'nothing stays in the mailbox';
  if (f.forwardingAddress) return `forwards every message to the internal recipient ${f.forwardingAddress} (ForwardingAddress); ${copy}.`;
  if (!f.forwardingSmtpAddress) return undefined;
  const address = smtpAddress(f.forwardingSmtpAddress);
  const outside = !domains.some((d) => address.toLowerCase().endsWith(`@${d.toLowerCase()}`));
  // Worded as step 5 words a rule's forwarding, so cards rank it with the rules that send mail out.
  return `${outside ? 'forwards mail outside the organisation: every message' : 'forwards every message'} to ${address} (ForwardingSmtpAddress); ${copy}.`;
}
