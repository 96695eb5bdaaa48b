/** Harmful user agents (reference/graph.md): hunting seeds, matched case-insensitively. */
export const HARMFUL_USER_AGENTS = [
  'axios',
  'AADInternals',
  'azsdk-python',
  'aiohttp',
  'AZURECLI',
  'KrbRelayUp',
  'BAV2ROPC',
  'okhttp',
  'node-fetch',
  'undici',
  'python-requests',
  'Go-http-client',
  'PostmanRuntime',
  'curl',
  'azurehound',
];

const PATTERNS = HARMFUL_USER_AGENTS.map(
  (h) => [h, new RegExp(`(^|[^a-z])${h.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`)] as const,
);

/** The harmful agent a user-agent string names, unless an exclusion (a known automation's client) matches it. */
export function harmfulUserAgent(ua: string | undefined, exclusions: string[] = []): string | undefined {
  if (!ua) return undefined;
  const low = ua.toLowerCase();
  if (exclusions.length && exclusions.some((e) => low.includes(e.toLowerCase()))) return undefined;
  if (low.trim() === 'node') return 'node';
  return PATTERNS.find(([, re]) => re.test(low))?.[0];
}

/**
 * A coarse client fingerprint, "operating system / client": the same person on the same laptop keeps it across
 * networks; a replayed cookie or token usually arrives with another. Versions are left out on purpose.
 */
export function clientOf(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const s = ua.replace(/^(Client=[^;]*;)+/i, '');
  const os = /windows/i.test(s)
    ? 'windows'
    : /iphone|ipad|ios/i.test(s)
      ? 'ios'
      : /mac os|macintosh/i.test(s)
        ? 'mac'
        : /android/i.test(s)
          ? 'android'
          : /cros/i.test(s)
            ? 'chromeos'
            : /linux/i.test(s)
              ? 'linux'
              : '';
  const client = /edg(e|a|ios)?\//i.test(s)
    ? 'edge'
    : /opr\//i.test(s)
      ? 'opera'
      : /firefox\//i.test(s)
        ? 'firefox'
        : /chrome\//i.test(s)
          ? 'chrome'
          : /safari\//i.test(s)
            ? 'safari'
            : /outlook|microsoft office|msoffice/i.test(s)
              ? 'office'
              : (/^[\w.-]+/.exec(s.trim())?.[0] ?? '').toLowerCase();
  return os || client ? `${os}/${client}` : undefined;
}
