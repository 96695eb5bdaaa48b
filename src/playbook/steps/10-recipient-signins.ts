import { odataDateTime, odataString } from '../../graph/odata';
import { betaSignInsPath } from '../../investigate/formats/graph';
import type { LogRecord } from '../../investigate/record';
import { formatUtc } from '../../views/time';
import type { InvestigationStep } from '../types';
import type { MailCopy } from './09-other-recipients';

/**
 * Step 10: each other recipient's sign-ins from an hour before receipt to a day after, flagged when they share the
 * attacker's IP, network (ASN) or user agent, or look like an AiTM replay. Run by `scope <user>` after step 9.
 */
export const recipientSignInsStep: InvestigationStep = { number: 10, name: "Other recipients' sign-ins", command: 'scope' };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Recipients per sign-in query. Sign-in reads are 5 per 10 s per app and tenant
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits), so step 10 asks
 * for many recipients at once: userId and userPrincipalName support `eq` (https://learn.microsoft.com/graph/api/resources/signin),
 * joined by `or`; `in` is not documented for sign-ins. Fifteen keeps the URL near 1,300 characters.
 */
export const RECIPIENTS_PER_QUERY = 15;

/** What the attacker looked like in the user's own sign-ins: risky or from an unknown device. */
export interface AttackerTraits {
  ips: Set<string>;
  userAgents: Set<string>;
  /** Networks of those sign-ins that the user does not also reach from a known device (her ISP, the office). */
  asns: Set<number>;
  /** The first such sign-in: the phishing mail came before it. */
  firstSeen?: string;
}

export function attackerTraits(own: LogRecord[]): AttackerTraits {
  const bad = own
    .filter((r) => !r.deviceId || (r.details.riskLevelDuringSignIn && r.details.riskLevelDuringSignIn !== 'none'))
    .sort((a, b) => a.time.localeCompare(b.time));
  const homeAsns = new Set(own.filter((r) => r.deviceId && r.asn !== undefined).map((r) => r.asn!));
  return {
    ips: new Set(bad.map((r) => r.ip).filter((ip): ip is string => !!ip)),
    userAgents: new Set(bad.map((r) => r.userAgent).filter((ua): ua is string => !!ua)),
    asns: new Set(bad.map((r) => r.asn).filter((a): a is number => a !== undefined && !homeAsns.has(a))),
    firstSeen: bad[0]?.time,
  };
}

/**
 * The sign-in queries for the recipients: groups in order of receipt (so each group's window stays tight), one query
 * per group from an hour before its first receipt to a day after its last.
 */
export function signInQueries(others: MailCopy[]): { recipients: MailCopy[]; path: string }[] {
  const who = (r: MailCopy) =>
    r.recipientId ? `userId eq ${odataString(r.recipientId)}` : `userPrincipalName eq ${odataString(r.recipient.toLowerCase())}`;
  const out: { recipients: MailCopy[]; path: string }[] = [];
  for (let i = 0; i < others.length; i += RECIPIENTS_PER_QUERY) {
    const group = others.slice(i, i + RECIPIENTS_PER_QUERY);
    const times = group.map((r) => Date.parse(r.time));
    const window = `createdDateTime ge ${odataDateTime(Math.min(...times) - HOUR)} and createdDateTime le ${odataDateTime(Math.max(...times) + DAY)}`;
    out.push({ recipients: group, path: betaSignInsPath(`(${group.map(who).join(' or ')}) and ${window}`, 1000) });
  }
  return out;
}

/** One recipient's sign-ins in their window, out of their group's answer (raw sign-ins and their records). */
export function recipientSignIns(r: MailCopy, group: { raw: Record<string, unknown>; rec: LogRecord }[]): LogRecord[] {
  const t = Date.parse(r.time);
  const mine = group.filter(({ raw }) =>
    r.recipientId
      ? String(raw.userId ?? '').toLowerCase() === r.recipientId.toLowerCase()
      : String(raw.userPrincipalName ?? '').toLowerCase() === r.recipient.toLowerCase(),
  );
  return mine.map((x) => x.rec).filter((x) => Date.parse(x.time) >= t - HOUR && Date.parse(x.time) <= t + DAY);
}

/** Why a recipient looks compromised, from their sign-ins around receipt; empty when nothing does. */
export function judgeRecipient(signIns: LogRecord[], attacker: AttackerTraits): string[] {
  const reasons = new Set<string>();
  for (const s of signIns) {
    const at = formatUtc(s.time);
    if (s.ip && attacker.ips.has(s.ip)) reasons.add(`signed in from the attacker's IP ${s.ip} at ${at}`);
    else if (s.asn !== undefined && attacker.asns.has(s.asn))
      reasons.add(`signed in from the attacker's network AS${s.asn} (${s.ip ?? 'unknown IP'}) at ${at}`);
    if (s.userAgent && attacker.userAgents.has(s.userAgent)) reasons.add(`signed in with the attacker's user agent`);
    if (/officehome/i.test(s.app ?? '') && !s.deviceId && s.ip && !signIns.some((o) => o.deviceId && o.ip === s.ip))
      reasons.add(`OfficeHome sign-in without a device id from ${s.ip} (AiTM pattern)`);
  }
  return [...reasons];
}
