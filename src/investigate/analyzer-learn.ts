import { utcMs, type LogRecord } from './record';
import type { Analyzer } from './analyzer';
import { isMicrosoftService } from './networks';
import { capPush, opKind, ruleOf } from './analyzer-ops';

/** Pass 1: learn. */
export function learnRecord(an: Analyzer, r: LogRecord): void {
  an.recordCount++;
  if (r.mail) {
    an.mail.learn(r);
    return;
  }
  if (!r.user) return;
  const u = an.state(r.user);
  const t = utcMs(r.time);
  const op = opKind(r.operation);
  const { harmful, client } = an.ua(r.userAgent);
  if (harmful || (r.logon && an.ua(r.clientApp).harmful)) an.toolUsers.add(r.user);
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
      an.trustedIps.add(r.ip);
    }
    if (r.deviceId) {
      a.devices = capPush(a.devices, r.deviceId, 4);
      const d = u.devices.get(r.deviceId);
      if (!d) u.devices.set(r.deviceId, { first: t, trusted: !!r.deviceTrusted });
      else {
        if (t < d.first) d.first = t;
        if (r.deviceTrusted) d.trusted = true;
      }
      const users = an.deviceUsers.get(r.ip);
      if (users === undefined) an.deviceUsers.set(r.ip, r.user);
      else if (typeof users === 'string') {
        if (users !== r.user) an.deviceUsers.set(r.ip, new Set([users, r.user]));
      } else if (users.size < 3) users.add(r.user);
    }
    if (r.success !== false) a.ok = true;
    if (client && (r.logon || !a.clients || a.clients.length < 4)) a.clients = capPush(a.clients, client, 6);
    if (r.logon && r.success === false) (an.failuresByIp.get(r.ip) ?? an.failuresByIp.set(r.ip, new Set()).get(r.ip)!).add(r.user);
    if (harmful && r.success !== false && !isMicrosoftService(r.ip)) a.tool = Math.min(a.tool ?? t, t);
    if (op.rule && ruleOf(r)?.strong) a.rule = Math.min(a.rule ?? t, t);
  }
  // The interactive sign-in that typed the code is the grant; non-interactive ones later carry the same transfer method.
  if (r.deviceCode && r.logon && r.interactive !== false)
    u.grants.push({ id: r.id, t, ip: r.ip, session: r.sessionId, app: r.app, success: r.success !== false });
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
    if (r.asn !== undefined) (an.sessionAsns.get(r.sessionId) ?? an.sessionAsns.set(r.sessionId, new Set()).get(r.sessionId)!).add(r.asn);
  }
  if (!an.wanted(r)) return;
  const vk = op.volume;
  if (vk) {
    const key = `${r.user}|${r.time.slice(0, 10)}|${vk}`;
    an.volumes.set(key, (an.volumes.get(key) ?? 0) + 1);
  }
  if (r.source === 'signin' && r.ip)
    (an.signIns.get(r.user) ?? an.signIns.set(r.user, []).get(r.user)!).push({ t, ip: r.ip, country: r.country, id: r.id });
}
