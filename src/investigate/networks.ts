/** Entra ID sign-in service ranges: consent events initiated from them are Microsoft, not attacker infrastructure. */
const MICROSOFT_RANGES: [number, number][] = [
  cidr('20.190.128.0/18'),
  cidr('40.126.0.0/18'),
  cidr('20.231.128.0/19'),
  cidr('40.126.128.0/18'),
];

function cidr(s: string): [number, number] {
  const [ip, bits] = s.split('/');
  return [ipv4(ip)!, -1 << (32 - Number(bits))];
}

function ipv4(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? (Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4]) : undefined;
}

/** An address in Microsoft's own sign-in service ranges. */
export function isMicrosoftService(ip: string | null | undefined): boolean {
  const n = ip ? ipv4(ip) : undefined;
  return n !== undefined && MICROSOFT_RANGES.some(([net, mask]) => (n & mask) === (net & mask));
}

/**
 * The network an address belongs to, for "is this network new to the user": the ASN when the source gives one,
 * else the IPv4 /16 or IPv6 /32 (roughly one provider's allocation).
 */
export function networkOf(ip: string, asn?: number): string {
  if (asn !== undefined) return `AS${asn}`;
  if (ip.includes(':')) return `${ip.split(':').slice(0, 2).join(':')}::/32`;
  const parts = ip.split('.');
  return `${parts[0]}.${parts[1]}.0.0/16`;
}
