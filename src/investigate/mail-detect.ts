import type { LogRecord } from './record';
import {
  domainOf,
  hostOf,
  isBrandDomain,
  isDeviceLoginLink,
  isReply,
  lookAlike,
  lureLanguage,
  paymentLanguage,
  registrable,
  threadOf,
} from './mail-signals';

/** What the analyzer knows of a compromise when mail is judged. */
export interface CompromiseView {
  /** The attacker's window on a mailbox: from initial access to a while after the last attacker activity (ms). */
  windowOf(user: string): { start: number; end: number; how: string } | undefined;
  /** An address the analyzer holds to be the attacker's (a link to it is a link to attacker infrastructure). */
  isAttackerIp(ip: string): boolean;
  tenantDomains: ReadonlySet<string>;
}

export interface MailJudgement {
  verdict: 'malicious' | 'suspicious' | 'info';
  category: 'phishing-mail' | 'phishing-lure' | 'bec-mail' | 'lateral-phishing';
  reason: string;
}

/** An external inbound mail, kept compactly between the passes: the phishing mail is among them. */
interface Inbound {
  id: string;
  t: number;
  user: string;
  sender: string;
  subject: string;
  urlCount: number;
  threats?: string;
  authFailed?: boolean;
}

const HOUR = 3_600_000;
/** How long before initial access a mail still counts as its lure (AiTM clicks and device codes are used within hours). */
const LURE_WINDOW = 72 * HOUR;
const MAX_KEPT = 300_000;
const minutes = (ms: number) => (ms < HOUR ? `${Math.max(1, Math.round(ms / 60_000))} min` : `${Math.round(ms / HOUR)} h`);

/**
 * Mail detections over advanced-hunting EmailEvents and EmailUrlInfo rows. Pass 1 keeps external inbound mail,
 * links, threads and correspondents compactly; between the passes, given who was compromised when, it picks the
 * phishing mail(s) that preceded each compromise and their campaign; pass 2 judges each row, outbound mail against
 * the attacker's window on the sender's mailbox.
 */
export class MailDetector {
  private inbound: Inbound[] = [];
  private urls = new Map<string, string[]>();
  private subjects = new Map<string, string>();
  /** user|domain -> first outbound mail to that domain (a new correspondent is a BEC sign). */
  private correspondents = new Map<string, number>();
  /** sender|thread -> internal recipients, for internal phishing sent from a compromised mailbox. */
  private internal = new Map<string, Set<string>>();
  private decisions = new Map<string, MailJudgement>();
  private threads = new Map<string, number>();
  private partners = new Set<string>();
  private view?: CompromiseView;
  /** Mail rows dropped past MAX_KEPT (a note says so). */
  dropped = 0;

  learn(r: LogRecord): void {
    const m = r.mail;
    if (!m) return;
    if (r.source === 'emailUrl') {
      const list = this.urls.get(r.id) ?? this.urls.set(r.id, []).get(r.id)!;
      if (list.length < 20 && m.url) list.push(m.url);
      return;
    }
    const t = Date.parse(r.time);
    if (m.internetMessageId && m.subject && this.subjects.size < MAX_KEPT) this.subjects.set(m.internetMessageId, m.subject);
    if (m.direction === 'inbound') {
      if (!m.delivered) return;
      if (this.inbound.length >= MAX_KEPT) {
        this.dropped++;
        return;
      }
      this.inbound.push({
        id: r.id,
        t,
        user: m.recipient,
        sender: m.sender,
        subject: m.subject,
        urlCount: m.urlCount,
        threats: m.threats,
        authFailed: m.authFailed || undefined,
      });
    } else if (m.direction === 'outbound') {
      const key = `${m.sender}|${domainOf(m.recipient)}`;
      const first = this.correspondents.get(key);
      if (first === undefined || t < first) this.correspondents.set(key, t);
    } else {
      const key = `${m.sender}|${threadOf(m.subject)}`;
      const set = this.internal.get(key) ?? this.internal.set(key, new Set()).get(key)!;
      if (set.size < 50) set.add(m.recipient);
    }
  }

  /** The subject of a message, by Internet message id, when a mail row named it. */
  subjectOf(internetMessageId: string): string | undefined {
    return this.subjects.get(internetMessageId);
  }

  private linksOf(id: string): string[] {
    return this.urls.get(id) ?? [];
  }

  /** Between the passes: the phishing mail before each compromise, its campaign, and lures that led nowhere. */
  settle(view: CompromiseView): void {
    this.view = view;
    const tenant = view.tenantDomains;
    // Partners are the domains the tenant wrote to before any compromise: the attacker's look-alikes come later.
    let earliest = Infinity;
    for (const i of this.inbound) {
      const w = view.windowOf(i.user);
      if (w) earliest = Math.min(earliest, w.start);
    }
    for (const [key, first] of this.correspondents) if (first < earliest) this.partners.add(key.slice(key.indexOf('|') + 1));
    const protectedDomains = [...tenant, ...this.partners];
    const firstFrom = new Map<string, number>();
    for (const i of this.inbound) {
      const d = domainOf(i.sender);
      if (!tenant.has(d) && (firstFrom.get(d) ?? Infinity) > i.t) firstFrom.set(d, i.t);
      const th = `${i.user}|${threadOf(i.subject)}`;
      if ((this.threads.get(th) ?? Infinity) > i.t) this.threads.set(th, i.t);
    }

    const signals = (i: Inbound) => {
      const domain = domainOf(i.sender);
      const links = this.linksOf(i.id);
      const hosts = [...new Set(links.map(hostOf).filter((h): h is string => !!h))];
      const out: { points: number; why: string }[] = [];
      if (i.urlCount > 0 || links.length)
        out.push({ points: 2, why: `${Math.max(i.urlCount, links.length)} link${Math.max(i.urlCount, links.length) === 1 ? '' : 's'}` });
      if (links.some(isDeviceLoginLink)) out.push({ points: 3, why: 'a link to the device code sign-in page (microsoft.com/devicelogin)' });
      const look = lookAlike(domain, protectedDomains);
      if (look) out.push({ points: 3, why: `look-alike sender: ${look}` });
      const lookLink = hosts
        .map((h) => (isBrandDomain(h) || tenant.has(registrable(h)) ? undefined : lookAlike(h, protectedDomains)))
        .find(Boolean);
      if (lookLink) out.push({ points: 2, why: `look-alike link: ${lookLink}` });
      const attackerHost = hosts.find((h) => view.isAttackerIp(h));
      if (attackerHost) out.push({ points: 3, why: `a link to the attacker's address ${attackerHost}` });
      if (i.threats && /phish|malware|spam/i.test(i.threats)) out.push({ points: 2, why: `Defender verdict: ${i.threats}` });
      if (i.authFailed) out.push({ points: 1, why: 'SPF/DKIM/DMARC failed' });
      if (firstFrom.get(domain) === i.t) out.push({ points: 1, why: `first mail from ${domain}` });
      if (lureLanguage(i.subject)) out.push({ points: 1, why: 'lure wording in the subject' });
      return { out, hosts: hosts.filter((h) => !isBrandDomain(h) && !tenant.has(registrable(h))), links };
    };

    const campaignSenders = new Map<string, string>();
    const campaignHosts = new Map<string, string>();
    for (const i of this.inbound) {
      if (tenant.has(domainOf(i.sender))) continue;
      const w = view.windowOf(i.user);
      const { out, hosts, links } = signals(i);
      const points = out.reduce((n, s) => n + s.points, 0);
      const actionable = out.some((s) => /link|lure/.test(s.why));
      if (w && i.t <= w.start + 15 * 60_000 && i.t >= w.start - LURE_WINDOW && actionable) {
        const before = w.start - i.t;
        const near = before <= 2 * HOUR ? 1 : 0;
        if (points + near >= 5) {
          this.decisions.set(`${i.id}|${i.user}`, {
            verdict: 'malicious',
            category: 'phishing-mail',
            reason: `"${i.subject}" from ${i.sender}, delivered ${before >= 0 ? `${minutes(before)} before` : 'just after'} ${w.how}: ${out.map((s) => s.why).join('; ')}`,
          });
          campaignSenders.set(`${i.sender}|${threadOf(i.subject)}`, i.user);
          for (const h of hosts) campaignHosts.set(h, i.user);
          continue;
        }
      }
      // A lure nobody fell for (as far as these logs show) is worth knowing, not a finding.
      const strong =
        links.some(isDeviceLoginLink) ||
        (out.some((s) => /look-alike|attacker's address/.test(s.why)) && actionable) ||
        (i.threats && /phish|malware/i.test(i.threats));
      if (strong && points >= 4)
        this.decisions.set(`${i.id}|${i.user}`, {
          verdict: 'info',
          category: 'phishing-lure',
          reason: `"${i.subject}" from ${i.sender}: ${out.map((s) => s.why).join('; ')}; no compromise of ${i.user} followed in these logs`,
        });
    }
    if (!campaignSenders.size && !campaignHosts.size) return;
    for (const i of this.inbound) {
      const key = `${i.id}|${i.user}`;
      if (this.decisions.get(key)?.category === 'phishing-mail') continue;
      const bySender = campaignSenders.get(`${i.sender}|${threadOf(i.subject)}`);
      const host = bySender
        ? undefined
        : this.linksOf(i.id)
            .map(hostOf)
            .find((h) => !!h && campaignHosts.has(h));
      const victim = bySender ?? (host ? campaignHosts.get(host) : undefined);
      if (!victim) continue;
      this.decisions.set(key, {
        verdict: 'suspicious',
        category: 'phishing-mail',
        reason: `"${i.subject}" from ${i.sender}: the same campaign as the phishing mail that preceded the compromise of ${victim} (${bySender ? 'same sender and subject' : `same link host ${host}`})`,
      });
    }
  }

  /** Pass 2: one mail row. */
  judge(r: LogRecord): MailJudgement | undefined {
    const m = r.mail;
    if (!m || r.source !== 'emailEvent' || !this.view) return undefined;
    if (m.direction === 'inbound') return this.decisions.get(`${r.id}|${m.recipient}`);
    const w = this.view.windowOf(m.sender);
    const t = Date.parse(r.time);
    if (!w || t < w.start - 5 * 60_000 || t > w.end) return undefined;
    const tenant = this.view.tenantDomains;
    const to = domainOf(m.recipient);
    const during = `sent by ${m.sender} during the attacker's window on the mailbox (from ${w.how})`;
    if (m.direction === 'intra') {
      const recipients = this.internal.get(`${m.sender}|${threadOf(m.subject)}`)?.size ?? 0;
      if (recipients >= 3 && (m.urlCount > 0 || lureLanguage(m.subject)))
        return {
          verdict: 'malicious',
          category: 'lateral-phishing',
          reason: `"${m.subject}" to ${recipients} colleagues with ${m.urlCount ? 'links' : 'lure wording'}, ${during}`,
        };
      return undefined;
    }
    if (tenant.has(to)) return undefined;
    const pay = paymentLanguage(m.subject);
    const reply = isReply(m.subject);
    const thread = this.threads.get(`${m.sender}|${threadOf(m.subject)}`);
    const existing = reply && thread !== undefined && thread < t;
    const look = lookAlike(to, [...tenant, ...this.partners]);
    const firstTo = this.correspondents.get(`${m.sender}|${to}`);
    const newCorrespondent = firstTo === undefined || firstTo >= w.start - 5 * 60_000;
    const bits = [
      ...(pay === 'bank-change'
        ? ['asks to change bank or payment details']
        : pay === 'money'
          ? ['about money (invoice, payment, transfer)']
          : []),
      ...(existing ? ['a reply into an existing thread'] : reply ? ['written as a reply'] : []),
      ...(look ? [`to a look-alike domain: ${look}`] : []),
      ...(newCorrespondent ? [`${to} had not been written to from this mailbox before the intrusion`] : []),
    ];
    const why = `"${m.subject}" to ${m.recipient}: ${bits.join('; ')}; ${during}`;
    if (pay === 'bank-change' || look || (pay === 'money' && (reply || newCorrespondent)))
      return { verdict: 'malicious', category: 'bec-mail', reason: why };
    if (pay === 'money' || (reply && newCorrespondent)) return { verdict: 'suspicious', category: 'bec-mail', reason: why };
    return undefined;
  }
}
