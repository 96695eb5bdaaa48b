/** Tables and small helpers the suspicious-object builders (scenario-extra-builders.ts) draw from. */

export const HOUR = 3_600_000;
export const pad = (n: number) => String(n).padStart(12, '0');
export const iso = (t: number) => new Date(t).toISOString();
export const pick = <T>(list: readonly T[], k: number) => list[k % list.length];

export const PHONES = ['iPhone 13', 'SM-S918B', 'Pixel 7', 'iPhone 15 Pro', 'moto g84 5G'];
export const KEYS = [
  { model: 'YubiKey 5 NFC', aaGuid: 'fa2b99dc-9e39-4257-8f92-4a30d23c4118' },
  { model: 'Feitian ePass FIDO2', aaGuid: '833b721a-ff5f-4d00-bb2e-bdda3ec01e29' },
  { model: 'Google Titan Security Key v2', aaGuid: '42b4fb4a-2866-43b2-9bf7-82d9ae1fa7b6' },
];
export const DEVICES = [
  { os: 'Windows', version: '10.0.22631.3880', name: (c: string) => `DESKTOP-${c}`, trust: 'Workplace' },
  { os: 'iOS', version: '17.5.1', name: () => 'iPhone', trust: 'Workplace' },
  { os: 'Android', version: '14', name: () => 'SM-A546B', trust: 'Workplace' },
  { os: 'Windows', version: '10.0.19045.4651', name: (c: string) => `WIN-${c}QX`, trust: 'AzureAd' },
  { os: 'MacOS', version: '14.5', name: () => 'MacBook Pro', trust: 'Workplace' },
  { os: 'iPadOS', version: '17.5', name: () => 'iPad', trust: 'Workplace' },
  { os: 'Linux', version: 'Kali GNU/Linux Rolling', name: () => 'kali', trust: 'Workplace' },
  { os: 'Android', version: '14', name: () => 'Pixel', trust: 'Workplace' },
];
export const FOREIGN_TENANTS = [
  '7d1a3f00-0000-4000-8000-00000000f001',
  '7d1a3f00-0000-4000-8000-00000000f002',
  '7d1a3f00-0000-4000-8000-00000000f003',
];
export const CERT = Buffer.from('sandbox: public certificate of an app the attacker registered').toString('base64');

/** Seven upper-case letters and digits, like the names Windows gives itself. */
export function code(n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let x = (n + 1) * 2_654_435_761;
  let out = '';
  for (let i = 0; i < 7; i++) {
    out += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + 7919 * (i + 1);
  }
  return out;
}
