import { ATTACKER, SEED_IDS } from './ids';
import type { SeedUser } from './seed';
import { iso } from './seed-shapes';

export interface SeedSignIn {
  id: string;
  createdDateTime: string;
  userDisplayName: string;
  userPrincipalName: string;
  userId: string;
  appId: string;
  appDisplayName: string;
  ipAddress: string;
  clientAppUsed: string;
  userAgent: string;
  correlationId: string;
  conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  isInteractive: boolean;
  riskLevelDuringSignIn: 'none' | 'low' | 'medium' | 'high' | 'hidden';
  riskState: 'none' | 'atRisk' | 'confirmedCompromised';
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  deviceDetail: {
    deviceId: string;
    displayName: string;
    operatingSystem: string;
    browser: string;
    isCompliant: boolean;
    isManaged: boolean;
    trustType: string;
  };
  location: { city: string; state: string; countryOrRegion: string; geoCoordinates: { latitude: number; longitude: number } };
  /** Beta only. */
  sessionId: string;
  /** Beta only. */
  signInEventTypes: string[];
  /** Beta only: the network the address belongs to. */
  autonomousSystemNumber: number;
}

export const OFFICE_HOME = '4765445b-32c6-49b0-83e6-1d93765276ca';
const EDGE_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0';

export type SignInFields = Partial<SeedSignIn> & { ip: string; city: string; country: string };

/** The attacker's own PC as its sign-ins show it: Windows with Firefox, never registered, so no device id. */
export const ATTACKER_DEVICE: SeedSignIn['deviceDetail'] = {
  deviceId: '',
  displayName: '',
  operatingSystem: 'Windows10',
  browser: 'Firefox 125.0',
  isCompliant: false,
  isManaged: false,
  trustType: '',
};

/** Sign-in fields for `ip` on the attacker's hosting network in Singapore (AS14061), by default on the attacker's PC. */
export function fromAttacker(ip: string, deviceDetail: SeedSignIn['deviceDetail'] = { ...ATTACKER_DEVICE }): SignInFields {
  return { autonomousSystemNumber: 14061, ip, city: 'Singapore', country: 'SG', userAgent: ATTACKER.userAgent, deviceDetail };
}

/** One sign-in row of `who`, `hoursAgo` before `now`; `n` makes its ids unique (the scenario numbers from 100,000). */
export function signInRow(now: number, n: number, who: SeedUser, hoursAgo: number, f: SignInFields): SeedSignIn {
  const { ip, city, country, ...rest } = f;
  return {
    id: `5191a000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    createdDateTime: iso(now, hoursAgo),
    userDisplayName: who.displayName,
    userPrincipalName: who.userPrincipalName,
    userId: who.id,
    appId: OFFICE_HOME,
    appDisplayName: 'OfficeHome',
    ipAddress: ip,
    clientAppUsed: 'Browser',
    userAgent: EDGE_WINDOWS,
    correlationId: `c0a1e000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    conditionalAccessStatus: 'success',
    isInteractive: true,
    riskLevelDuringSignIn: 'none',
    riskState: 'none',
    status: { errorCode: 0, failureReason: null, additionalDetails: null },
    deviceDetail: {
      deviceId: 'd1ce0000-0000-4000-8000-00000000a11c',
      displayName: 'ALICE-LAPTOP',
      operatingSystem: 'Windows10',
      browser: 'Edge 124.0.0',
      isCompliant: true,
      isManaged: true,
      trustType: 'Azure AD joined',
    },
    location: { city, state: city, countryOrRegion: country, geoCoordinates: { latitude: 35.68, longitude: 139.69 } },
    sessionId: `5e551000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    signInEventTypes: ['interactiveUser'],
    autonomousSystemNumber: ip.startsWith('203.0.113.') ? 64500 : 64501,
    ...rest,
  };
}

/**
 * The tenant's sign-ins: Alice's phishing click and the attacker's AiTM replay of her stolen session, Erin and Carol
 * reached by the same campaign, a password spray by scripts, and bystanders signing in normally.
 */
export function seedSignIns(now: number, users: SeedUser[]): SeedSignIn[] {
  let n = 0;
  const signIn = (who: SeedUser, hoursAgo: number, f: SignInFields): SeedSignIn => signInRow(now, ++n, who, hoursAgo, f);
  const alice = users[0];
  const stolenSession = '5e551000-0000-4000-8000-00000000a1ce';
  const attackerDevice = { ...ATTACKER_DEVICE };
  const replay = { ...fromAttacker(ATTACKER.ipv4, attackerDevice), sessionId: stolenSession };
  const signIns: SeedSignIn[] = [
    signIn(alice, 70, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP' }),
    // The phishing click: Alice signs in through the attacker's proxy; the session cookie is stolen.
    signIn(alice, 50, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP', sessionId: stolenSession }),
    // AiTM replay: OfficeHome, no device id, unfamiliar IP, same session id, Firefox/125.
    signIn(alice, 49.9, { ...replay, riskLevelDuringSignIn: 'high', riskState: 'atRisk' }),
    signIn(alice, 49.8, {
      autonomousSystemNumber: 17676,
      ip: ATTACKER.ipv6,
      city: 'Osaka',
      country: 'JP',
      sessionId: stolenSession,
      userAgent: ATTACKER.userAgent,
      deviceDetail: attackerDevice,
      appDisplayName: 'Office 365 Exchange Online',
      appId: '00000002-0000-0ff1-ce00-000000000000',
      riskLevelDuringSignIn: 'medium',
      riskState: 'atRisk',
    }),
    signIn(alice, 30, {
      ...replay,
      appDisplayName: 'Microsoft Graph Explorer',
      riskLevelDuringSignIn: 'medium',
      riskState: 'atRisk',
      isInteractive: false,
      signInEventTypes: ['nonInteractiveUser'],
    }),
    signIn(alice, 5, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP' }),
  ];
  // Erin clicked the same link: an AiTM replay from the attacker's address an hour after the mail arrived.
  const erin = users.find((x) => x.id === SEED_IDS.erin)!;
  signIns.push(
    signIn(erin, 49.4, {
      ...fromAttacker(ATTACKER.ipv4),
      riskLevelDuringSignIn: 'medium',
      riskState: 'atRisk',
      sessionId: '5e551000-0000-4000-8000-0000000e7100',
    }),
  );
  // Carol's phone used another address of the attacker's hosting provider the evening the mail arrived.
  const carol = users.find((x) => x.id === SEED_IDS.carol)!;
  signIns.push(
    signIn(carol, 48, {
      ...fromAttacker('152.42.170.3', { ...attackerDevice, operatingSystem: 'iOS', browser: 'Mobile Safari' }),
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      appDisplayName: 'Office 365 Exchange Online',
      appId: '00000002-0000-0ff1-ce00-000000000000',
    }),
  );
  // Someone is spraying with scripts: a failed python-requests sign-in for Ivan, a successful axios one for Judy.
  const ivan = users.find((x) => x.id === SEED_IDS.ivan)!;
  const judy = users.find((x) => x.id === SEED_IDS.judy)!;
  signIns.push(
    signIn(ivan, 20, {
      autonomousSystemNumber: 206728,
      ip: '45.155.205.99',
      city: 'Amsterdam',
      country: 'NL',
      userAgent: 'python-requests/2.31.0',
      clientAppUsed: 'Mobile Apps and Desktop clients',
      appDisplayName: 'Microsoft Office',
      deviceDetail: { ...attackerDevice, browser: '' },
      status: { errorCode: 50126, failureReason: 'Invalid username or password.', additionalDetails: null },
    }),
  );
  signIns.push(
    signIn(judy, 19, {
      autonomousSystemNumber: 206728,
      ip: '45.155.205.99',
      city: 'Amsterdam',
      country: 'NL',
      userAgent: 'axios/1.6.8',
      clientAppUsed: 'Mobile Apps and Desktop clients',
      appDisplayName: 'Microsoft Office',
      deviceDetail: { ...attackerDevice, browser: '' },
    }),
  );
  // Bystanders sign in normally.
  for (const [i, who] of users.slice(1, 12).entries()) {
    signIns.push(
      signIn(who, 10 + i, {
        ip: `198.51.100.${20 + i}`,
        city: 'Tokyo',
        country: 'JP',
        deviceDetail: {
          deviceId: `d1ce0000-0000-4000-8000-0000000000${(10 + i).toString(16).padStart(2, '0')}`,
          displayName: `${who.givenName.toUpperCase()}-PC`,
          operatingSystem: 'Windows10',
          browser: 'Edge 124.0.0',
          isCompliant: true,
          isManaged: true,
          trustType: 'Azure AD joined',
        },
      }),
    );
  }
  return signIns;
}
