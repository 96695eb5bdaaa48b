/**
 * The sandbox tenant's Exchange side: mailbox settings Graph does not expose (forwarding, audit configuration, audit
 * bypass) and inbox rules hidden at the MAPI level. Visible rules are Graph's own (em.state.rules): Get-InboxRule
 * shows them in PowerShell's shape and Disable-InboxRule changes the same object Graph reads, as in Exchange Online.
 * Kept in em.state.exchange so /sandbox/state shows it and /sandbox/reset restores it.
 */
import { createHash } from 'node:crypto';
import type { GraphEmulator } from '../graph/emulator';
import type { TenantData } from '../graph/seed';
import { SEED_IDS } from '../graph/ids';

export interface SandboxMailbox {
  userId: string;
  ForwardingSmtpAddress: string | null;
  ForwardingAddress: string | null;
  DeliverToMailboxAndForward: boolean;
  AuditEnabled: boolean;
  AuditLogAgeLimit: string;
  AuditAdmin: string[];
  AuditDelegate: string[];
  AuditOwner: string[];
  DefaultAuditSet: string[];
  AuditBypassEnabled: boolean;
}

/** A rule only Get-InboxRule -IncludeHidden lists; PowerShell's property names. */
export interface SandboxHiddenRule {
  userId: string;
  RuleIdentity: string;
  Name: string;
  Enabled: boolean;
  Priority: number;
  Description: string;
  SubjectOrBodyContainsWords: string[] | null;
  FromAddressContainsWords: string[] | null;
  ForwardTo: string[] | null;
  RedirectTo: string[] | null;
  MoveToFolder: string | null;
  DeleteMessage: boolean;
  SoftDeleteMessage: boolean;
  MarkAsRead: boolean;
  StopProcessingRules: boolean;
  /** Exchange's own hidden rules (Junk E-mail Rule) are hidden too, and harmless. */
  system?: boolean;
}

export interface ExchangeData {
  mailboxes: SandboxMailbox[];
  hiddenRules: SandboxHiddenRule[];
}

export type WithExchange = TenantData & { exchange?: ExchangeData };

/** Where Alice's mail goes since the intrusion: an outside address, with a copy kept so she notices nothing. */
export const ATTACKER_FORWARDING = 'smtp:alice.aoki.backup@proton-mail.example';
/** The attacker's hidden rule in Alice's mailbox (created over MAPI with its name blanked, so no client shows it). */
export const HIDDEN_RULE_IDENTITY = '16752869479666417665';

// The admin's default actions, alphabetical as Exchange lists them; the other logon types' defaults are this list less
// a few actions, so one list keeps the three in step.
const ADMIN_DEFAULT = [
  'ApplyRecord',
  'Create',
  'HardDelete',
  'MoveToDeletedItems',
  'SendAs',
  'SendOnBehalf',
  'SoftDelete',
  'Update',
  'UpdateCalendarDelegation',
  'UpdateFolderPermissions',
  'UpdateInboxRules',
];
const adminDefaultExcept = (...left: string[]) => ADMIN_DEFAULT.filter((a) => !left.includes(a));

/** Microsoft-managed default actions per logon type (https://learn.microsoft.com/purview/audit-mailboxes). */
export const DEFAULT_AUDIT = {
  AuditAdmin: ADMIN_DEFAULT,
  AuditDelegate: adminDefaultExcept('UpdateCalendarDelegation'),
  AuditOwner: adminDefaultExcept('Create', 'SendAs', 'SendOnBehalf'),
};

function seedExchange(state: TenantData): ExchangeData {
  const mailboxes = state.users.map((u): SandboxMailbox => ({
    userId: u.id,
    ForwardingSmtpAddress: u.id === SEED_IDS.alice ? ATTACKER_FORWARDING : null,
    ForwardingAddress: null,
    DeliverToMailboxAndForward: u.id === SEED_IDS.alice,
    AuditEnabled: true,
    AuditLogAgeLimit: '90.00:00:00',
    AuditAdmin: [...DEFAULT_AUDIT.AuditAdmin],
    AuditDelegate: [...DEFAULT_AUDIT.AuditDelegate],
    AuditOwner: [...DEFAULT_AUDIT.AuditOwner],
    DefaultAuditSet: ['Admin', 'Delegate', 'Owner'],
    AuditBypassEnabled: false,
  }));
  const junk = (userId: string): SandboxHiddenRule => ({
    userId,
    RuleIdentity: ruleIdentityOf(`junk:${userId}`),
    Name: 'Junk E-mail Rule',
    Enabled: true,
    Priority: 0,
    Description: '',
    SubjectOrBodyContainsWords: null,
    FromAddressContainsWords: null,
    ForwardTo: null,
    RedirectTo: null,
    MoveToFolder: null,
    DeleteMessage: false,
    SoftDeleteMessage: false,
    MarkAsRead: false,
    StopProcessingRules: false,
    system: true,
  });
  const hiddenRules: SandboxHiddenRule[] = [
    ...state.users.map((u) => junk(u.id)),
    {
      userId: SEED_IDS.alice,
      RuleIdentity: HIDDEN_RULE_IDENTITY,
      Name: '',
      Enabled: true,
      Priority: 4,
      Description: '',
      SubjectOrBodyContainsWords: ['invoice', 'payment', 'remittance'],
      FromAddressContainsWords: null,
      ForwardTo: ['"Alice Aoki" [SMTP:alice.aoki.backup@proton-mail.example]'],
      RedirectTo: null,
      MoveToFolder: null,
      DeleteMessage: true,
      SoftDeleteMessage: false,
      MarkAsRead: true,
      StopProcessingRules: true,
    },
  ];
  return { mailboxes, hiddenRules };
}

/** The Exchange side of the tenant, seeded on first use and again after every reset. */
export function exchangeState(em: GraphEmulator): ExchangeData {
  const s = em.state as WithExchange;
  s.exchange ??= seedExchange(s);
  return s.exchange;
}

/** A stable RuleIdentity (a 64-bit number, as Exchange shows it) for a Graph rule id. */
export function ruleIdentityOf(graphRuleId: string): string {
  return BigInt(`0x${createHash('sha1').update(graphRuleId).digest('hex').slice(0, 16)}`).toString(10);
}
