import type { LogRecord } from './record';
import type { RowFilter } from './reader';
import { ActivityLog } from './activity';
import { MailDetector } from './mail-detect';
import { isMicrosoftService } from './networks';
import { clientOf, harmfulUserAgent } from './user-agents';
import type { AnalysisResult, AnalyzeOptions, ContextEntry, Finding } from './analyze';
import { HOUR, opKind, VOLUME_LIMITS, WINDOW_TAIL, type AttackerAddr, type Compromise, type Session, type UserState } from './analyzer-ops';
import { learnRecord } from './analyzer-learn';
import { settleEvidence } from './analyzer-settle';
import { analysisResult, classifyMail, classifyRecord } from './analyzer-judge';

/**
 * Two passes over the records. The first learns, per user, the addresses, networks, devices and clients in use,
 * the sessions and what crossed between them, device code sign-ins, and the direct evidence of an attacker (attack
 * tools, hiding rules). Between the passes, evidence decides which addresses are the attacker's: an attack tool, a
 * hiding rule, tokens of a device code sign-in used from a network new to the user, a session used from the user's
 * own address and from a new network with another client, a device registered during the intrusion. An address
 * the user used from a known device, a trusted location or the company network is never the attacker's, whatever
 * session it shares. The second pass emits findings (compromise), context (notable but normal) and what the
 * attacker touched. The passes live next to it (analyzer-learn.ts, analyzer-settle.ts, analyzer-judge.ts) and share
 * its fields, the analysis state; nothing outside src/investigate/ reads them.
 */
export class Analyzer {
  /** Records read from sources that were read to the end. */
  recordCount = 0;
  users = new Map<string, UserState>();
  tenantDomains = new Set<string>();
  /** Address -> users who used it from a device (three are enough to call it the company's network). */
  deviceUsers = new Map<string, string | Set<string>>();
  trustedIps = new Set<string>();
  /** user|day|kind -> count, for volume thresholds (50+ deletes a day, 10+ SendAs). */
  volumes = new Map<string, number>();
  volumeReported = new Set<string>();
  /** Session id -> its user, for the few sessions that matter (the attacker's). */
  sessionUser(sid: string): Session | undefined {
    for (const u of this.users.values()) {
      const s = u.sessions.get(sid);
      if (s) return s;
    }
    return undefined;
  }
  /** Session id -> networks (ASNs) it was used from, when the source says (beta sign-ins do). */
  sessionAsns = new Map<string, Set<number>>();
  signIns = new Map<string, { t: number; ip: string; country?: string; id: string }[]>();
  failuresByIp = new Map<string, Set<string>>();
  /** Users with any record in an attack tool's user agent. */
  toolUsers = new Set<string>();
  mail = new MailDetector();

  // Settled between the passes.
  companyIps = new Set<string>();
  attackerIps = new Map<string, AttackerAddr>();
  attackerSessions = new Map<string, string>();
  compromised = new Map<string, Compromise>();
  knownDevice = new Map<string, (deviceId: string) => boolean>();
  /** Per user, the addresses used from a known device or a trusted location (settled once, asked often). */
  ownIps = new Map<string, Set<string>>();
  microsoft = new Map<string, boolean>();
  derived = new Map<string, { category: string; reason: string }>();

  findings = new Map<string, Finding>();
  context = new Map<string, ContextEntry>();
  uaCounts = new Map<string, { success: number; failure: number }>();
  flaggedSessions = new Set<string>();
  activity = new ActivityLog((id) => this.mail.subjectOf(id));
  /** Internet message ids the attacker's sessions sent (UAL Send), and mail rows of compromised senders to check against them. */
  attackerSent = new Set<string>();
  pendingSent: { r: LogRecord; key: string }[] = [];
  readonly exclusions: string[];
  uaCache = new Map<string, { harmful?: string; client?: string }>();

  constructor(readonly options: AnalyzeOptions = {}) {
    this.exclusions = options.userAgentExclusions ?? [];
  }

  wanted(r: LogRecord): boolean {
    if (this.options.user && r.user !== this.options.user.toLowerCase()) return false;
    if (this.options.from && r.time < this.options.from) return false;
    if (this.options.to && r.time > this.options.to) return false;
    return true;
  }

  /** User-agent verdicts, cached: a tenant has far fewer distinct agents than records. */
  ua(ua: string | undefined): { harmful?: string; client?: string } {
    if (!ua) return {};
    let c = this.uaCache.get(ua);
    if (!c) {
      if (this.uaCache.size > 100_000) this.uaCache.clear();
      c = { harmful: harmfulUserAgent(ua, this.exclusions), client: clientOf(ua) };
      this.uaCache.set(ua, c);
    }
    return c;
  }

  state(user: string): UserState {
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
    learnRecord(this, r);
  }

  /** An address that is the user's own: used from a known device, a trusted location, or the company network. */
  ownAddr(user: string, ip: string): boolean {
    if (this.companyIps.has(ip) || this.ownIps.get(user)?.has(ip)) return true;
    let ms = this.microsoft.get(ip);
    if (ms === undefined) this.microsoft.set(ip, (ms = isMicrosoftService(ip)));
    return ms;
  }

  /**
   * Own, or used by the user before the intrusion began without any evidence against it (their history): never an
   * indicator, and what the user does from there is theirs.
   */
  own(user: string, ip: string): boolean {
    if (this.ownAddr(user, ip)) return true;
    const c = this.compromised.get(user);
    const a = this.users.get(user)?.addrs.get(ip);
    return !!c && !!a && a.first < c.start - HOUR && a.tool === undefined && a.rule === undefined && !this.attackerIps.has(ip);
  }

  markAttacker(user: string, ip: string, kind: AttackerAddr['kind'], why: string): boolean {
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
    settleEvidence(this);
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
    for (const [key, n] of this.volumes)
      if (n >= VOLUME_LIMITS[key.slice(key.lastIndexOf('|') + 1) as keyof typeof VOLUME_LIMITS]) bursts.add(key.slice(0, key.indexOf('|')));
    return ({ user, operation }) => {
      const k = opKind(operation);
      return k.notable || users.has(user) || (bursts.has(user) && k.volume !== undefined);
    };
  }

  /** The attacker's hand in a record: its address or its session, unless the address is the user's own. */
  attackerHand(r: LogRecord): { ip?: AttackerAddr; session?: string } | undefined {
    if (r.ip && this.own(r.user, r.ip)) return undefined;
    const ip = r.ip ? this.attackerIps.get(r.ip) : undefined;
    // The victim shares a stolen session (device code tokens, AiTM cookies): only the attacker's addresses in it, or
    // records without an address, are the attacker's.
    const session = r.sessionId && this.attackerSessions.has(r.sessionId) && (ip || !r.ip) ? r.sessionId : undefined;
    return ip || session ? { ip, session } : undefined;
  }

  /** Inside the attacker's window on this user, from an address that is not the user's own (or none at all). */
  inWindow(r: LogRecord): boolean {
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
    const f = r.source === 'emailEvent' ? classifyMail(this, r) : classifyRecord(this, r);
    if (!f) return;
    const entry = {
      id: r.id,
      source: r.source,
      time: r.time,
      user: r.user,
      ip: r.ip,
      verdict: f.verdict,
      category: f.category,
      reason: f.reason,
    };
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
    if (r.sessionId && this.attackerSessions.has(r.sessionId) && f.verdict === 'malicious' && !(r.ip && this.own(r.user, r.ip)))
      this.flaggedSessions.add(r.sessionId);
  }

  result(): AnalysisResult {
    return analysisResult(this);
  }
}
