/**
 * A mailbox's audit configuration and how it can have been weakened to hide an intrusion. Defaults from
 * https://learn.microsoft.com/purview/audit-mailboxes (mailbox actions logged by default, DefaultAuditSet,
 * Set-MailboxAuditBypassAssociation) and Set-Mailbox's AuditLogAgeLimit ("The default value is 90 days").
 */

export interface MailboxAuditConfig {
  mailbox: string;
  auditEnabled: boolean;
  /** Days audit records are kept in the mailbox (AuditLogAgeLimit "dd.hh:mm:ss"). */
  auditLogAgeLimitDays: number;
  auditAdmin: string[];
  auditDelegate: string[];
  auditOwner: string[];
  /** Logon types still on Microsoft's managed default action list. */
  defaultAuditSet: string[];
  /** True: nothing this account does in any mailbox is logged. Undefined when the app may not read it. */
  auditBypassEnabled?: boolean;
}

export interface AuditWeakening {
  setting: string;
  severity: 'high' | 'medium';
  reason: string;
}

export const DEFAULT_AUDIT_LOG_AGE_DAYS = 90;

/** The actions a BEC investigation depends on, by logon type: all are on the default lists. */
export const KEY_AUDIT_ACTIONS = {
  Owner: ['HardDelete', 'SoftDelete', 'MoveToDeletedItems', 'UpdateInboxRules', 'UpdateFolderPermissions'],
  Delegate: ['HardDelete', 'SoftDelete', 'MoveToDeletedItems', 'SendAs', 'SendOnBehalf', 'UpdateInboxRules', 'UpdateFolderPermissions'],
  Admin: ['HardDelete', 'SoftDelete', 'MoveToDeletedItems', 'SendAs', 'SendOnBehalf', 'UpdateInboxRules', 'UpdateFolderPermissions'],
} as const;

/** "90.00:00:00" (or "7:00:00:00"-style) to days; NaN when unreadable. */
export function timeSpanDays(s: string | number | undefined): number {
  if (typeof s === 'number') return s;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})/.exec(String(s ?? '').trim());
  if (!m) return Number.NaN;
  return Number(m[1] ?? 0) + Number(m[2]) / 24 + Number(m[3]) / 1440 + Number(m[4]) / 86_400;
}

/** Every way the configuration departs from the defaults in a direction that hides activity. */
export function auditWeakenings(c: MailboxAuditConfig): AuditWeakening[] {
  const out: AuditWeakening[] = [];
  if (c.auditBypassEnabled)
    out.push({
      setting: 'AuditBypassEnabled',
      severity: 'high',
      reason: 'audit bypass is on: nothing this account does in any mailbox is logged (Set-MailboxAuditBypassAssociation).',
    });
  if (!c.auditEnabled)
    out.push({
      setting: 'AuditEnabled',
      severity: 'medium',
      reason:
        'mailbox auditing is off for this mailbox (organisation-wide default auditing still logs the default actions unless Get-OrganizationConfig shows AuditDisabled True).',
    });
  if (c.auditLogAgeLimitDays < DEFAULT_AUDIT_LOG_AGE_DAYS)
    out.push({
      setting: 'AuditLogAgeLimit',
      severity: c.auditLogAgeLimitDays < 30 ? 'high' : 'medium',
      reason: `audit records are kept ${Math.round(c.auditLogAgeLimitDays * 10) / 10} days instead of ${DEFAULT_AUDIT_LOG_AGE_DAYS}: evidence of the intrusion may already be gone.`,
    });
  for (const [type, key] of Object.entries(KEY_AUDIT_ACTIONS) as [keyof typeof KEY_AUDIT_ACTIONS, readonly string[]][]) {
    const logged = new Set(
      (type === 'Owner' ? c.auditOwner : type === 'Delegate' ? c.auditDelegate : c.auditAdmin).map((a) => a.toLowerCase()),
    );
    const missing = key.filter((a) => !logged.has(a.toLowerCase()));
    if (missing.length)
      out.push({
        setting: `Audit${type}`,
        severity: 'high',
        reason: `${type.toLowerCase()} actions no longer logged: ${missing.join(', ')}.`,
      });
    else if (!c.defaultAuditSet.some((t) => t.toLowerCase() === type.toLowerCase()))
      out.push({
        setting: 'DefaultAuditSet',
        severity: 'medium',
        reason: `the ${type.toLowerCase()} action list was customised: actions Microsoft adds later are not logged for this mailbox.`,
      });
  }
  return out;
}
