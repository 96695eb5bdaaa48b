import type { LogRecord } from './record';
import type { AnalysisResult } from './analyze';
import type { Analyzer } from './analyzer';
import { isCollection, isSend } from './activity';
import { isMicrosoftService } from './networks';
import {
  collected,
  CONSENT_OPS,
  DAY,
  DEVICE_OPS,
  FLOW_OPS,
  FORWARDING_OPS,
  forwardingOf,
  MFA_OPS,
  RULE_OPS,
  ruleOf,
  VOLUME_LIMITS,
  volumeKind,
  type Judged,
} from './analyzer-ops';

/** Pass 2 for a mail row (advanced hunting): the mail detector's verdict, and what the attacker's mailbox sent. */
export function classifyMail(an: Analyzer, r: LogRecord): Judged | undefined {
  const j = an.mail.judge(r);
  const m = r.mail!;
  if (j && (j.category === 'bec-mail' || j.category === 'lateral-phishing') && j.verdict !== 'info')
    an.activity.addSentMail(m.sender, r.time, {
      internetMessageId: m.internetMessageId,
      networkMessageId: r.id,
      subject: m.subject,
      recipient: m.recipient,
    });
  else if (!j && m.direction !== 'inbound' && m.internetMessageId && an.compromised.has(m.sender))
    an.pendingSent.push({ r, key: `${r.source}:${r.id}:${r.user}:${m.recipient}` });
  return j;
}

/** " in 2 networks (AS14061, AS17676)" when one session crossed networks; a cookie replayed elsewhere does. */
export function sessionNetworks(an: Analyzer, sessionId: string): string {
  const asns = an.sessionAsns.get(sessionId);
  return asns && asns.size > 1
    ? ` in ${asns.size} networks (${[...asns]
        .sort((a, b) => a - b)
        .map((a) => `AS${a}`)
        .join(', ')})`
    : '';
}

/** Pass 2 for everything else: sign-ins, then operations, judged by who did them and when. */
export function classifyRecord(an: Analyzer, r: LogRecord): Judged | undefined {
  const { harmful } = an.ua(r.userAgent);
  const hand = an.attackerHand(r);
  const c = an.compromised.get(r.user);
  const from = r.ip ? ` from ${r.ip}` : '';
  if (r.logon) {
    const ua = harmful ?? (r.source === 'signin' ? an.ua(r.clientApp).harmful : undefined);
    if (ua)
      return {
        verdict: r.success === false ? 'suspicious' : 'malicious',
        category: 'harmful-user-agent',
        reason: `${r.success === false ? 'failed' : 'successful'} sign-in with the ${ua} user agent, a known attack tool`,
        ua,
      };
    if (r.deviceCode && r.interactive !== false) {
      const g = an.users.get(r.user)?.grants.find((x) => x.id === r.id);
      const app = r.app ? ` to ${r.app}` : '';
      if (g?.abused)
        return {
          verdict: 'malicious',
          category: 'device-code-phishing',
          reason: `device code sign-in${app}: the code was entered from ${r.ip ?? 'an unknown address'}${r.ip && an.ownAddr(r.user, r.ip) ? " (the user's own address: the victim typed the attacker's code)" : ''}, and the tokens were then used from ${g.abused}: initial access`,
        };
      if (r.success === false) {
        if (c && Math.abs(Date.parse(r.time) - c.start) <= 7 * DAY)
          return {
            verdict: 'suspicious',
            category: 'device-code-denied',
            reason: `device code sign-in${app} refused (error ${r.errorCode ?? 'unknown'}): an attempt around the compromise`,
          };
        return {
          verdict: 'info',
          category: 'device-code',
          reason: `device code sign-in${app} refused (error ${r.errorCode ?? 'unknown'})${from}; no sign-in from a new network followed`,
        };
      }
      return {
        verdict: 'info',
        category: 'device-code',
        reason: `device code sign-in${app}${from}; its tokens were used only from the user's own addresses`,
      };
    }
    if (hand) {
      const why = hand.ip?.why ?? an.attackerSessions.get(hand.session!);
      if (hand.session && !c?.deviceCode) {
        const s = an.users.get(r.user)?.sessions.get(hand.session) ?? an.sessionUser(hand.session)!;
        const n = typeof s.ips === 'string' ? 1 : s.ips.size;
        return {
          verdict: 'malicious',
          category: 'aitm-session',
          reason: `session ${hand.session} was used from ${n} IP addresses${sessionNetworks(an, hand.session)}; this one (${r.ip ?? 'no address'}${r.asn !== undefined ? `, AS${r.asn}` : ''}) is not one of the user's own addresses: a stolen session${why ? ` (${why})` : ''}`,
        };
      }
      if (c?.deviceCode)
        return {
          verdict: 'malicious',
          category: 'token-replay',
          reason: `${r.interactive === false ? 'non-interactive ' : ''}sign-in${r.app ? ` to ${r.app}` : ''}${from}: the stolen tokens at work (${why})`,
        };
      return {
        verdict: 'malicious',
        category: 'attacker-ip',
        reason: `sign-in${r.app ? ` to ${r.app}` : ''} from attacker IP ${r.ip} (${why})`,
      };
    }
    const spray = r.ip ? an.failuresByIp.get(r.ip) : undefined;
    if (spray && spray.size >= 10 && r.success === false)
      return { verdict: 'suspicious', category: 'password-spray', reason: `${spray.size} different users failed to sign in from ${r.ip}` };
    const d = an.derived.get(r.id);
    if (d) return { verdict: 'suspicious', ...d };
    return undefined;
  }

  const tied = !!hand || an.inWindow(r);
  const verdictOf = (strongAlone = false): Judged['verdict'] => (hand ? 'malicious' : tied || strongAlone ? 'suspicious' : 'info');
  const why = hand ? ` (${hand.ip?.why ?? `stolen session ${hand.session}`})` : tied ? ` during the attacker's window on ${r.user}` : '';
  const normal =
    !tied && r.ip && !isMicrosoftService(r.ip) && an.own(r.user, r.ip)
      ? an.companyIps.has(r.ip)
        ? ', from the company network'
        : ", from the user's own address"
      : '';

  if (RULE_OPS.test(r.operation)) {
    const rule = ruleOf(r);
    if (rule) return { verdict: verdictOf(rule.strong), category: 'inbox-rule', reason: rule.reason };
  }
  if (FORWARDING_OPS.test(r.operation)) {
    const to = forwardingOf(r);
    if (to)
      return {
        verdict: verdictOf(!an.tenantDomains.has(to.slice(to.lastIndexOf('@') + 1).toLowerCase())),
        category: 'mail-forwarding',
        reason: `mailbox of ${r.user} forwarded to ${to}${from}${why}`,
      };
  }
  if (CONSENT_OPS.test(r.operation)) {
    const microsoft = isMicrosoftService(r.ip);
    return {
      verdict: verdictOf(),
      category: 'consent',
      reason: `${r.operation.replace(/\.$/, '')}${microsoft ? ' (initiated by a Microsoft service address, not attacker infrastructure)' : from}${why}${normal}`,
    };
  }
  if (MFA_OPS.test(r.operation) && (r.operation !== 'Update user.' || /StrongAuthentication/i.test(JSON.stringify(r.details))))
    return { verdict: verdictOf(), category: 'mfa-registration', reason: `new security info registered${from}${why}${normal}` };
  if (DEVICE_OPS.test(r.operation)) {
    const device = (r.details.targets as string[] | undefined)?.find((t) => /^Device:/i.test(t))?.slice(7);
    return {
      verdict: verdictOf(),
      category: 'device-registration',
      reason: `device${device ? ` "${device}"` : ''} registered for ${r.user}${from}${hand ? '' : why}${normal}`,
    };
  }
  if (FLOW_OPS.test(r.operation))
    return { verdict: verdictOf(), category: 'flow-created', reason: `Power Automate flow created${from}${hand ? '' : why}${normal}` };
  if (harmful && r.success !== false && !hand)
    return { verdict: 'malicious', category: 'harmful-user-agent', reason: `${r.operation} with the ${harmful} user agent`, ua: harmful };

  if (hand) {
    const where = `${hand.session ? `in stolen session ${hand.session}${from}` : `from attacker IP ${r.ip}`}${harmful ? ` with the ${harmful} user agent` : ''}`;
    an.activity.add(r, hand.session);
    if (isSend(r.operation)) {
      const item = (r.details.Item ?? {}) as { InternetMessageId?: string; Subject?: string };
      if (item.InternetMessageId) an.attackerSent.add(item.InternetMessageId);
      return {
        verdict: 'malicious',
        category: 'mail-sent',
        reason: `${r.operation} ${where}${item.Subject ? `: "${item.Subject}"` : ''}`,
        ua: harmful,
      };
    }
    if (isCollection(r.operation))
      return { verdict: 'malicious', category: 'collection', reason: `${r.operation} ${where}${collected(r)}`, ua: harmful };
    return {
      verdict: 'malicious',
      category: hand.session ? 'attacker-session' : 'attacker-ip',
      reason: `${r.operation} ${where}`,
      ua: harmful,
    };
  }
  const vk = volumeKind(r.operation);
  if (vk) {
    // One entry per user, day and kind: the first record of the burst stands for it.
    const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
    const n = an.volumes.get(key) ?? 0;
    if (n >= VOLUME_LIMITS[vk] && !an.volumeReported.has(key)) {
      an.volumeReported.add(key);
      return {
        verdict: an.inWindow(r) ? 'suspicious' : 'info',
        category: vk === 'delete' ? 'mass-delete' : 'sendas-burst',
        reason: `${n} ${vk === 'delete' ? 'deletions' : 'SendAs operations'} by ${r.user} on ${r.time.slice(0, 10)} (threshold ${VOLUME_LIMITS[vk]})`,
      };
    }
  }
  return undefined;
}

/** The findings in time order, the indicators (never an address someone in the tenant uses legitimately), notes. */
export function analysisResult(an: Analyzer): AnalysisResult {
  // Mail the attacker's session sent (UAL Send) that the mail rows name by Internet message id.
  for (const { r, key } of an.pendingSent) {
    const m = r.mail!;
    if (!an.attackerSent.has(m.internetMessageId!) || an.findings.has(key)) continue;
    an.findings.set(key, {
      id: r.id,
      source: r.source,
      time: r.time,
      user: r.user,
      ip: r.ip,
      verdict: 'malicious',
      category: 'bec-mail',
      reason: `"${m.subject}" to ${m.recipient}: sent from the attacker's session or address (the audit log's Send record names this message)`,
    });
    an.activity.addSentMail(m.sender, r.time, {
      internetMessageId: m.internetMessageId,
      networkMessageId: r.id,
      subject: m.subject,
      recipient: m.recipient,
    });
  }
  const order = <T extends { time: string; id: string }>(xs: Iterable<T>) =>
    [...xs].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  const findings = order(an.findings.values());
  // Never an indicator: an address someone in the tenant uses from a known device or a trusted location.
  const owned = new Set<string>(an.companyIps);
  for (const set of an.ownIps.values()) for (const ip of set) owned.add(ip);
  const ips = [...an.attackerIps.keys()].filter((ip) => !isMicrosoftService(ip) && !owned.has(ip));
  const notes = an.mail.dropped
    ? [`${an.mail.dropped} inbound mail rows past ${(300_000).toLocaleString('en-US')} were not kept for the phishing-mail search.`]
    : [];
  return {
    records: an.recordCount,
    findings,
    context: order(an.context.values()),
    iocs: {
      ips: ips.sort(),
      userAgents: [...an.uaCounts.keys()].sort(),
      sessionIds: [...an.flaggedSessions].sort(),
    },
    userAgentCounts: [...an.uaCounts.entries()].map(([userAgent, c]) => ({ userAgent, ...c })),
    attackerActivity: an.activity.result(),
    notes,
    ownAddresses: Object.fromEntries(
      [...an.users.keys()]
        .map((u) => [u, [...an.users.get(u)!.addrs.keys()].filter((ip) => an.ownAddr(u, ip) && !isMicrosoftService(ip))])
        .filter(([, ips]) => ips.length),
    ),
  };
}
