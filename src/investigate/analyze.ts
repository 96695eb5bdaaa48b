import type { LogRecord } from './record';

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

export interface AnalysisResult {
  records: number;
  findings: Finding[];
  iocs: { ips: string[]; userAgents: string[]; sessionIds: string[] };
  /** Harmful user agents, successes and failures counted apart. */
  userAgentCounts: { userAgent: string; success: number; failure: number }[];
}

export interface AnalyzeOptions {
  user?: string;
  from?: string;
  to?: string;
  /** User-agent substrings that are allowed (e.g. a known automation account's client). */
  userAgentExclusions?: string[];
}

/** Harmful user agents (reference/graph.md): hunting seeds, matched case-insensitively. */
export const HARMFUL_USER_AGENTS = ['axios', 'AADInternals', 'azsdk-python', 'aiohttp', 'AZURECLI', 'KrbRelayUp', 'BAV2ROPC', 'okhttp', 'node-fetch', 'undici', 'python-requests', 'Go-http-client', 'PostmanRuntime', 'curl', 'azurehound'];

/** Entra ID sign-in service ranges: consent events initiated from them are Microsoft, not attacker infrastructure. */
const MICROSOFT_RANGES: [number, number][] = [cidr('20.190.128.0/18'), cidr('40.126.0.0/18'), cidr('20.231.128.0/19'), cidr('40.126.128.0/18')];

function cidr(s: string): [number, number] {
  const [ip, bits] = s.split('/');
  return [ipv4(ip)!, -1 << (32 - Number(bits))];
}
function ipv4(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) : undefined;
}
export function isMicrosoftService(ip: string | null): boolean {
  const n = ip ? ipv4(ip) : undefined;
  return n !== undefined && MICROSOFT_RANGES.some(([net, mask]) => (n & mask) === (net & mask));
}

const HIDING_FOLDERS = /^\s*(deleted items|deleteditems|junk( email| e-mail)?|junkemail|archive|rss (feeds|subscriptions)|rssfeeds|conversation history|conversationhistory|notes)\s*$/i;
/** Volume anomalies (reference/graph.md): 50+ deletes a day, 10+ SendAs. */
const VOLUME_LIMITS = { delete: 50, sendas: 10 } as const;
function volumeKind(op: string): keyof typeof VOLUME_LIMITS | undefined {
  if (/^(HardDelete|SoftDelete|MoveToDeletedItems)$/i.test(op)) return 'delete';
  if (/^SendAs$/i.test(op)) return 'sendas';
  return undefined;
}

const RULE_OPS = /^(New-InboxRule|Set-InboxRule|UpdateInboxRules|New-TransportRule)$/i;
const CONSENT_OPS = /^(Consent to application\.?|Add service principal\.?|Add delegated permission grant\.?|Add app role assignment grant to user\.?)$/i;
const MFA_OPS = /^(User registered security info|User registered all required security info|Update user\.?)$/i;
/** A device joined or registered to the user: AiTM kits register one to get a Primary Refresh Token (playbook step 4). */
const DEVICE_OPS = /^(Register device|Add device\.?|Add registered owner to device\.?|Add registered users to device\.?)$/i;
const MAIL_OPS = /^(MailItemsAccessed|Send|SendAs|SendOnBehalf|HardDelete|SoftDelete|MoveToDeletedItems|SearchQueryInitiatedExchange|FileAccessed|FileDownloaded|Set-Mailbox|UpdateInboxRules)$/i;

function harmfulUserAgent(ua: string | undefined, exclusions: string[]): string | undefined {
  if (!ua) return undefined;
  const low = ua.toLowerCase();
  if (exclusions.some((e) => low.includes(e.toLowerCase()))) return undefined;
  if (low.trim() === 'node') return 'node';
  return HARMFUL_USER_AGENTS.find((h) => new RegExp(`(^|[^a-z])${h.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(low));
}

function ruleReason(r: LogRecord): string | undefined {
  const p = r.details;
  const bits: string[] = [];
  if (p.DeleteMessage === true || p.DeleteMessage === 'True') bits.push('deletes mail');
  // Moving mail is normal; moving it where the user will not look is how attackers hide replies.
  if (p.MoveToFolder && HIDING_FOLDERS.test(String(p.MoveToFolder))) bits.push(`moves mail to "${p.MoveToFolder}"`);
  if (p.MarkAsRead === true || p.MarkAsRead === 'True') bits.push('marks it as read');
  for (const k of ['ForwardTo', 'RedirectTo', 'ForwardAsAttachmentTo']) if (p[k]) bits.push(`${k === 'RedirectTo' ? 'redirects' : 'forwards'} to ${p[k]}`);
  const name = String(p.Name ?? '');
  if (name && (/^[\p{P}\p{S}\s]+$/u.test(name) || name.length <= 2)) bits.push(`its name "${name}" is punctuation`);
  const hides = bits.some((b) => /deletes|moves|forwards|redirects/.test(b));
  return hides ? `${r.operation} by ${r.user}: a rule that ${bits.join(', ')}` : undefined;
}

/**
 * Two passes over the records: the first learns each user's usual (device-bound) IPs, the IPs behind each session
 * id, sign-in sequences and failure counts, and the attacker IPs that rule creation and session theft reveal; the
 * second emits one finding per record that matches, pivoting on attacker IPs and session ids.
 */
export class Analyzer {
  /** Records read from sources that were read to the end. */
  recordCount = 0;
  private knownIps = new Map<string, Set<string>>();
  /** user|day|kind -> count, for volume thresholds (50+ deletes a day, 10+ SendAs). */
  private volumes = new Map<string, number>();
  private volumeFlagged = new Set<string>();
  /** Session id -> its user and IP(s). Most sessions see one address: keep a string, not a Set, until a second one. */
  private sessions = new Map<string, { user: string; ips: string | Set<string> }>();
  private signIns = new Map<string, { t: number; ip: string; country?: string; id: string }[]>();
  private failuresByIp = new Map<string, Set<string>>();
  private attackerIps = new Set<string>();
  private attackerSessions = new Set<string>();
  private derived = new Map<string, { category: string; verdict: Verdict; reason: string }>();
  private findings = new Map<string, Finding>();
  private uaCounts = new Map<string, { success: number; failure: number }>();
  private flaggedSessions = new Set<string>();
  /** Session id -> the networks (ASNs) it was used from, when the source says (beta sign-ins do). */
  private sessionAsns = new Map<string, Set<number>>();
  private readonly exclusions: string[];

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.exclusions = options.userAgentExclusions ?? [];
  }

  private wanted(r: LogRecord): boolean {
    if (this.options.user && r.user !== this.options.user.toLowerCase()) return false;
    if (this.options.from && r.time < this.options.from) return false;
    if (this.options.to && r.time > this.options.to) return false;
    return true;
  }

  /** Pass 1: learn. */
  learn(r: LogRecord): void {
    this.recordCount++;
    if (r.source === 'signin' && r.ip) {
      if (r.deviceId) (this.knownIps.get(r.user) ?? this.knownIps.set(r.user, new Set()).get(r.user)!).add(r.ip);
      if (r.success === false) (this.failuresByIp.get(r.ip) ?? this.failuresByIp.set(r.ip, new Set()).get(r.ip)!).add(r.user);
      if (this.wanted(r)) (this.signIns.get(r.user) ?? this.signIns.set(r.user, []).get(r.user)!).push({ t: Date.parse(r.time), ip: r.ip, country: r.country, id: r.id });
    }
    if (r.sessionId && r.ip) {
      const s = this.sessions.get(r.sessionId);
      if (!s) this.sessions.set(r.sessionId, { user: r.user, ips: r.ip });
      else if (typeof s.ips === 'string') {
        if (s.ips !== r.ip) s.ips = new Set([s.ips, r.ip]);
      } else s.ips.add(r.ip);
      if (r.asn !== undefined) (this.sessionAsns.get(r.sessionId) ?? this.sessionAsns.set(r.sessionId, new Set()).get(r.sessionId)!).add(r.asn);
    }
    const vk = volumeKind(r.operation);
    if (vk && this.wanted(r)) {
      const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
      this.volumes.set(key, (this.volumes.get(key) ?? 0) + 1);
    }
    if (!this.wanted(r) || !r.ip || isMicrosoftService(r.ip)) return;
    if (RULE_OPS.test(r.operation) && ruleReason(r)) this.attackerIps.add(r.ip);
    // A successful sign-in with an attack tool's user agent reveals attacker infrastructure too.
    if (r.source === 'signin' && r.success !== false && harmfulUserAgent(r.userAgent, this.exclusions)) this.attackerIps.add(r.ip);
  }

  /** Between passes: session theft, impossible travel, rapid IP changes. */
  settle(): void {
    // A session seen from several addresses, some of them not the user's device-bound ones: a stolen cookie. Those
    // addresses are the attacker's, known before pass 2 so that every record from them is judged in one go.
    for (const [session, { user, ips }] of this.sessions) {
      if (typeof ips === 'string') continue;
      this.attackerSessions.add(session);
      const known = this.knownIps.get(user) ?? new Set<string>();
      for (const ip of ips) if (!known.has(ip) && !isMicrosoftService(ip)) this.attackerIps.add(ip);
    }
    for (const [user, list] of this.signIns) {
      list.sort((a, b) => a.t - b.t);
      const known = this.knownIps.get(user) ?? new Set();
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1], list[i]];
        if (a.ip === b.ip) continue;
        const dt = b.t - a.t;
        const odd = known.has(b.ip) ? a : b;
        if (a.country && b.country && a.country !== b.country && dt <= 10 * 60_000)
          this.derived.set(odd.id, { category: 'impossible-travel', verdict: 'suspicious', reason: `sign-ins from ${a.country} and ${b.country} within ${Math.round(dt / 60_000)} minutes` });
        else if (dt <= 30_000) this.derived.set(odd.id, { category: 'rapid-ip-change', verdict: 'suspicious', reason: `sign-ins from ${a.ip} and ${b.ip} within ${Math.round(dt / 1000)} s` });
      }
    }
  }

  /** Pass 2: judge one record. */
  judge(r: LogRecord): void {
    if (!this.wanted(r)) return;
    const key = `${r.source}:${r.id}`;
    if (this.findings.has(key)) return;
    const f = this.classify(r);
    if (!f) return;
    this.findings.set(key, { id: r.id, source: r.source, time: r.time, user: r.user, ip: r.ip, verdict: f.verdict, category: f.category, reason: f.reason });
    if (f.ua) {
      const c = this.uaCounts.get(f.ua) ?? this.uaCounts.set(f.ua, { success: 0, failure: 0 }).get(f.ua)!;
      if (r.success === false) c.failure++;
      else c.success++;
    }
    if (r.sessionId && (f.category === 'aitm-session' || f.category === 'attacker-session')) this.flaggedSessions.add(r.sessionId);
  }

  /** " in 2 networks (AS14061, AS17676)" when one session crossed networks; a cookie replayed elsewhere does. */
  private networks(sessionId: string): string {
    const asns = this.sessionAsns.get(sessionId);
    return asns && asns.size > 1 ? ` in ${asns.size} networks (${[...asns].sort((a, b) => a - b).map((a) => `AS${a}`).join(', ')})` : '';
  }

  private classify(r: LogRecord): { verdict: Verdict; category: string; reason: string; ua?: string } | undefined {
    const known = this.knownIps.get(r.user) ?? new Set<string>();
    if (r.source === 'signin') {
      const ua = harmfulUserAgent(r.userAgent, this.exclusions) ?? harmfulUserAgent(r.clientApp, this.exclusions);
      if (ua) return { verdict: r.success === false ? 'suspicious' : 'malicious', category: 'harmful-user-agent', reason: `${r.success === false ? 'failed' : 'successful'} sign-in with the ${ua} user agent, a known attack tool`, ua };
      if (r.sessionId && this.attackerSessions.has(r.sessionId) && r.ip && !known.has(r.ip))
        return { verdict: 'malicious', category: 'aitm-session', reason: `session ${r.sessionId} was used from ${(this.sessions.get(r.sessionId)!.ips as Set<string>).size} IP addresses${this.networks(r.sessionId)}; this one (${r.ip}${r.asn !== undefined ? `, AS${r.asn}` : ''}) is not one of the user's device-bound addresses: a stolen session cookie` };
      if (/officehome/i.test(r.app ?? '') && !r.deviceId && r.ip && !known.has(r.ip) && r.success !== false)
        return { verdict: 'suspicious', category: 'aitm-officehome', reason: `OfficeHome sign-in with no device id from ${r.ip}, an address the user has not signed in from on a known device (AiTM pattern)` };
      const spray = r.ip ? this.failuresByIp.get(r.ip) : undefined;
      if (spray && spray.size >= 10 && r.success === false) return { verdict: 'suspicious', category: 'password-spray', reason: `${spray.size} different users failed to sign in from ${r.ip}` };
      const d = this.derived.get(r.id);
      if (d) return d;
    }
    if (RULE_OPS.test(r.operation)) {
      const reason = ruleReason(r);
      if (reason) return { verdict: 'malicious', category: 'inbox-rule', reason };
    }
    if (CONSENT_OPS.test(r.operation)) {
      const microsoft = isMicrosoftService(r.ip);
      return { verdict: r.ip && this.attackerIps.has(r.ip) ? 'malicious' : 'suspicious', category: 'consent', reason: `${r.operation.replace(/\.$/, '')}${microsoft ? ' (initiated by a Microsoft service address, not attacker infrastructure)' : r.ip ? ` from ${r.ip}` : ''}` };
    }
    if (MFA_OPS.test(r.operation) && (r.operation !== 'Update user.' || /StrongAuthentication/i.test(JSON.stringify(r.details))))
      return { verdict: r.ip && this.attackerIps.has(r.ip) ? 'malicious' : 'suspicious', category: 'mfa-registration', reason: `new security info registered${r.ip ? ` from ${r.ip}` : ''}` };
    // Registering a phone from an address the user already signs in from on a known device is everyday life.
    if (DEVICE_OPS.test(r.operation) && !(r.ip && known.has(r.ip) && !this.attackerIps.has(r.ip))) {
      const device = (r.details.targets as string[] | undefined)?.find((t) => /^Device:/i.test(t))?.slice(7);
      return { verdict: r.ip && this.attackerIps.has(r.ip) ? 'malicious' : 'suspicious', category: 'device-registration', reason: `device${device ? ` "${device}"` : ''} registered for ${r.user}${r.ip ? ` from ${r.ip}` : ''}` };
    }
    if (/^CreateFlow$/i.test(r.operation)) return { verdict: r.ip && this.attackerIps.has(r.ip) ? 'malicious' : 'suspicious', category: 'flow-created', reason: `Power Automate flow created${r.ip ? ` from ${r.ip}` : ''}` };
    if (r.source !== 'signin') {
      const ua = harmfulUserAgent(r.userAgent, this.exclusions);
      if (ua) return { verdict: 'malicious', category: 'harmful-user-agent', reason: `${r.operation} with the ${ua} user agent`, ua };
    }
    if (r.sessionId && this.attackerSessions.has(r.sessionId) && r.ip && !known.has(r.ip)) return { verdict: 'malicious', category: 'attacker-session', reason: `${r.operation} in stolen session ${r.sessionId}` };
    const vk = volumeKind(r.operation);
    if (vk && !(r.ip && this.attackerIps.has(r.ip))) {
      // One finding per user, day and kind: the first record of the burst stands for it.
      const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
      const n = this.volumes.get(key) ?? 0;
      if (n >= VOLUME_LIMITS[vk] && !this.volumeFlagged.has(key)) {
        this.volumeFlagged.add(key);
        return { verdict: 'suspicious', category: vk === 'delete' ? 'mass-delete' : 'sendas-burst', reason: `${n} ${vk === 'delete' ? 'deletions' : 'SendAs operations'} by ${r.user} on ${r.time.slice(0, 10)} (threshold ${VOLUME_LIMITS[vk]})` };
      }
    }
    if (r.ip && this.attackerIps.has(r.ip)) return { verdict: 'malicious', category: 'attacker-ip', reason: `${r.operation} from attacker IP ${r.ip}${MAIL_OPS.test(r.operation) ? ' (mail or file access)' : ''}` };
    return undefined;
  }

  result(): AnalysisResult {
    const findings = [...this.findings.values()].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
    const malicious = findings.filter((f) => f.verdict === 'malicious');
    return {
      records: this.recordCount,
      findings,
      iocs: {
        ips: [...new Set([...this.attackerIps, ...malicious.map((f) => f.ip).filter((ip): ip is string => !!ip && !isMicrosoftService(ip))])].sort(),
        userAgents: [...this.uaCounts.keys()].sort(),
        sessionIds: [...this.flaggedSessions].sort(),
      },
      userAgentCounts: [...this.uaCounts.entries()].map(([userAgent, c]) => ({ userAgent, ...c })),
    };
  }
}

/**
 * Analyze sources that can be read twice (files): learn from all, settle, judge all. A source that fails in the
 * first pass is reported through `onError` and left out of the second; the others lose nothing.
 */
export async function analyze(sources: (() => AsyncIterable<LogRecord>)[], options: AnalyzeOptions & { onError?: (index: number, err: unknown) => void } = {}): Promise<AnalysisResult> {
  const a = new Analyzer(options);
  const ok: (() => AsyncIterable<LogRecord>)[] = [];
  for (const [i, s] of sources.entries()) {
    const before = a.recordCount;
    try {
      for await (const r of s()) a.learn(r);
      ok.push(s);
    } catch (err) {
      // Records of a file reported unreadable are not counted as analysed.
      a.recordCount = before;
      if (!options.onError) throw err;
      options.onError(i, err);
    }
  }
  a.settle();
  for (const s of ok) for await (const r of s()) a.judge(r);
  return a.result();
}
