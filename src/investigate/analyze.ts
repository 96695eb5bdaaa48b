import { utcMs, type LogRecord } from './record';
import type { RowFilter } from './reader';
import { ActivityLog, isCollection, isSend, type AttackerActivity } from './activity';
import { MailDetector } from './mail-detect';
import { isMicrosoftService, networkOf } from './networks';
import { clientOf, harmfulUserAgent } from './user-agents';
import { formatMinute } from '../views/time';

export { HARMFUL_USER_AGENTS } from './user-agents';
export { isMicrosoftService } from './networks';

export type Verdict = 'malicious' | 'suspicious';

export interface Finding {
  id: string;
  source: LogRecord['source'];
  time: string;
  user: string;
  ip: string | null;
  verdict: Verdict;
  category: string;
  reason: string;
}

/** A notable record that shows no compromise (an admin's consent, a colleague's flow): the same shape, verdict info. */
export type ContextEntry = Omit<Finding, 'verdict'> & { verdict: 'info' };

export interface AnalysisResult {
  records: number;
  /** Records that show compromise, each with its reason. */
  findings: Finding[];
  /** Notable but normal records, apart so that the findings stay readable. */
  context: ContextEntry[];
  iocs: { ips: string[]; userAgents: string[]; sessionIds: string[] };
  /** Harmful user agents, successes and failures counted apart. */
  userAgentCounts: { userAgent: string; success: number; failure: number }[];
  /** What the attacker's sessions and addresses read, searched, opened and sent. */
  attackerActivity: AttackerActivity;
  /** Things the reader should know about the analysis itself (limits reached). */
  notes: string[];
  /** Per user, the addresses that are theirs (known device, trusted location, company network): never indicators. */
  ownAddresses: Record<string, string[]>;
}

export interface AnalyzeOptions {
  user?: string;
  from?: string;
  to?: string;
  /** User-agent substrings that are allowed (e.g. a known automation account's client). */
  userAgentExclusions?: string[];
}

const HIDING_FOLDERS = /^\s*(deleted items|deleteditems|junk( email| e-mail)?|junkemail|archive|rss (feeds|subscriptions)|rssfeeds|conversation history|conversationhistory|notes)\s*$/i;
/** Words BEC rules watch for so that the victim never sees the replies. */
const RULE_WATCH = /(invoice|payment|wire|transfer|bank|remit|ach\b|iban|swift|hack|phish|compromis|security|password|verify|suspicious|fraud|scam|helpdesk|it support)/i;
/** Volume anomalies (reference/graph.md): 50+ deletes a day, 10+ SendAs. */
const VOLUME_LIMITS = { delete: 50, sendas: 10 } as const;
function volumeKind(op: string): keyof typeof VOLUME_LIMITS | undefined {
  if (/^(HardDelete|SoftDelete|MoveToDeletedItems)$/i.test(op)) return 'delete';
  if (/^SendAs$/i.test(op)) return 'sendas';
  return undefined;
}

const RULE_OPS = /^(New-InboxRule|Set-InboxRule|UpdateInboxRules|New-TransportRule)$/i;
const FORWARDING_OPS = /^Set-Mailbox$/i;
const CONSENT_OPS = /^(Consent to application\.?|Add service principal\.?|Add delegated permission grant\.?|Add app role assignment grant to user\.?|Add OAuth2PermissionGrant\.?)$/i;
const MFA_OPS = /^(User registered security info|User registered all required security info|Update user\.?)$/i;
/** A device joined or registered to the user: AiTM and device-code kits register one to get a Primary Refresh Token. */
const DEVICE_OPS = /^(Register device|Add device\.?|Add registered owner to device\.?|Add registered users to device\.?)$/i;
const FLOW_OPS = /^CreateFlow$/i;
/** Operations judged for themselves, whoever does them: persistence when the attacker does, administration otherwise. */
const NOTABLE_OPS = [RULE_OPS, FORWARDING_OPS, CONSENT_OPS, MFA_OPS, DEVICE_OPS, FLOW_OPS];

/** What the first pass needs to know of an operation, worked out once per distinct name (a tenant has few). */
interface OpKind {
  rule: boolean;
  device: boolean;
  notable: boolean;
  volume?: keyof typeof VOLUME_LIMITS;
}
const OP_KINDS = new Map<string, OpKind>();
function opKind(op: string): OpKind {
  let k = OP_KINDS.get(op);
  if (!k) {
    k = { rule: RULE_OPS.test(op), device: DEVICE_OPS.test(op), notable: NOTABLE_OPS.some((re) => re.test(op)), volume: volumeKind(op) };
    if (OP_KINDS.size < 10_000) OP_KINDS.set(op, k);
  }
  return k;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** After the last attacker activity, the window on a mailbox stays open this long (mail sent, tokens still valid). */
const WINDOW_TAIL = 12 * HOUR;

type Rule = { strong: boolean; reason: string };

/** Why an inbox rule hides mail, and whether it is the attacker's kind (forwarding out, punctuation names, BEC words). */
function ruleOf(r: LogRecord): Rule | undefined {
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
  const watch = ['SubjectContainsWords', 'SubjectOrBodyContainsWords', 'BodyContainsWords', 'FromAddressContainsWords'].map((k) => String(p[k] ?? '')).join(' ');
  if (RULE_WATCH.test(watch)) {
    bits.push(`it watches for "${watch.trim().slice(0, 80)}"`);
    strong = true;
  }
  return { strong, reason: `${r.operation} by ${r.user}: a rule that ${bits.join(', ')}` };
}

/** Set-Mailbox forwarding all mail elsewhere. */
function forwardingOf(r: LogRecord): string | undefined {
  const to = r.details.ForwardingSmtpAddress ?? r.details.ForwardingAddress;
  return typeof to === 'string' && to.trim() ? to.replace(/^smtp:/i, '') : undefined;
}

/** One address as one user used it: when, from where, with which devices and clients. */
interface Addr {
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

interface Grant {
  id: string;
  t: number;
  ip: string | null;
  session?: string;
  app?: string;
  success: boolean;
  /** Set between the passes: the tokens went elsewhere (the addresses and why). */
  abused?: string;
}

interface UserState {
  addrs: Map<string, Addr>;
  /** Device id -> first seen, and whether it is the organisation's (compliant, managed, joined). */
  devices: Map<string, { first: number; trusted: boolean }>;
  grants: Grant[];
  /** Device registrations by or for the user (directory audit). */
  registrations: number[];
  /** The user's sessions: kept per user, where the tables stay small. */
  sessions: Map<string, Session>;
}

interface Session {
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
interface AttackerAddr {
  users: Set<string>;
  why: string;
  kind: 'tool' | 'rule' | 'replay' | 'session' | 'device';
}

/** Per compromised user: initial access, the attacker's last activity, and how the intrusion began. */
interface Compromise {
  start: number;
  last: number;
  how: string;
  deviceCode: boolean;
}

const capPush = (list: string[] | undefined, v: string, cap: number): string[] => {
  const l = list ?? [];
  if (l.length < cap && !l.includes(v)) l.push(v);
  return l;
};

/**
 * Two passes over the records. The first learns, per user, the addresses, networks, devices and clients in use,
 * the sessions and what crossed between them, device code sign-ins, and the direct evidence of an attacker (attack
 * tools, hiding rules). Between the passes, evidence decides which addresses are the attacker's: an attack tool, a
 * hiding rule, tokens of a device code sign-in used from a network new to the user, a session used from the user's
 * own address and from a new network with another client, a device registered during the intrusion. An address
 * the user used from a known device, a trusted location or the company network is never the attacker's, whatever
 * session it shares. The second pass emits findings (compromise), context (notable but normal) and what the
 * attacker touched.
 */
export class Analyzer {
  /** Records read from sources that were read to the end. */
  recordCount = 0;
  private users = new Map<string, UserState>();
  private tenantDomains = new Set<string>();
  /** Address -> users who used it from a device (three are enough to call it the company's network). */
  private deviceUsers = new Map<string, string | Set<string>>();
  private trustedIps = new Set<string>();
  /** user|day|kind -> count, for volume thresholds (50+ deletes a day, 10+ SendAs). */
  private volumes = new Map<string, number>();
  private volumeReported = new Set<string>();
  /** Session id -> its user, for the few sessions that matter (the attacker's). */
  private sessionUser(sid: string): Session | undefined {
    for (const u of this.users.values()) {
      const s = u.sessions.get(sid);
      if (s) return s;
    }
    return undefined;
  }
  /** Session id -> networks (ASNs) it was used from, when the source says (beta sign-ins do). */
  private sessionAsns = new Map<string, Set<number>>();
  private signIns = new Map<string, { t: number; ip: string; country?: string; id: string }[]>();
  private failuresByIp = new Map<string, Set<string>>();
  /** Users with any record in an attack tool's user agent. */
  private toolUsers = new Set<string>();
  private mail = new MailDetector();

  // Settled between the passes.
  private companyIps = new Set<string>();
  private attackerIps = new Map<string, AttackerAddr>();
  private attackerSessions = new Map<string, string>();
  private compromised = new Map<string, Compromise>();
  private knownDevice = new Map<string, (deviceId: string) => boolean>();
  /** Per user, the addresses used from a known device or a trusted location (settled once, asked often). */
  private ownIps = new Map<string, Set<string>>();
  private microsoft = new Map<string, boolean>();
  private derived = new Map<string, { category: string; reason: string }>();

  private findings = new Map<string, Finding>();
  private context = new Map<string, ContextEntry>();
  private uaCounts = new Map<string, { success: number; failure: number }>();
  private flaggedSessions = new Set<string>();
  private activity = new ActivityLog((id) => this.mail.subjectOf(id));
  /** Internet message ids the attacker's sessions sent (UAL Send), and mail rows of compromised senders to check against them. */
  private attackerSent = new Set<string>();
  private pendingSent: { r: LogRecord; key: string }[] = [];
  private readonly exclusions: string[];
  private uaCache = new Map<string, { harmful?: string; client?: string }>();

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.exclusions = options.userAgentExclusions ?? [];
  }

  private wanted(r: LogRecord): boolean {
    if (this.options.user && r.user !== this.options.user.toLowerCase()) return false;
    if (this.options.from && r.time < this.options.from) return false;
    if (this.options.to && r.time > this.options.to) return false;
    return true;
  }

  /** User-agent verdicts, cached: a tenant has far fewer distinct agents than records. */
  private ua(ua: string | undefined): { harmful?: string; client?: string } {
    if (!ua) return {};
    let c = this.uaCache.get(ua);
    if (!c) {
      if (this.uaCache.size > 100_000) this.uaCache.clear();
      c = { harmful: harmfulUserAgent(ua, this.exclusions), client: clientOf(ua) };
      this.uaCache.set(ua, c);
    }
    return c;
  }

  private state(user: string): UserState {
    let u = this.users.get(user);
    if (!u) {
      u = { addrs: new Map(), devices: new Map(), grants: [], registrations: [], sessions: new Map() };
      this.users.set(user, u);
      const at = user.lastIndexOf('@');
      if (at > 0) this.tenantDomains.add(user.slice(at + 1));
    }
    return u;
  }

  /** Pass 1: learn. */
  learn(r: LogRecord): void {
    this.recordCount++;
    if (r.mail) {
      this.mail.learn(r);
      return;
    }
    if (!r.user) return;
    const u = this.state(r.user);
    const t = utcMs(r.time);
    const op = opKind(r.operation);
    const { harmful, client } = this.ua(r.userAgent);
    if (harmful || (r.logon && this.ua(r.clientApp).harmful)) this.toolUsers.add(r.user);
    if (r.ip) {
      let a = u.addrs.get(r.ip);
      if (!a) {
        a = { first: t, last: t };
        u.addrs.set(r.ip, a);
      } else {
        if (t < a.first) a.first = t;
        if (t > a.last) a.last = t;
      }
      if (r.asn !== undefined) a.asn = r.asn;
      if (r.country) a.country = r.country;
      if (r.trustedNetwork) {
        a.trustedNetwork = true;
        this.trustedIps.add(r.ip);
      }
      if (r.deviceId) {
        a.devices = capPush(a.devices, r.deviceId, 4);
        const d = u.devices.get(r.deviceId);
        if (!d) u.devices.set(r.deviceId, { first: t, trusted: !!r.deviceTrusted });
        else {
          if (t < d.first) d.first = t;
          if (r.deviceTrusted) d.trusted = true;
        }
        const users = this.deviceUsers.get(r.ip);
        if (users === undefined) this.deviceUsers.set(r.ip, r.user);
        else if (typeof users === 'string') {
          if (users !== r.user) this.deviceUsers.set(r.ip, new Set([users, r.user]));
        } else if (users.size < 3) users.add(r.user);
      }
      if (r.success !== false) a.ok = true;
      if (client && (r.logon || !a.clients || a.clients.length < 4)) a.clients = capPush(a.clients, client, 6);
      if (r.logon && r.success === false) (this.failuresByIp.get(r.ip) ?? this.failuresByIp.set(r.ip, new Set()).get(r.ip)!).add(r.user);
      if (harmful && r.success !== false && !isMicrosoftService(r.ip)) a.tool = Math.min(a.tool ?? t, t);
      if (op.rule && ruleOf(r)?.strong) a.rule = Math.min(a.rule ?? t, t);
    }
    // The interactive sign-in that typed the code is the grant; non-interactive ones later carry the same transfer method.
    if (r.deviceCode && r.logon && r.interactive !== false) u.grants.push({ id: r.id, t, ip: r.ip, session: r.sessionId, app: r.app, success: r.success !== false });
    if (op.device) u.registrations.push(t);
    if (r.sessionId && r.ip) {
      const s = u.sessions.get(r.sessionId);
      if (!s) u.sessions.set(r.sessionId, { user: r.user, ips: r.ip, first: t, last: t });
      else {
        if (typeof s.ips === 'string') {
          if (s.ips !== r.ip) s.ips = new Set([s.ips, r.ip]);
        } else s.ips.add(r.ip);
        if (t < s.first) s.first = t;
        if (t > s.last) s.last = t;
      }
      if (r.logon && r.success !== false) {
        const s2 = u.sessions.get(r.sessionId)!;
        if (s2.logon === undefined || t < s2.logon) {
          s2.logon = t;
          s2.logonIp = r.ip;
          s2.officeHome = /officehome/i.test(r.app ?? '') && !r.deviceId;
        }
      }
      if (r.asn !== undefined) (this.sessionAsns.get(r.sessionId) ?? this.sessionAsns.set(r.sessionId, new Set()).get(r.sessionId)!).add(r.asn);
    }
    if (!this.wanted(r)) return;
    const vk = op.volume;
    if (vk) {
      const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
      this.volumes.set(key, (this.volumes.get(key) ?? 0) + 1);
    }
    if (r.source === 'signin' && r.ip) (this.signIns.get(r.user) ?? this.signIns.set(r.user, []).get(r.user)!).push({ t, ip: r.ip, country: r.country, id: r.id });
  }

  /** An address that is the user's own: used from a known device, a trusted location, or the company network. */
  private ownAddr(user: string, ip: string): boolean {
    if (this.companyIps.has(ip) || this.ownIps.get(user)?.has(ip)) return true;
    let ms = this.microsoft.get(ip);
    if (ms === undefined) this.microsoft.set(ip, (ms = isMicrosoftService(ip)));
    return ms;
  }

  /**
   * Own, or used by the user before the intrusion began without any evidence against it (their history): never an
   * indicator, and what the user does from there is theirs.
   */
  private own(user: string, ip: string): boolean {
    if (this.ownAddr(user, ip)) return true;
    const c = this.compromised.get(user);
    const a = this.users.get(user)?.addrs.get(ip);
    return !!c && !!a && a.first < c.start - HOUR && a.tool === undefined && a.rule === undefined && !this.attackerIps.has(ip);
  }

  private markAttacker(user: string, ip: string, kind: AttackerAddr['kind'], why: string): boolean {
    if (this.ownAddr(user, ip)) return false;
    const a = this.attackerIps.get(ip);
    if (a) {
      a.users.add(user);
      return false;
    }
    this.attackerIps.set(ip, { users: new Set([user]), why, kind });
    return true;
  }

  /** Between passes: which addresses, sessions and users are the attacker's, and since when. */
  settle(): void {
    for (const [ip, users] of this.deviceUsers) if (typeof users !== 'string' && users.size >= 3) this.companyIps.add(ip);
    for (const ip of this.trustedIps) this.companyIps.add(ip);

    // Known devices: the organisation's, or in use before anything could have registered one for the attacker
    // (a device registration, or a device code sign-in, which Storm-2372 follows with one through the broker).
    for (const [user, u] of this.users) {
      const suspectFrom = Math.min(...u.registrations, ...u.grants.filter((g) => g.success).map((g) => g.t));
      const known = (id: string) => {
        const d = u.devices.get(id);
        return !!d && (d.trusted || d.first < suspectFrom);
      };
      this.knownDevice.set(user, known);
      const own = new Set<string>();
      for (const [ip, a] of u.addrs) if (a.trustedNetwork || a.devices?.some(known)) own.add(ip);
      if (own.size) this.ownIps.set(user, own);
    }

    // What the user's own use looks like: networks, clients and countries of their own addresses, and of the
    // addresses they used before a given moment (their history then).
    const baseline = (user: string, before: number, extra: string[] = []) => {
      const b = { nets: new Set<string>(), clients: new Set<string>(), countries: new Set<string>() };
      const addrs = this.users.get(user)?.addrs;
      for (const [ip, a] of addrs ?? []) {
        if (!(a.first < before || extra.includes(ip) || this.ownAddr(user, ip))) continue;
        b.nets.add(networkOf(ip, a.asn));
        for (const c of a.clients ?? []) b.clients.add(c);
        if (a.country) b.countries.add(a.country);
      }
      return b;
    };
    type Baseline = ReturnType<typeof baseline>;
    const newNetwork = (b: Baseline, ip: string, a: Addr) => !b.nets.has(networkOf(ip, a.asn));
    const newClient = (b: Baseline, a: Addr) => !a.clients?.length || a.clients.some((c) => !b.clients.has(c));
    const newCountry = (b: Baseline, a: Addr) => !!a.country && b.countries.size > 0 && !b.countries.has(a.country);
    const at = (t: number) => formatMinute(new Date(t).toISOString());

    // Direct evidence.
    for (const [user, u] of this.users)
      for (const [ip, a] of u.addrs) {
        if (a.tool !== undefined) this.markAttacker(user, ip, 'tool', `${ip} signed in or acted with an attack tool's user agent`);
        else if (a.rule !== undefined) this.markAttacker(user, ip, 'rule', `${ip} created a rule that hides mail`);
      }

    // Device code sign-ins whose tokens were then used from a network new to the user (token replay after the grant),
    // and sessions used from the user's own address and from a new network with another client (a stolen session).
    for (const [user, u] of this.users)
      for (const g of u.grants) {
        if (!g.success) continue;
        const session = g.session ? u.sessions.get(g.session) : undefined;
        const linked = session ? (typeof session.ips === 'string' ? [session.ips] : [...session.ips]) : [];
        const followers: string[] = [];
        const b = baseline(user, g.t - 5 * 60_000, g.ip ? [g.ip] : []);
        for (const [ip, a] of u.addrs) {
          if (ip === g.ip || this.ownAddr(user, ip) || a.first < g.t - 5 * 60_000 || a.first > g.t + 7 * DAY) continue;
          const inSession = linked.includes(ip);
          // The tokens at work elsewhere: a new network with another client or country, in the grant's session or
          // within two hours of it (the attacker's poller uses them at once). The victim's own browser shares the
          // session too, from the victim's addresses and client: that alone is nothing.
          // A device first seen after the grant counts as much as another client: the broker flow registers one.
          const newDevice = !!a.devices?.some((d) => {
            const dev = u.devices.get(d);
            return !!dev && !dev.trusted && dev.first >= g.t - 5 * 60_000;
          });
          const elsewhere = newNetwork(b, ip, a) && (newClient(b, a) || newCountry(b, a) || newDevice);
          if (!(this.attackerIps.has(ip) || (elsewhere && (inSession || a.first <= g.t + 2 * HOUR)))) continue;
          followers.push(ip);
          this.markAttacker(user, ip, 'replay', `${ip} used the tokens of ${user}'s device code sign-in of ${at(g.t)} UTC${inSession ? ` (session ${g.session})` : ''}, from a network new to the user`);
        }
        if (followers.length) {
          g.abused = followers.join(', ');
          if (g.session) this.attackerSessions.set(g.session, `the session of a device code sign-in whose tokens were used from ${g.abused}`);
        }
      }
    for (const owner of this.users.values())
      for (const [sid, s] of owner.sessions) {
        if (typeof s.ips === 'string') continue;
        const u = owner;
        const ips = [...s.ips].filter((ip) => u.addrs.has(ip));
        const ownIn = ips.filter((ip) => this.ownAddr(s.user, ip) || u.addrs.get(ip)!.first < s.first - HOUR);
        let stolen = ips.some((ip) => this.attackerIps.has(ip));
        // An AiTM proxy's own sign-in starts the session (OfficeHome, no device), then the cookie is replayed elsewhere,
        // by another client: the proxy passes the victim's browser through, the replay brings the attacker's. A phone
        // browser moving from wifi to mobile data looks the same but keeps its client.
        const aitm = !ownIn.length && !!s.officeHome && !!s.logonIp && u.addrs.has(s.logonIp) && new Set(ips.map((x) => networkOf(x, u.addrs.get(x)!.asn))).size > 1;
        const b = baseline(s.user, s.first - HOUR, aitm ? [...ownIn, s.logonIp!] : ownIn);
        for (const ip of ips) {
          if (ownIn.includes(ip) || this.attackerIps.has(ip) || this.companyIps.has(ip)) continue;
          const a = u.addrs.get(ip)!;
          // Sharing a session with the user proves nothing alone (laptops go home, phones change networks): a new
          // network with another client or country, in a session the user or the attacker used too, does.
          if (!newNetwork(b, ip, a) || !(newClient(b, a) || newCountry(b, a))) continue;
          if (!(ownIn.length || aitm || stolen)) continue;
          this.markAttacker(s.user, ip, 'session', `session ${sid} of ${s.user} was used from ${ip}, a network new to the user${newClient(b, a) ? ' with another client' : ' in another country'}`);
          stolen = true;
        }
        if (!stolen) continue;
        const born = s.logonIp;
        if (s.officeHome && born && !ownIn.includes(born) && !this.companyIps.has(born) && !this.attackerIps.has(born) && u.addrs.get(born)!.first >= s.first - HOUR)
          this.markAttacker(s.user, born, 'session', `${born} signed in to OfficeHome without a device and started session ${sid}, which was then used from the attacker's address: an AiTM proxy`);
        if (!this.attackerSessions.has(sid)) this.attackerSessions.set(sid, `used from ${ips.length} addresses`);
      }

    // Who was compromised, since when, until when.
    for (const [user, u] of this.users) {
      let start = Infinity;
      let last = -Infinity;
      let how = '';
      let deviceCode = false;
      for (const g of u.grants)
        if (g.abused && g.t < start) {
          start = g.t;
          how = `the device code sign-in of ${at(g.t)} UTC`;
          deviceCode = true;
        }
      for (const [ip, a] of u.addrs) {
        const x = this.attackerIps.get(ip);
        if (!x || !a.ok || this.ownAddr(user, ip)) continue;
        x.users.add(user);
        const first = Math.min(a.first, a.tool ?? Infinity, a.rule ?? Infinity);
        if (first < start) {
          start = first;
          how = `the first activity from the attacker's address ${ip} at ${at(first)} UTC`;
          deviceCode = false;
        }
        last = Math.max(last, a.last);
      }
      if (start === Infinity) continue;
      this.compromised.set(user, { start, last: Math.max(last, start), how, deviceCode });
    }
    // Devices first seen at an attacker's address during the intrusion are the attacker's: so is every address they
    // are used from (a Primary Refresh Token from a device registered through the broker travels with its device).
    for (const [user, u] of this.users) {
      const c = this.compromised.get(user);
      if (!c) continue;
      const attackerDevices = new Set<string>();
      for (const [ip, a] of u.addrs) if (this.attackerIps.has(ip) && !this.ownAddr(user, ip)) for (const d of a.devices ?? []) if (!this.knownDevice.get(user)!(d)) attackerDevices.add(d);
      if (!attackerDevices.size) continue;
      for (const [ip, a] of u.addrs)
        if (!this.attackerIps.has(ip) && a.devices?.some((d) => attackerDevices.has(d)) && !this.own(user, ip)) {
          this.markAttacker(user, ip, 'device', `${ip} used a device registered during the intrusion`);
          c.last = Math.max(c.last, a.last);
        }
    }

    // Impossible travel between sign-ins (rapid address changes are dual-stack and mobile networks: not reported).
    for (const [user, list] of this.signIns) {
      list.sort((a, b) => a.t - b.t);
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1], list[i]];
        if (a.ip === b.ip || !a.country || !b.country || a.country === b.country || b.t - a.t > 10 * 60_000) continue;
        const odd = this.own(user, b.ip) ? a : b;
        if (this.own(user, odd.ip)) continue;
        this.derived.set(odd.id, { category: 'impossible-travel', reason: `sign-ins from ${a.country} and ${b.country} within ${Math.round((b.t - a.t) / 60_000)} minutes` });
      }
    }

    this.mail.settle({
      windowOf: (user) => {
        const c = this.compromised.get(user);
        return c ? { start: c.start, end: c.last + WINDOW_TAIL, how: c.how } : undefined;
      },
      isAttackerIp: (ip) => this.attackerIps.has(ip),
      tenantDomains: this.tenantDomains,
    });
  }

  /**
   * What the second pass needs to see: notable operations, and every record of a user the evidence involves
   * (compromised, seen at an attacker's address or session, an attack tool, a device code sign-in, a spray, a burst).
   * Everything else produces nothing in the second pass, so a reader may skip it without parsing it.
   */
  passTwoFilter(): RowFilter {
    const users = new Set<string>([...this.compromised.keys(), ...this.toolUsers]);
    for (const [user, u] of this.users) {
      if (u.grants.length) users.add(user);
      for (const ip of u.addrs.keys())
        if (this.attackerIps.has(ip)) {
          users.add(user);
          break;
        }
    }
    for (const sid of this.attackerSessions.keys()) {
      const s = this.sessionUser(sid);
      if (s) users.add(s.user);
    }
    for (const failed of this.failuresByIp.values()) if (failed.size >= 10) for (const u of failed) users.add(u);
    const bursts = new Set<string>();
    for (const [key, n] of this.volumes) if (n >= VOLUME_LIMITS[key.slice(key.lastIndexOf('|') + 1) as keyof typeof VOLUME_LIMITS]) bursts.add(key.slice(0, key.indexOf('|')));
    return ({ user, operation }) => {
      const k = opKind(operation);
      return k.notable || users.has(user) || (bursts.has(user) && k.volume !== undefined);
    };
  }

  /** The attacker's hand in a record: its address or its session, unless the address is the user's own. */
  private attackerHand(r: LogRecord): { ip?: AttackerAddr; session?: string } | undefined {
    if (r.ip && this.own(r.user, r.ip)) return undefined;
    const ip = r.ip ? this.attackerIps.get(r.ip) : undefined;
    // The victim shares a stolen session (device code tokens, AiTM cookies): only the attacker's addresses in it, or
    // records without an address, are the attacker's.
    const session = r.sessionId && this.attackerSessions.has(r.sessionId) && (ip || !r.ip) ? r.sessionId : undefined;
    return ip || session ? { ip, session } : undefined;
  }

  /** Inside the attacker's window on this user, from an address that is not the user's own (or none at all). */
  private inWindow(r: LogRecord): boolean {
    const c = this.compromised.get(r.user);
    if (!c) return false;
    const t = Date.parse(r.time);
    return t >= c.start - 5 * 60_000 && t <= c.last + WINDOW_TAIL && !(r.ip && this.own(r.user, r.ip));
  }

  /** Pass 2: judge one record. */
  judge(r: LogRecord): void {
    if (!this.wanted(r)) return;
    if (r.source === 'emailUrl') return;
    const key = r.source === 'emailEvent' ? `${r.source}:${r.id}:${r.user}:${r.mail?.recipient}` : `${r.source}:${r.id}`;
    if (this.findings.has(key) || this.context.has(key)) return;
    const f = r.source === 'emailEvent' ? this.classifyMail(r) : this.classify(r);
    if (!f) return;
    const entry = { id: r.id, source: r.source, time: r.time, user: r.user, ip: r.ip, verdict: f.verdict, category: f.category, reason: f.reason };
    if (f.verdict === 'info') {
      this.context.set(key, entry as ContextEntry);
      return;
    }
    this.findings.set(key, entry as Finding);
    if (f.ua) {
      const c = this.uaCounts.get(f.ua) ?? this.uaCounts.set(f.ua, { success: 0, failure: 0 }).get(f.ua)!;
      if (r.success === false) c.failure++;
      else c.success++;
    }
    if (r.sessionId && this.attackerSessions.has(r.sessionId) && f.verdict === 'malicious' && !(r.ip && this.own(r.user, r.ip))) this.flaggedSessions.add(r.sessionId);
  }

  private classifyMail(r: LogRecord): Judged | undefined {
    const j = this.mail.judge(r);
    const m = r.mail!;
    if (j && (j.category === 'bec-mail' || j.category === 'lateral-phishing') && j.verdict !== 'info') this.activity.addSentMail(m.sender, r.time, { internetMessageId: m.internetMessageId, networkMessageId: r.id, subject: m.subject, recipient: m.recipient });
    else if (!j && m.direction !== 'inbound' && m.internetMessageId && this.compromised.has(m.sender)) this.pendingSent.push({ r, key: `${r.source}:${r.id}:${r.user}:${m.recipient}` });
    return j;
  }

  /** " in 2 networks (AS14061, AS17676)" when one session crossed networks; a cookie replayed elsewhere does. */
  private networks(sessionId: string): string {
    const asns = this.sessionAsns.get(sessionId);
    return asns && asns.size > 1 ? ` in ${asns.size} networks (${[...asns].sort((a, b) => a - b).map((a) => `AS${a}`).join(', ')})` : '';
  }

  private classify(r: LogRecord): Judged | undefined {
    const { harmful } = this.ua(r.userAgent);
    const hand = this.attackerHand(r);
    const c = this.compromised.get(r.user);
    const from = r.ip ? ` from ${r.ip}` : '';
    if (r.logon) {
      const ua = harmful ?? (r.source === 'signin' ? this.ua(r.clientApp).harmful : undefined);
      if (ua) return { verdict: r.success === false ? 'suspicious' : 'malicious', category: 'harmful-user-agent', reason: `${r.success === false ? 'failed' : 'successful'} sign-in with the ${ua} user agent, a known attack tool`, ua };
      if (r.deviceCode && r.interactive !== false) {
        const g = this.users.get(r.user)?.grants.find((x) => x.id === r.id);
        const app = r.app ? ` to ${r.app}` : '';
        if (g?.abused) return { verdict: 'malicious', category: 'device-code-phishing', reason: `device code sign-in${app}: the code was entered from ${r.ip ?? 'an unknown address'}${r.ip && this.ownAddr(r.user, r.ip) ? ' (the user\'s own address: the victim typed the attacker\'s code)' : ''}, and the tokens were then used from ${g.abused}: initial access` };
        if (r.success === false) {
          if (c && Math.abs(Date.parse(r.time) - c.start) <= 7 * DAY) return { verdict: 'suspicious', category: 'device-code-denied', reason: `device code sign-in${app} refused (error ${r.errorCode ?? 'unknown'}): an attempt around the compromise` };
          return { verdict: 'info', category: 'device-code', reason: `device code sign-in${app} refused (error ${r.errorCode ?? 'unknown'})${from}; no sign-in from a new network followed` };
        }
        return { verdict: 'info', category: 'device-code', reason: `device code sign-in${app}${from}; its tokens were used only from the user's own addresses` };
      }
      if (hand) {
        const why = hand.ip?.why ?? this.attackerSessions.get(hand.session!);
        if (hand.session && !c?.deviceCode) {
          const s = this.users.get(r.user)?.sessions.get(hand.session) ?? this.sessionUser(hand.session)!;
          const n = typeof s.ips === 'string' ? 1 : s.ips.size;
          return { verdict: 'malicious', category: 'aitm-session', reason: `session ${hand.session} was used from ${n} IP addresses${this.networks(hand.session)}; this one (${r.ip ?? 'no address'}${r.asn !== undefined ? `, AS${r.asn}` : ''}) is not one of the user's own addresses: a stolen session${why ? ` (${why})` : ''}` };
        }
        if (c?.deviceCode) return { verdict: 'malicious', category: 'token-replay', reason: `${r.interactive === false ? 'non-interactive ' : ''}sign-in${r.app ? ` to ${r.app}` : ''}${from}: the stolen tokens at work (${why})` };
        return { verdict: 'malicious', category: 'attacker-ip', reason: `sign-in${r.app ? ` to ${r.app}` : ''} from attacker IP ${r.ip} (${why})` };
      }
      const spray = r.ip ? this.failuresByIp.get(r.ip) : undefined;
      if (spray && spray.size >= 10 && r.success === false) return { verdict: 'suspicious', category: 'password-spray', reason: `${spray.size} different users failed to sign in from ${r.ip}` };
      const d = this.derived.get(r.id);
      if (d) return { verdict: 'suspicious', ...d };
      return undefined;
    }

    const tied = !!hand || this.inWindow(r);
    const verdictOf = (strongAlone = false): Judged['verdict'] => (hand ? 'malicious' : tied || strongAlone ? 'suspicious' : 'info');
    const why = hand ? ` (${hand.ip?.why ?? `stolen session ${hand.session}`})` : tied ? ` during the attacker's window on ${r.user}` : '';
    const normal = !tied && r.ip && !isMicrosoftService(r.ip) && this.own(r.user, r.ip) ? (this.companyIps.has(r.ip) ? ', from the company network' : ", from the user's own address") : '';

    if (RULE_OPS.test(r.operation)) {
      const rule = ruleOf(r);
      if (rule) return { verdict: verdictOf(rule.strong), category: 'inbox-rule', reason: rule.reason };
    }
    if (FORWARDING_OPS.test(r.operation)) {
      const to = forwardingOf(r);
      if (to) return { verdict: verdictOf(!this.tenantDomains.has(to.slice(to.lastIndexOf('@') + 1).toLowerCase())), category: 'mail-forwarding', reason: `mailbox of ${r.user} forwarded to ${to}${from}${why}` };
    }
    if (CONSENT_OPS.test(r.operation)) {
      const microsoft = isMicrosoftService(r.ip);
      return { verdict: verdictOf(), category: 'consent', reason: `${r.operation.replace(/\.$/, '')}${microsoft ? ' (initiated by a Microsoft service address, not attacker infrastructure)' : from}${why}${normal}` };
    }
    if (MFA_OPS.test(r.operation) && (r.operation !== 'Update user.' || /StrongAuthentication/i.test(JSON.stringify(r.details))))
      return { verdict: verdictOf(), category: 'mfa-registration', reason: `new security info registered${from}${why}${normal}` };
    if (DEVICE_OPS.test(r.operation)) {
      const device = (r.details.targets as string[] | undefined)?.find((t) => /^Device:/i.test(t))?.slice(7);
      return { verdict: verdictOf(), category: 'device-registration', reason: `device${device ? ` "${device}"` : ''} registered for ${r.user}${from}${hand ? '' : why}${normal}` };
    }
    if (FLOW_OPS.test(r.operation)) return { verdict: verdictOf(), category: 'flow-created', reason: `Power Automate flow created${from}${hand ? '' : why}${normal}` };
    if (harmful && r.success !== false && !hand) return { verdict: 'malicious', category: 'harmful-user-agent', reason: `${r.operation} with the ${harmful} user agent`, ua: harmful };

    if (hand) {
      const where = `${hand.session ? `in stolen session ${hand.session}${from}` : `from attacker IP ${r.ip}`}${harmful ? ` with the ${harmful} user agent` : ''}`;
      this.activity.add(r, hand.session);
      if (isSend(r.operation)) {
        const item = (r.details.Item ?? {}) as { InternetMessageId?: string; Subject?: string };
        if (item.InternetMessageId) this.attackerSent.add(item.InternetMessageId);
        return { verdict: 'malicious', category: 'mail-sent', reason: `${r.operation} ${where}${item.Subject ? `: "${item.Subject}"` : ''}`, ua: harmful };
      }
      if (isCollection(r.operation)) return { verdict: 'malicious', category: 'collection', reason: `${r.operation} ${where}${collected(r)}`, ua: harmful };
      return { verdict: 'malicious', category: hand.session ? 'attacker-session' : 'attacker-ip', reason: `${r.operation} ${where}`, ua: harmful };
    }
    const vk = volumeKind(r.operation);
    if (vk) {
      // One entry per user, day and kind: the first record of the burst stands for it.
      const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
      const n = this.volumes.get(key) ?? 0;
      if (n >= VOLUME_LIMITS[vk] && !this.volumeReported.has(key)) {
        this.volumeReported.add(key);
        return { verdict: this.inWindow(r) ? 'suspicious' : 'info', category: vk === 'delete' ? 'mass-delete' : 'sendas-burst', reason: `${n} ${vk === 'delete' ? 'deletions' : 'SendAs operations'} by ${r.user} on ${r.time.slice(0, 10)} (threshold ${VOLUME_LIMITS[vk]})` };
      }
    }
    return undefined;
  }

  result(): AnalysisResult {
    // Mail the attacker's session sent (UAL Send) that the mail rows name by Internet message id.
    for (const { r, key } of this.pendingSent) {
      const m = r.mail!;
      if (!this.attackerSent.has(m.internetMessageId!) || this.findings.has(key)) continue;
      this.findings.set(key, { id: r.id, source: r.source, time: r.time, user: r.user, ip: r.ip, verdict: 'malicious', category: 'bec-mail', reason: `"${m.subject}" to ${m.recipient}: sent from the attacker's session or address (the audit log's Send record names this message)` });
      this.activity.addSentMail(m.sender, r.time, { internetMessageId: m.internetMessageId, networkMessageId: r.id, subject: m.subject, recipient: m.recipient });
    }
    const order = <T extends { time: string; id: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
    const findings = order(this.findings.values());
    // Never an indicator: an address someone in the tenant uses from a known device or a trusted location.
    const owned = new Set<string>(this.companyIps);
    for (const set of this.ownIps.values()) for (const ip of set) owned.add(ip);
    const ips = [...this.attackerIps.keys()].filter((ip) => !isMicrosoftService(ip) && !owned.has(ip));
    const notes = this.mail.dropped ? [`${this.mail.dropped} inbound mail rows past ${(300_000).toLocaleString('en-US')} were not kept for the phishing-mail search.`] : [];
    return {
      records: this.recordCount,
      findings,
      context: order(this.context.values()),
      iocs: {
        ips: ips.sort(),
        userAgents: [...this.uaCounts.keys()].sort(),
        sessionIds: [...this.flaggedSessions].sort(),
      },
      userAgentCounts: [...this.uaCounts.entries()].map(([userAgent, c]) => ({ userAgent, ...c })),
      attackerActivity: this.activity.result(),
      notes,
      ownAddresses: Object.fromEntries([...this.users.keys()].map((u) => [u, [...this.users.get(u)!.addrs.keys()].filter((ip) => this.ownAddr(u, ip) && !isMicrosoftService(ip))]).filter(([, ips]) => ips.length)),
    };
  }
}

type Judged = { verdict: Verdict | 'info'; category: string; reason: string; ua?: string };

/** ": 3 messages in \Inbox" / ': "invoice"' / ": /sites/x/Pipeline.xlsx": what a collection record touched. */
function collected(r: LogRecord): string {
  const d = r.details;
  if (/^MailItemsAccessed$/i.test(r.operation)) {
    const folders = (Array.isArray(d.Folders) ? d.Folders : []) as { Path?: string; FolderItems?: unknown[] }[];
    const items = folders.reduce((n, f) => n + (f.FolderItems?.length ?? 0), 0);
    const access = d.MailAccessType ? ` (${String(d.MailAccessType)})` : '';
    if (items) return `: ${items} message${items === 1 ? '' : 's'} read in ${folders.map((f) => f.Path).filter(Boolean).join(', ') || 'the mailbox'}${access}`;
    if (folders.length) return `: ${folders.map((f) => f.Path).filter(Boolean).join(', ')} synchronised${access}`;
    return access;
  }
  if (/^SearchQueryInitiated/i.test(r.operation)) return typeof d.QueryText === 'string' && d.QueryText ? `: "${d.QueryText}"` : '';
  const name = d.ObjectId ?? d.SourceFileName;
  return name ? `: ${String(name)}` : '';
}

/**
 * Analyze sources that can be read twice (files): learn from all, settle, judge all (a source may skip what the
 * second pass's filter says cannot matter). A source that fails in the first pass is reported through `onError` and
 * left out of the second; the others lose nothing.
 */
export async function analyze(sources: ((filter?: RowFilter) => AsyncIterable<LogRecord | LogRecord[]>)[], options: AnalyzeOptions & { onError?: (index: number, err: unknown) => void } = {}): Promise<AnalysisResult> {
  const a = new Analyzer(options);
  const ok: ((filter?: RowFilter) => AsyncIterable<LogRecord | LogRecord[]>)[] = [];
  for (const [i, s] of sources.entries()) {
    const before = a.recordCount;
    try {
      // Sources may hand over a batch at a time (files do): one await per batch, not per record.
      for await (const r of s()) {
        if (Array.isArray(r)) for (const x of r) a.learn(x);
        else a.learn(r);
      }
      ok.push(s);
    } catch (err) {
      // Records of a file reported unreadable are not counted as analysed.
      a.recordCount = before;
      if (!options.onError) throw err;
      options.onError(i, err);
    }
  }
  a.settle();
  const filter = a.passTwoFilter();
  for (const s of ok)
    for await (const r of s(filter)) {
      if (Array.isArray(r)) for (const x of r) a.judge(x);
      else a.judge(r);
    }
  return a.result();
}
