import { ContainError } from '../errors';

/** Every Exchange operation Contain performs, as a responder would ask for it. */
export type ExchangeOperation =
  | { kind: 'readForwarding'; mailbox: string }
  | { kind: 'clearForwarding'; mailbox: string }
  | { kind: 'listInboxRules'; mailbox: string }
  | { kind: 'disableInboxRule'; mailbox: string; ruleIdentity: string }
  | { kind: 'enableInboxRule'; mailbox: string; ruleIdentity: string }
  | {
      kind: 'restoreForwarding';
      mailbox: string;
      forwardingSmtpAddress: string | null;
      forwardingAddress: string | null;
      deliverToMailboxAndForward: boolean;
    }
  | { kind: 'readAuditConfig'; mailbox: string };

/** A PowerShell single-quoted string: nothing inside expands; a quote is doubled. Line breaks are refused. */
export function psQuote(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(value))
    throw new ContainError(
      'INVALID_INPUT',
      'A mailbox or rule name with control characters or line breaks cannot be put into a PowerShell line.',
    );
  // PowerShell also closes single-quoted strings on the typographic quotes U+2018/U+2019/U+201A/U+201B.
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** A RuleIdentity goes into a line unquoted: it must be the number Exchange prints. */
function ruleNumber(ruleIdentity: string): string {
  if (!/^\d{1,20}$/.test(ruleIdentity))
    throw new ContainError('INVALID_INPUT', `"${ruleIdentity.slice(0, 40)}" is not an inbox rule's RuleIdentity (a number).`);
  return ruleIdentity;
}

const CONNECT = 'Connect-ExchangeOnline -UserPrincipalName <your admin account>';
const RULE_FIELDS =
  'Name,RuleIdentity,Enabled,Priority,Description,From,SubjectContainsWords,SubjectOrBodyContainsWords,ForwardTo,RedirectTo,ForwardAsAttachmentTo,MoveToFolder,DeleteMessage,SoftDeleteMessage,MarkAsRead';

/**
 * The exact Exchange Online PowerShell lines a responder runs when the admin API is unavailable (no permission, not
 * configured, or refused): one connection line, then the operation. Values are quoted so a hostile mailbox or rule
 * name cannot add a command.
 */
export function powershellFallback(op: ExchangeOperation): string[] {
  const mbx = psQuote(op.mailbox);
  switch (op.kind) {
    case 'readForwarding':
      return [CONNECT, `Get-Mailbox -Identity ${mbx} | Format-List ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward`];
    case 'clearForwarding':
      return [
        CONNECT,
        `Get-Mailbox -Identity ${mbx} | Format-List ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward`,
        `Set-Mailbox -Identity ${mbx} -ForwardingSmtpAddress $null -ForwardingAddress $null -DeliverToMailboxAndForward $false`,
      ];
    case 'listInboxRules':
      return [
        CONNECT,
        // Hidden rules are the ones listed with -IncludeHidden only (Exchange's own "Junk E-mail Rule" is one of them).
        `Get-InboxRule -Mailbox ${mbx} -IncludeHidden | Format-List ${RULE_FIELDS}`,
        `Compare-Object (Get-InboxRule -Mailbox ${mbx}) (Get-InboxRule -Mailbox ${mbx} -IncludeHidden) -Property RuleIdentity,Name`,
      ];
    case 'enableInboxRule':
      return [CONNECT, `Enable-InboxRule -Mailbox ${mbx} -Identity ${ruleNumber(op.ruleIdentity)} -Confirm:$false`];
    case 'restoreForwarding': {
      const smtp = op.forwardingSmtpAddress ? psQuote(op.forwardingSmtpAddress.replace(/^smtp:/i, '')) : '$null';
      const internal = op.forwardingAddress ? psQuote(op.forwardingAddress) : '$null';
      return [
        CONNECT,
        `Set-Mailbox -Identity ${mbx} -ForwardingSmtpAddress ${smtp} -ForwardingAddress ${internal} -DeliverToMailboxAndForward $${op.deliverToMailboxAndForward}`,
      ];
    }
    case 'disableInboxRule':
      ruleNumber(op.ruleIdentity);
      return [
        CONNECT,
        `Get-InboxRule -Mailbox ${mbx} -Identity ${op.ruleIdentity} -IncludeHidden | Format-List ${RULE_FIELDS}`,
        // Disabling (not removing) keeps the rule as evidence. Exchange removes the mailbox's Outlook client-only rules
        // whenever rules are changed from PowerShell (Disable-InboxRule description): the warning says so.
        `Disable-InboxRule -Mailbox ${mbx} -Identity ${op.ruleIdentity} -Confirm:$false`,
      ];
    case 'readAuditConfig':
      return [
        CONNECT,
        `Get-Mailbox -Identity ${mbx} | Format-List AuditEnabled,AuditLogAgeLimit,AuditOwner,AuditDelegate,AuditAdmin,DefaultAuditSet`,
        `Get-MailboxAuditBypassAssociation -Identity ${mbx} | Format-List AuditBypassEnabled`,
        'Get-OrganizationConfig | Format-List AuditDisabled',
      ];
  }
}
