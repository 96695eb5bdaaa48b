import type { LogRecord } from './record';
import type { Verdict } from './analyze';

/**
 * What the analyzer knows of operations and keeps per user (src/investigate/analyzer.ts): which operations hide mail,
 * forward it, grant consent, register security info or devices, create flows, or come in suspicious volumes.
 */
export const HIDING_FOLDERS =
  /^\s*(deleted items|deleteditems|junk( email| e-mail)?|junkemail|archive|rss (feeds|subscriptions)|rssfeeds|conversation history|conversationhistory|notes)\s*$/i;
/** Words BEC rules watch for so that the victim never sees the replies. */
export const RULE_WATCH =
  /(invoice|payment|wire|transfer|bank|remit|ach\b|iban|swift|hack|phish|compromis|security|password|verify|suspicious|fraud|scam|helpdesk|it support)/i;
/** Volume anomalies (reference/graph.md): 50+ deletes a day, 10+ SendAs. */
export const VOLUME_LIMITS = { delete: 50, sendas: 10 } as const;
export function volumeKind(op: string): keyof typeof VOLUME_LIMITS | undefined {
  if (/^(HardDelete|SoftDelete|MoveToDeletedItems)$/i.test(op)) return 'delete';
  if (/^SendAs$/i.test(op)) return 'sendas';
  return undefined;
}

export const RULE_OPS = /^(New-InboxRule|Set-InboxRule|UpdateInboxRules|New-TransportRule)$/i;
export const FORWARDING_OPS = /^Set-Mailbox$/i;
export const CONSENT_OPS =
  /^(Consent to application\.?|Add service principal\.?|Add delegated permission grant\.?|Add app role assignment grant to user\.?|Add OAuth2PermissionGrant\.?)$/i;
export const MFA_OPS = /^(User registered security info|User registered all required security info|Update user\.?)$/i;
/** A device joined or registered to the user: AiTM and device-code kits register one to get a Primary Refresh Token. */
export const DEVICE_OPS = /^(Register device|Add device\.?|Add registered owner to device\.?|Add registered users to device\.?)$/i;
export const FLOW_OPS = /^CreateFlow$/i;
/** Operations judged for themselves, whoever does them: persistence when the attacker does, administration otherwise. */
const NOTABLE_OPS = [RULE_OPS, FORWARDING_OPS, CONSENT_OPS, MFA_OPS, DEVICE_OPS, FLOW_OPS];

/** What the first pass needs to know of an operation, worked out once per distinct name (a tenant has few). */
export interface OpKind {
  rule: boolean;
  device: boolean;
  notable: boolean;
  volume?: keyof typeof VOLUME_LIMITS;
}
const OP_KINDS = new Map<string, OpKind>();
export function opKind(op: string): OpKind {
  let k = OP_KINDS.get(op);
  if (!k) {
    k = { rule: RULE_OPS.test(op), device: DEVICE_OPS.test(op), notable: NOTABLE_OPS.some((re) => re.test(op)), volume: volumeKind(op) };
    if (OP_KINDS.size < 10_000) OP_KINDS.set(op, k);
  }
  return k;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** After the last attacker activity, the window on a mailbox stays open this long (mail sent, tokens still valid). */
export const WINDOW_TAIL = 12 * HOUR;

export type Rule = { strong: boolean; reason: string };

/** Why an inbox rule hides mail, and whether it is the attacker's kind (forwarding out, punctuation names, BEC words). */
export function ruleOf(r: LogRecord): Rule | undefined {
  const p = r.details;
  const bits: string[] = [];
  let strong = false;
  if (p.DeleteMessage === true || p.DeleteMessage === 'True') bits.push('deletes mail');
  // Moving mail is normal; moving it where the user will not look is how attackers hide replies.
  if (p.MoveToFolder && HIDING_FOLDERS.test(String(p.MoveToFolder))) bits.push(`moves mail to "${p.MoveToFolder}"`);
  if (p.MarkAsRead === true || p.MarkAsRead === 'True') bits.push('marks it as read');
  for (const k of ['ForwardTo', 'RedirectTo', 'ForwardAsAttachmentTo']) {
    if (!p[k]) continue;
    bits.push(`${k === 'RedirectTo' ? 'redirects' : 'forwards'} to ${p[k]}`);
    strong = true;
  }
  const hides = bits.some((b) => /deletes|moves|forwards|redirects/.test(b));
  if (!hides) return undefined;
  const name = String(p.Name ?? '');
  if (name && (/^[\p{P}\p{S}\s]+$/u.test(name) || name.length <= 2)) {
    bits.push(`its name "${name}" is punctuation`);
    strong = true;
  }
  const watch = ['SubjectContainsWords', 'SubjectOrBodyContainsWords', 'BodyContainsWords', 'FromAddressContainsWords']
    .map((k) => String(p[k] ?? ''))
    .join(' ');
  if (RULE_WATCH.test(watch)) {
    bits.push(`it watches for "${watch.trim().slice(0, 80)}"`);
    strong = true;
  }
  return { strong, reason: `${r.operation} by ${r.user}: a rule that ${bits.join(', ')}` };
}

/** Set-Mailbox forwarding all mail elsewhere. */
export function forwardingOf(r: LogRecord): string | undefined {
  const to = r.details.ForwardingSmtpAddress ?? r.details.ForwardingAddress;
  return typeof to === 'string' && to.trim() ? to.replace(/^smtp:/i, '') : undefined;
}

/** One address as one user used it: when, from where, with which devices and clients. */
export interface Addr {
  first: number;
  last: number;
  asn?: number;
  country?: string;
  /** Device ids used from here (a few). */
  devices?: string[];
  clients?: string[];
  trustedNetwork?: boolean;
  /** Something succeeded from here (a failed attempt compromises nobody). */
  ok?: boolean;
  /** Earliest direct evidence: a successful sign-in or action with an attack tool's user agent, an attacker's rule. */
  tool?: number;
  rule?: number;
}

export interface Grant {
  id: string;
  t: number;
  ip: string | null;
  session?: string;
  app?: string;
  success: boolean;
  /** Set between the passes: the tokens went elsewhere (the addresses and why). */
  abused?: string;
}

export interface UserState {
  addrs: Map<string, Addr>;
  /** Device id -> first seen, and whether it is the organisation's (compliant, managed, joined). */
  devices: Map<string, { first: number; trusted: boolean }>;
  grants: Grant[];
  /** Device registrations by or for the user (directory audit). */
  registrations: number[];
  /** The user's sessions: kept per user, where the tables stay small. */
  sessions: Map<string, Session>;
}

export interface Session {
  user: string;
  ips: string | Set<string>;
  first: number;
  last: number;
  /** When the session's first sign-in was, and whether it was a browser sign-in to OfficeHome without a device id. */
  logon?: number;
  logonIp?: string;
  officeHome?: boolean;
}

/** Why an address is the attacker's, for the reasons of the findings it produces. */
export interface AttackerAddr {
  users: Set<string>;
  why: string;
  kind: 'tool' | 'rule' | 'replay' | 'session' | 'device';
}

/** Per compromised user: initial access, the attacker's last activity, and how the intrusion began. */
export interface Compromise {
  start: number;
  last: number;
  how: string;
  deviceCode: boolean;
}

export const capPush = (list: string[] | undefined, v: string, cap: number): string[] => {
  const l = list ?? [];
  if (l.length < cap && !l.includes(v)) l.push(v);
  return l;
};

/** A record's verdict as the second pass reaches it. */
export type Judged = { verdict: Verdict | 'info'; category: string; reason: string; ua?: string };

/** ": 3 messages in \Inbox" / ': "invoice"' / ": /sites/x/Pipeline.xlsx": what a collection record touched. */
export function collected(r: LogRecord): string {
  const d = r.details;
  if (/^MailItemsAccessed$/i.test(r.operation)) {
    const folders = (Array.isArray(d.Folders) ? d.Folders : []) as { Path?: string; FolderItems?: unknown[] }[];
    const items = folders.reduce((n, f) => n + (f.FolderItems?.length ?? 0), 0);
    const access = d.MailAccessType ? ` (${String(d.MailAccessType)})` : '';
    if (items)
      return `: ${items} message${items === 1 ? '' : 's'} read in ${
        folders
          .map((f) => f.Path)
          .filter(Boolean)
          .join(', ') || 'the mailbox'
      }${access}`;
    if (folders.length)
      return `: ${folders
        .map((f) => f.Path)
        .filter(Boolean)
        .join(', ')} synchronised${access}`;
    return access;
  }
  if (/^SearchQueryInitiated/i.test(r.operation)) return typeof d.QueryText === 'string' && d.QueryText ? `: "${d.QueryText}"` : '';
  const name = d.ObjectId ?? d.SourceFileName;
  return name ? `: ${String(name)}` : '';
}
