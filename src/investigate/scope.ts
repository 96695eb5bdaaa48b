import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { isGuid } from '../ids';
import { subError } from '../graph/batch';
import { batchList } from '../graph/batch-list';
import { odataDateTime, odataString, query } from '../graph/odata';
import type { ScopeView } from '../views/types';
import { betaSignInsPath, fromSignIn } from './formats/graph';
import type { LogRecord } from './record';
import { readGraphRecords } from './graph-records';
import { recordOnIncident } from '../incidents/threads';
import type { Progress } from './live';
import type { Investigated } from './publish';
import { scopeMarkdown } from './result-markdown';
import { MESSAGE_TRACE_FIX, isMissingMessageTracePrincipal } from '../doctor/fixes';
import { kql } from './kql';
import { huntingRows } from '../graph/hunting';
import { formatUtc } from '../views/time';

/** One delivered copy of a mail, from advanced hunting (EmailEvents) or message trace, in one shape. */
interface MailCopy {
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

interface UrlRow {
  NetworkMessageId: string;
  Url: string;
}

interface EmailRow {
  Timestamp: string;
  NetworkMessageId: string;
  InternetMessageId?: string;
  SenderFromAddress: string;
  RecipientEmailAddress: string;
  RecipientObjectId?: string;
  Subject: string;
  UrlCount?: number;
  EmailDirection?: string;
}

interface TraceRow {
  messageId: string;
  senderAddress: string;
  recipientAddress: string;
  subject: string;
  receivedDateTime: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/**
 * Recipients per sign-in query. Sign-in reads are 5 per 10 s per app and tenant
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits), so step 10 asks
 * for many recipients at once: userId and userPrincipalName support `eq` (https://learn.microsoft.com/graph/api/resources/signin),
 * joined by `or`; `in` is not documented for sign-ins. Fifteen keeps the URL near 1,300 characters.
 */
const RECIPIENTS_PER_QUERY = 15;

/** Where the mail is looked up: advanced hunting when licensed, else message trace. */
interface MailSource {
  name: 'advanced hunting' | 'message trace';
  /** Inbound copies for the user in [from, to], or the copies of one named message. */
  inbound(userId: string, upn: string, from: number, to: number, messageId?: string): Promise<MailCopy[]>;
  /** The campaign in [from, to]: copies with the same sender and subject, and where the source can tell, the same links. */
  campaign(mail: MailCopy, from: number, to: number): Promise<{ copies: MailCopy[]; urls: string[] }>;
}

function huntingSource(ctx: ContainContext): MailSource {
  const rows = <T>(q: string) => huntingRows<T>(ctx.graph, q, { what: 'advanced hunting (EmailEvents)' });
  const hunt = async (q: string) =>
    (await rows<EmailRow>(q)).map((m): MailCopy => ({ time: m.Timestamp, sender: m.SenderFromAddress, recipient: m.RecipientEmailAddress, recipientId: m.RecipientObjectId, subject: m.Subject, messageId: m.InternetMessageId, networkMessageId: m.NetworkMessageId, urlCount: m.UrlCount ?? 0 }));
  const between = (from: number, to: number) => `Timestamp between (datetime(${odataDateTime(from)}) .. datetime(${odataDateTime(to)}))`;
  return {
    name: 'advanced hunting',
    inbound: (userId, _upn, from, to, messageId) =>
      messageId
        ? hunt(`EmailEvents | where ${isGuid(messageId) ? 'NetworkMessageId' : 'InternetMessageId'} == ${kql(messageId)} and ${between(from, to)}`)
        : hunt(`EmailEvents | where RecipientObjectId == ${kql(userId)} and EmailDirection == "Inbound" and ${between(from, to)}`),
    campaign: async (mail, from, to) => {
      const same = (await hunt(`EmailEvents | where SenderFromAddress == ${kql(mail.sender)} and Subject == ${kql(mail.subject)} and ${between(from, to)}`)).map((c) => ({ ...c, via: 'same sender and subject' as const }));
      // Campaigns rotate senders and subjects but keep the link: find the other mails that carried it.
      const urls = mail.networkMessageId ? [...new Set((await rows<UrlRow>(`EmailUrlInfo | where NetworkMessageId == ${kql(mail.networkMessageId)}`)).map((u) => u.Url))].slice(0, 10) : [];
      if (!urls.length) return { copies: same, urls };
      const known = new Set(same.map((c) => c.networkMessageId));
      const ids = [...new Set((await rows<UrlRow>(`EmailUrlInfo | where Url in (${urls.map(kql).join(', ')}) and ${between(from, to)}`)).map((u) => u.NetworkMessageId))].filter((id) => !known.has(id)).slice(0, 500);
      const more = ids.length ? (await hunt(`EmailEvents | where NetworkMessageId in (${ids.map(kql).join(', ')}) and EmailDirection == "Inbound" and ${between(from, to)}`)).map((c) => ({ ...c, via: 'same link' as const })) : [];
      return { copies: [...same, ...more], urls };
    },
  };
}

function traceSource(ctx: ContainContext): MailSource {
  const trace = async (filter: string) => {
    const out: MailCopy[] = [];
    for await (const m of ctx.graph.list<TraceRow>(`/admin/exchange/tracing/messageTraces${query({ $filter: filter })}`, { max: 5000, what: 'message trace' }))
      out.push({ time: m.receivedDateTime, sender: m.senderAddress, recipient: m.recipientAddress, subject: m.subject, messageId: m.messageId });
    return out;
  };
  // Message trace answers for at most 10 days per query (as Get-MessageTraceV2 does): keep the newest 10.
  const between = (from: number, to: number) => `receivedDateTime ge ${odataDateTime(Math.max(from, to - 10 * DAY))} and receivedDateTime le ${odataDateTime(to)}`;
  return {
    name: 'message trace',
    inbound: (_userId, upn, from, to, messageId) => trace(`${messageId ? `messageId eq ${odataString(messageId)}` : `recipientAddress eq ${odataString(upn)}`} and ${between(from, to)}`),
    campaign: async (mail, from, to) => ({
      copies: (await trace(`senderAddress eq ${odataString(mail.sender)} and ${between(from, to)}`)).filter((m) => m.subject === mail.subject).map((c) => ({ ...c, via: 'same sender and subject' as const })),
      urls: [],
    }),
  };
}

const unlicensed = (err: unknown) => err instanceof ContainError && (err.code === 'GRAPH_FORBIDDEN' || err.code === 'GRAPH_UNLICENSED');

/**
 * Steps 9-10: the phishing mail (named with --message, or else the last inbound mail with links before the first
 * suspicious sign-in), its other recipients (same sender and subject within a day), and each recipient's sign-ins
 * from an hour before receipt to a day after, flagged when they share the attacker's IP, network (ASN) or user agent
 * or look like an AiTM replay. Advanced hunting when licensed; message trace otherwise.
 */
export async function scopeUser(ctx: ContainContext, q: UserQuery, options: { sinceDays?: number; messageId?: string; signal?: AbortSignal; progress?: Progress } = {}): Promise<Investigated<ScopeView>> {
  const found = await findUser(ctx, q);
  if (found.kind === 'many') throw new ContainError('USER_AMBIGUOUS', `Several users match "${q.value}"; use the UPN.`);
  const user = found.user;
  const notes: string[] = [];
  const progress = options.progress ?? (async () => undefined);
  const now = ctx.now().getTime();
  const since = odataDateTime(now - (options.sinceDays ?? 7) * DAY);

  // What the attacker looked like in this user's sign-ins.
  const { records: own, unreadable } = await readGraphRecords(ctx, betaSignInsPath(`userId eq ${odataString(user.id)} and createdDateTime ge ${since}`, 1000), { version: 'beta', what: 'sign-in logs', map: fromSignIn });
  if (unreadable) notes.push(`Sign-in logs: ${unreadable.userMessage}`);
  const bad = own.filter((r) => !r.deviceId || (r.details.riskLevelDuringSignIn && r.details.riskLevelDuringSignIn !== 'none')).sort((a, b) => a.time.localeCompare(b.time));
  const attackerIps = new Set(bad.map((r) => r.ip).filter((ip): ip is string => !!ip));
  const attackerUas = new Set(bad.map((r) => r.userAgent).filter((ua): ua is string => !!ua));
  // A network the user also reaches from a known device (her ISP, the office) says nothing about the attacker.
  const homeAsns = new Set(own.filter((r) => r.deviceId && r.asn !== undefined).map((r) => r.asn!));
  const attackerAsns = new Set(bad.map((r) => r.asn).filter((a): a is number => a !== undefined && !homeAsns.has(a)));
  const firstBad = bad[0] ? Date.parse(bad[0].time) : now;

  await progress(options.messageId ? 'Looking up the named message and its other recipients…' : 'Looking for the phishing mail and its other recipients…');
  let source: MailSource = huntingSource(ctx);
  const find = async (s: MailSource) => {
    const from = options.messageId ? now - 30 * DAY : Date.parse(since);
    const inbound = await s.inbound(user.id, user.userPrincipalName, from, options.messageId ? now : firstBad, options.messageId);
    const domain = user.userPrincipalName.split('@')[1]?.toLowerCase();
    const candidates = options.messageId
      ? inbound
      : s.name === 'advanced hunting'
        ? inbound.filter((m) => (m.urlCount ?? 0) > 0)
        : inbound.filter((m) => m.sender.split('@')[1]?.toLowerCase() !== domain); // no link counts: external senders
    const mail = [...candidates].sort((a, b) => b.time.localeCompare(a.time))[0];
    if (!mail) return { mail, copies: [] as MailCopy[], urls: [] as string[] };
    const t = Date.parse(mail.time);
    return { mail, ...(await s.campaign(mail, t - DAY, t + DAY)) };
  };
  let mail: MailCopy | undefined;
  let copies: MailCopy[] = [];
  let urls: string[] = [];
  try {
    try {
      ({ mail, copies, urls } = await find(source));
    } catch (err) {
      if (!unlicensed(err)) throw err;
      notes.push(`Advanced hunting is not available (needs Microsoft Defender for Office 365 Plan 2 and ThreatHunting.Read.All): ${(err as ContainError).userMessage} Used message trace instead.`);
      source = traceSource(ctx);
      ({ mail, copies, urls } = await find(source));
    }
    if (!mail) notes.push(options.messageId ? `No message with id ${options.messageId} in the last ${source.name === 'message trace' ? 10 : 30} days.` : 'No inbound mail with links reached the user before the first suspicious sign-in; name the message with --message <Internet message id>.');
    else if (!options.messageId && source.name === 'message trace') notes.push('Message trace does not count links: the mail was picked as the last external mail before the first suspicious sign-in. If that is wrong, name it with --message.');
  } catch (err) {
    if (!unlicensed(err)) throw err;
    // A 401 from message trace is a tenant setup step (Microsoft's service principal is missing), not a permission.
    const details = (err as ContainError).details as { status?: number; graphMessage?: string };
    notes.push(
      isMissingMessageTracePrincipal(details.status, details.graphMessage)
        ? `Message trace is not set up in this tenant: provision the message-trace service principal. ${MESSAGE_TRACE_FIX} Until then the other recipients cannot be listed.`
        : `Message trace is not available either (needs ExchangeMessageTrace.Read.All): ${(err as ContainError).userMessage}`,
    );
  }

  // Step 10: each other recipient's sign-ins from an hour before receipt to a day after. Recipients go in groups
  // (ordered by receipt, so each group's window stays tight), one paced query per group, joined back here.
  // One row per person: the first copy they received (a campaign often reaches someone twice).
  const firstCopy = new Map<string, MailCopy>();
  for (const c of [...copies].sort((a, b) => a.time.localeCompare(b.time))) if (!firstCopy.has(c.recipient.toLowerCase())) firstCopy.set(c.recipient.toLowerCase(), c);
  const others = [...firstCopy.values()].filter((r) => r.recipient.toLowerCase() !== user.userPrincipalName.toLowerCase() && r.recipientId?.toLowerCase() !== user.id.toLowerCase());
  const groups: MailCopy[][] = [];
  for (let i = 0; i < others.length; i += RECIPIENTS_PER_QUERY) groups.push(others.slice(i, i + RECIPIENTS_PER_QUERY));
  if (others.length) await progress(`Checking the sign-ins of ${others.length} other recipient${others.length === 1 ? '' : 's'}${groups.length > 1 ? ` in ${groups.length} queries (sign-in reads are limited to 5 every 10 s)` : ''}…`);
  const who = (r: MailCopy) => (r.recipientId ? `userId eq ${odataString(r.recipientId)}` : `userPrincipalName eq ${odataString(r.recipient.toLowerCase())}`);
  const read = await batchList<Record<string, unknown>>(
    ctx.graph,
    groups.map((g, i) => {
      const times = g.map((r) => Date.parse(r.time));
      const window = `createdDateTime ge ${odataDateTime(Math.min(...times) - HOUR)} and createdDateTime le ${odataDateTime(Math.max(...times) + DAY)}`;
      return { id: `g${i}`, url: betaSignInsPath(`(${g.map(who).join(' or ')}) and ${window}`, 1000) };
    }),
    { version: 'beta', signal: options.signal },
  );
  const signInsOf = new Map<MailCopy, { signIns: LogRecord[] } | { failed: string }>();
  groups.forEach((g, i) => {
    const got = read.get(`g${i}`)!;
    const all = got.items.map((x) => ({ raw: x, rec: fromSignIn(x) })).filter((x): x is { raw: Record<string, unknown>; rec: LogRecord } => !!x.rec);
    for (const r of g) {
      if (got.failed) {
        signInsOf.set(r, { failed: got.failed.status ? (subError(got.failed).message ?? `HTTP ${got.failed.status}`) : 'no answer' });
        continue;
      }
      const t = Date.parse(r.time);
      const mine = all.filter(({ raw }) => (r.recipientId ? String(raw.userId ?? '').toLowerCase() === r.recipientId.toLowerCase() : String(raw.userPrincipalName ?? '').toLowerCase() === r.recipient.toLowerCase()));
      signInsOf.set(r, { signIns: mine.map((x) => x.rec).filter((x) => Date.parse(x.time) >= t - HOUR && Date.parse(x.time) <= t + DAY) });
    }
  });
  const tie = (r: MailCopy) => ({ via: r.via ?? ('same sender and subject' as const), ...(mail && r.subject !== mail.subject ? { subject: r.subject } : {}) });
  const rows = others.map((r) => {
    const got = signInsOf.get(r)!;
    if ('failed' in got) return { upn: r.recipient, received: r.time, ...tie(r), flagged: false, reasons: [`sign-ins could not be read: ${got.failed}`] };
    const signIns = got.signIns;
    const reasons = new Set<string>();
    for (const s of signIns) {
      const at = `${formatUtc(s.time)}`;
      if (s.ip && attackerIps.has(s.ip)) reasons.add(`signed in from the attacker's IP ${s.ip} at ${at}`);
      else if (s.asn !== undefined && attackerAsns.has(s.asn)) reasons.add(`signed in from the attacker's network AS${s.asn} (${s.ip ?? 'unknown IP'}) at ${at}`);
      if (s.userAgent && attackerUas.has(s.userAgent)) reasons.add(`signed in with the attacker's user agent`);
      if (/officehome/i.test(s.app ?? '') && !s.deviceId && s.ip && !signIns.some((o) => o.deviceId && o.ip === s.ip)) reasons.add(`OfficeHome sign-in without a device id from ${s.ip} (AiTM pattern)`);
    }
    return { upn: r.recipient, received: r.time, ...tie(r), flagged: reasons.size > 0, reasons: [...reasons] };
  });
  if (others.length) await progress(`Checked the sign-ins of ${others.length} other recipient${others.length === 1 ? '' : 's'}: ${rows.filter((r) => r.flagged).length} look compromised.`);
  const mailView = mail ? { sender: mail.sender, subject: mail.subject, time: mail.time, recipients: firstCopy.size, messageId: mail.messageId, source: source.name, urls } : undefined;
  await recordOnIncident(ctx, user.id, (facts) => ({ ...facts, scope: { mail: mailView && { sender: mailView.sender, subject: mailView.subject, time: mailView.time, recipients: mailView.recipients }, recipients: rows.map(({ upn, flagged, reasons }) => ({ upn, flagged, reasons })) } }));
  const view: ScopeView = {
    kind: 'scope',
    target: user,
    mail: mailView,
    recipients: rows.sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.upn.localeCompare(b.upn)),
    attackerIps: [...attackerIps].sort(),
    notes,
  };
  return { view, full: { user: user.userPrincipalName, mail: mailView ?? null, recipients: view.recipients, attackerIps: view.attackerIps, attackerAsns: [...attackerAsns].sort((a, b) => a - b), attackerUserAgents: [...attackerUas], notes }, markdown: scopeMarkdown(view, new Date(now).toISOString()) };
}
