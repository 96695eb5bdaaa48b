/**
 * Step 5 through the Exchange Online admin API (src/exchange/): what Graph cannot see. Mailbox-level forwarding
 * (ForwardingSmtpAddress, ForwardingAddress, DeliverToMailboxAndForward) is cleared after approval with the settings
 * before kept; inbox rules only Get-InboxRule -IncludeHidden lists are judged as step 5 judges Graph's rules and
 * disabled after approval; a weakened mailbox audit configuration is reported as a finding. Without the API (not
 * configured, no Exchange.ManageAsApp or role, refused) the card says what was not checked and gives the PowerShell lines.
 */
import { auditWeakenings } from '../../exchange/audit';
import type { ExchangeCall } from '../../exchange/calls';
import { forwardingReason, smtpAddress, type MailboxForwarding } from '../../exchange/forwarding';
import { powershellFallback } from '../../exchange/powershell';
import { stepFiveAnswers } from '../../exchange/rules';
import { ContainError } from '../../errors';
import type { Action, ActionResult, TargetUser } from '../../incidents/model';
import type { ActionHandler, CallResult, ExchangeDiscovery, ProposedAction, StepReads } from '../types';
import { gone, ok } from './common';
import { suspiciousRules, userDomains } from './05-rule-reasons';

const call = (a: Action, op: ExchangeCall['op']): ExchangeCall => ({
  api: 'exchange',
  op,
  mailbox: a.params.mailbox,
  ...(a.kind === 'disableHiddenInboxRule' ? { ruleIdentity: a.objectId } : {}),
});

/** Lines without the repeated connection line. */
const lines = (...ops: Parameters<typeof powershellFallback>[0][]) => [...new Set(ops.flatMap((op) => powershellFallback(op)))];

/** The mailbox as Exchange shows it: forwarding, every rule (hidden ones marked), the audit configuration. */
export const readExchange: NonNullable<StepReads['exchange']> = async (client, user, signal) => {
  if (!client)
    return {
      notChecked: 'the Exchange admin API is not configured (EXCHANGE_ADMIN_API_URL and Exchange.ManageAsApp, docs/permissions.md)',
    };
  const mailbox = user.userPrincipalName;
  try {
    const forwarding = await client.getForwarding(mailbox, { signal });
    const { rules, raw } = await client.listInboxRules(mailbox, { signal });
    try {
      return { forwarding, rules, raw, audit: await client.getAuditConfig(mailbox, { signal }) };
    } catch (err) {
      if (!(err instanceof ContainError) || err.code === 'ABORTED') throw err;
      return { forwarding, rules, raw, auditUnreadable: err.userMessage };
    }
  } catch (err) {
    if (!(err instanceof ContainError) || err.code === 'ABORTED') throw err;
    return { notChecked: err.userMessage };
  }
};

/** Step 5's part of the mailbox Graph cannot see: proposals, notes (audit findings, or the PowerShell lines), what was checked. */
export function exchangeStep(
  d: ExchangeDiscovery | undefined,
  user: TargetUser,
): { proposals: ProposedAction[]; notes: string[]; checked?: string } {
  const mailbox = user.userPrincipalName;
  if (!d || 'notChecked' in d) {
    return {
      proposals: [],
      notes: [
        `Hidden inbox rules and mailbox-level forwarding (ForwardingSmtpAddress) are invisible to Microsoft Graph and were NOT checked: ${d ? d.notChecked : 'the Exchange admin API was not read'}. Run these lines in Exchange Online PowerShell:`,
        ...lines({ kind: 'readForwarding', mailbox }, { kind: 'listInboxRules', mailbox }, { kind: 'readAuditConfig', mailbox }),
      ],
    };
  }
  const domains = userDomains(user);
  const proposals: ProposedAction[] = [];
  const why = forwardingReason(d.forwarding, domains);
  if (why) {
    const to = d.forwarding.forwardingAddress ?? smtpAddress(d.forwarding.forwardingSmtpAddress ?? '');
    proposals.push({
      kind: 'clearMailboxForwarding',
      step: 5,
      objectId: user.id,
      params: { userId: user.id, mailbox, name: to },
      title: `Clear the mailbox forwarding to ${to}`,
      detail:
        'Set-Mailbox: ForwardingSmtpAddress and ForwardingAddress cleared, DeliverToMailboxAndForward off. A mailbox setting, not a rule: Outlook and Graph do not show it. The settings before are kept as evidence.',
      reason: why,
    });
  }
  const hidden = d.rules.filter((r) => r.hidden);
  // Only the hidden rules: the visible ones are Graph's, judged and disabled through Graph above (no duplicates).
  for (const { rule, reasons } of suspiciousRules(stepFiveAnswers(hidden, d.raw), domains)) {
    const name = String(rule.displayName ?? '');
    const conditions = JSON.stringify(rule.conditions ?? {});
    proposals.push({
      kind: 'disableHiddenInboxRule',
      step: 5,
      objectId: String(rule.ruleIdentity),
      params: { userId: user.id, mailbox, name: name || `RuleIdentity ${rule.ruleIdentity}` },
      title: `Disable hidden inbox rule ${name ? `"${name}"` : `(no name, RuleIdentity ${rule.ruleIdentity})`}`,
      detail: `Conditions: ${conditions.length > 160 ? conditions.slice(0, 159) + '…' : conditions}. Listed only by Get-InboxRule -IncludeHidden: Outlook, OWA and Graph do not show it. Disabling keeps it as evidence.`,
      reason: reasons.join('; '),
    });
  }
  const notes: string[] = [];
  if (d.audit)
    for (const w of auditWeakenings(d.audit))
      notes.push(`Finding: the mailbox audit configuration was weakened (${w.severity}): ${w.setting}: ${w.reason}`);
  if (d.auditUnreadable)
    notes.push(
      `The mailbox audit configuration could not be read: ${d.auditUnreadable} Check it with: ${lines({ kind: 'readAuditConfig', mailbox }).slice(1).join(' ; ')}`,
    );
  const audit = d.audit
    ? notes.length
      ? 'audit configuration weakened'
      : 'audit configuration as default'
    : 'audit configuration not read';
  return { proposals, notes, checked: `Exchange: forwarding ${why ? 'set' : 'off'}, ${hidden.length} hidden rule(s), ${audit}` };
}

/** A refused Exchange change as a result: Exchange's words, and the PowerShell lines that do it by hand. */
function refused(r: CallResult, advice: string, ps: string[]): ActionResult {
  const e = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return {
    outcome: 'failed',
    code: e?.code ?? `HTTP_${r.status}`,
    message: `${advice}${e?.message ? ` (Exchange: ${e.message})` : ''} By hand, in Exchange Online PowerShell: ${ps.join(' ; ')}`,
  };
}

const forwarding = (r: CallResult) => r.body as MailboxForwarding | undefined;

/** The engine's handlers for the two Exchange changes: snapshot, change and read-back all through the admin API. */
export const exchangeRuleHandlers: ActionHandler[] = [
  {
    kind: 'clearMailboxForwarding',
    phase: 2,
    snapshot: (a) => call(a, 'getForwarding'),
    change: (a) => call(a, 'clearForwarding'),
    outcome: (a, r) => {
      if (ok(r))
        return {
          outcome: 'succeeded',
          message: `Mailbox forwarding to ${a.params.name} cleared (the settings before are kept as evidence).`,
        };
      if (r.status === 404) return gone(`The mailbox ${a.params.mailbox}`);
      return refused(
        r,
        `The mailbox forwarding to ${a.params.name} could not be cleared.`,
        powershellFallback({ kind: 'clearForwarding', mailbox: a.params.mailbox }),
      );
    },
    check: (a) => call(a, 'getForwarding'),
    verified: (_a, _e, r) => ok(r) && !forwarding(r)?.forwardingSmtpAddress && !forwarding(r)?.forwardingAddress,
  },
  {
    kind: 'disableHiddenInboxRule',
    phase: 2,
    snapshot: (a) => call(a, 'getInboxRule'),
    change: (a) => call(a, 'disableInboxRule'),
    outcome: (a, r) => {
      if (ok(r)) return { outcome: 'succeeded', message: `Hidden inbox rule ${a.params.name} disabled (kept as evidence).` };
      if (r.status === 404) return gone(`Hidden inbox rule ${a.params.name}`);
      return refused(
        r,
        `Hidden inbox rule ${a.params.name} could not be disabled.`,
        powershellFallback({ kind: 'disableInboxRule', mailbox: a.params.mailbox, ruleIdentity: a.objectId }),
      );
    },
    check: (a) => call(a, 'getInboxRule'),
    verified: (_a, _e, r) => ok(r) && (r.body as { Enabled?: boolean } | undefined)?.Enabled === false,
  },
];
