import { formatMinute } from '../views/time';
import type { Analyzer } from './analyzer';
import { DAY, HOUR, WINDOW_TAIL, type Addr } from './analyzer-ops';
import { networkOf } from './networks';

/** Between passes: which addresses, sessions and users are the attacker's, and since when. */
export function settleEvidence(an: Analyzer): void {
  for (const [ip, users] of an.deviceUsers) if (typeof users !== 'string' && users.size >= 3) an.companyIps.add(ip);
  for (const ip of an.trustedIps) an.companyIps.add(ip);

  // Known devices: the organisation's, or in use before anything could have registered one for the attacker
  // (a device registration, or a device code sign-in, which Storm-2372 follows with one through the broker).
  for (const [user, u] of an.users) {
    const suspectFrom = Math.min(...u.registrations, ...u.grants.filter((g) => g.success).map((g) => g.t));
    const known = (id: string) => {
      const d = u.devices.get(id);
      return !!d && (d.trusted || d.first < suspectFrom);
    };
    an.knownDevice.set(user, known);
    const own = new Set<string>();
    for (const [ip, a] of u.addrs) if (a.trustedNetwork || a.devices?.some(known)) own.add(ip);
    if (own.size) an.ownIps.set(user, own);
  }

  // What the user's own use looks like: networks, clients and countries of their own addresses, and of the
  // addresses they used before a given moment (their history then).
  const baseline = (user: string, before: number, extra: string[] = []) => {
    const b = { nets: new Set<string>(), clients: new Set<string>(), countries: new Set<string>() };
    const addrs = an.users.get(user)?.addrs;
    for (const [ip, a] of addrs ?? []) {
      if (!(a.first < before || extra.includes(ip) || an.ownAddr(user, ip))) continue;
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
  for (const [user, u] of an.users)
    for (const [ip, a] of u.addrs) {
      if (a.tool !== undefined) an.markAttacker(user, ip, 'tool', `${ip} signed in or acted with an attack tool's user agent`);
      else if (a.rule !== undefined) an.markAttacker(user, ip, 'rule', `${ip} created a rule that hides mail`);
    }

  // Device code sign-ins whose tokens were then used from a network new to the user (token replay after the grant),
  // and sessions used from the user's own address and from a new network with another client (a stolen session).
  for (const [user, u] of an.users)
    for (const g of u.grants) {
      if (!g.success) continue;
      const session = g.session ? u.sessions.get(g.session) : undefined;
      const linked = session ? (typeof session.ips === 'string' ? [session.ips] : [...session.ips]) : [];
      const followers: string[] = [];
      const b = baseline(user, g.t - 5 * 60_000, g.ip ? [g.ip] : []);
      for (const [ip, a] of u.addrs) {
        if (ip === g.ip || an.ownAddr(user, ip) || a.first < g.t - 5 * 60_000 || a.first > g.t + 7 * DAY) continue;
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
        if (!(an.attackerIps.has(ip) || (elsewhere && (inSession || a.first <= g.t + 2 * HOUR)))) continue;
        followers.push(ip);
        an.markAttacker(
          user,
          ip,
          'replay',
          `${ip} used the tokens of ${user}'s device code sign-in of ${at(g.t)} UTC${inSession ? ` (session ${g.session})` : ''}, from a network new to the user`,
        );
      }
      if (followers.length) {
        g.abused = followers.join(', ');
        if (g.session) an.attackerSessions.set(g.session, `the session of a device code sign-in whose tokens were used from ${g.abused}`);
      }
    }
  for (const owner of an.users.values())
    for (const [sid, s] of owner.sessions) {
      if (typeof s.ips === 'string') continue;
      const u = owner;
      const ips = [...s.ips].filter((ip) => u.addrs.has(ip));
      const ownIn = ips.filter((ip) => an.ownAddr(s.user, ip) || u.addrs.get(ip)!.first < s.first - HOUR);
      let stolen = ips.some((ip) => an.attackerIps.has(ip));
      // An AiTM proxy's own sign-in starts the session (OfficeHome, no device), then the cookie is replayed elsewhere,
      // by another client: the proxy passes the victim's browser through, the replay brings the attacker's. A phone
      // browser moving from wifi to mobile data looks the same but keeps its client.
      const aitm =
        !ownIn.length &&
        !!s.officeHome &&
        !!s.logonIp &&
        u.addrs.has(s.logonIp) &&
        new Set(ips.map((x) => networkOf(x, u.addrs.get(x)!.asn))).size > 1;
      const b = baseline(s.user, s.first - HOUR, aitm ? [...ownIn, s.logonIp!] : ownIn);
      for (const ip of ips) {
        if (ownIn.includes(ip) || an.attackerIps.has(ip) || an.companyIps.has(ip)) continue;
        const a = u.addrs.get(ip)!;
        // Sharing a session with the user proves nothing alone (laptops go home, phones change networks): a new
        // network with another client or country, in a session the user or the attacker used too, does.
        if (!newNetwork(b, ip, a) || !(newClient(b, a) || newCountry(b, a))) continue;
        if (!(ownIn.length || aitm || stolen)) continue;
        an.markAttacker(
          s.user,
          ip,
          'session',
          `session ${sid} of ${s.user} was used from ${ip}, a network new to the user${newClient(b, a) ? ' with another client' : ' in another country'}`,
        );
        stolen = true;
      }
      if (!stolen) continue;
      const born = s.logonIp;
      if (
        s.officeHome &&
        born &&
        !ownIn.includes(born) &&
        !an.companyIps.has(born) &&
        !an.attackerIps.has(born) &&
        u.addrs.get(born)!.first >= s.first - HOUR
      )
        an.markAttacker(
          s.user,
          born,
          'session',
          `${born} signed in to OfficeHome without a device and started session ${sid}, which was then used from the attacker's address: an AiTM proxy`,
        );
      if (!an.attackerSessions.has(sid)) an.attackerSessions.set(sid, `used from ${ips.length} addresses`);
    }

  // Who was compromised, since when, until when.
  for (const [user, u] of an.users) {
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
      const x = an.attackerIps.get(ip);
      if (!x || !a.ok || an.ownAddr(user, ip)) continue;
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
    an.compromised.set(user, { start, last: Math.max(last, start), how, deviceCode });
  }
  // Devices first seen at an attacker's address during the intrusion are the attacker's: so is every address they
  // are used from (a Primary Refresh Token from a device registered through the broker travels with its device).
  for (const [user, u] of an.users) {
    const c = an.compromised.get(user);
    if (!c) continue;
    const attackerDevices = new Set<string>();
    for (const [ip, a] of u.addrs)
      if (an.attackerIps.has(ip) && !an.ownAddr(user, ip))
        for (const d of a.devices ?? []) if (!an.knownDevice.get(user)!(d)) attackerDevices.add(d);
    if (!attackerDevices.size) continue;
    for (const [ip, a] of u.addrs)
      if (!an.attackerIps.has(ip) && a.devices?.some((d) => attackerDevices.has(d)) && !an.own(user, ip)) {
        an.markAttacker(user, ip, 'device', `${ip} used a device registered during the intrusion`);
        c.last = Math.max(c.last, a.last);
      }
  }

  // Impossible travel between sign-ins (rapid address changes are dual-stack and mobile networks: not reported).
  for (const [user, list] of an.signIns) {
    list.sort((a, b) => a.t - b.t);
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      if (a.ip === b.ip || !a.country || !b.country || a.country === b.country || b.t - a.t > 10 * 60_000) continue;
      const odd = an.own(user, b.ip) ? a : b;
      if (an.own(user, odd.ip)) continue;
      an.derived.set(odd.id, {
        category: 'impossible-travel',
        reason: `sign-ins from ${a.country} and ${b.country} within ${Math.round((b.t - a.t) / 60_000)} minutes`,
      });
    }
  }

  an.mail.settle({
    windowOf: (user) => {
      const c = an.compromised.get(user);
      return c ? { start: c.start, end: c.last + WINDOW_TAIL, how: c.how } : undefined;
    },
    isAttackerIp: (ip) => an.attackerIps.has(ip),
    tenantDomains: an.tenantDomains,
  });
}
