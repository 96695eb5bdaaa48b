/**
 * The demo tenant: Alice Aoki's AiTM incident (reference/playbook.md) plus bystanders whose names collide on
 * prefixes, an apostrophe name, a synced user, the people who run Contain, and a protected break-glass account.
 * Times are relative to the moment of seeding so that "the last 7 days" always contains the attack.
 */
import { seedObjects } from './seed-objects';
import { seedUal, type SeedUalRecord } from './seed-ual';
import { seedIdentity } from './app-identity';
import { seedAlerts } from './seed-alerts';
export { ATTACKER, DOMAIN, GLOBAL_ADMIN_TEMPLATE, SEED_IDS, TENANT_ID } from './ids';
import { ATTACKER, DOMAIN, GLOBAL_ADMIN_TEMPLATE, SEED_IDS } from './ids';

export interface SeedUser {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
  jobTitle: string | null;
  department: string | null;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean | null;
  signInSessionsValidFromDateTime: string;
  lastPasswordChangeDateTime: string;
  createdDateTime: string;
  usageLocation: string;
  businessPhones: string[];
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
}

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
  deviceDetail: { deviceId: string; displayName: string; operatingSystem: string; browser: string; isCompliant: boolean; isManaged: boolean; trustType: string };
  location: { city: string; state: string; countryOrRegion: string; geoCoordinates: { latitude: number; longitude: number } };
  /** Beta only. */
  sessionId: string;
  /** Beta only. */
  signInEventTypes: string[];
  /** Beta only: the network the address belongs to. */
  autonomousSystemNumber: number;
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /** User ids and nested group ids. */
  members: string[];
  kind: 'group' | 'directoryRole';
  roleTemplateId?: string;
}

/** An Audit Log Query API query the sandbox is "running". */
export interface SandboxAuditQuery {
  data: Record<string, unknown> & { id: string; filterStartDateTime: string; filterEndDateTime: string };
  createdAt: number;
}

export interface TenantData extends ReturnType<typeof seedObjects>, Omit<ReturnType<typeof seedIdentity>, 'identityServicePrincipals'>, ReturnType<typeof seedAlerts> {
  users: SeedUser[];
  signIns: SeedSignIn[];
  groups: SeedGroup[];
  ual: SeedUalRecord[];
  auditQueries: SandboxAuditQuery[];
}

const iso = (now: number, hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();

export function user(id: string, given: string, surname: string, local: string, extra: Partial<SeedUser> = {}, now = Date.now()): SeedUser {
  return {
    id,
    displayName: `${given} ${surname}`,
    givenName: given,
    surname,
    userPrincipalName: `${local}@${DOMAIN}`,
    mail: `${local}@${DOMAIN}`,
    jobTitle: null,
    department: null,
    accountEnabled: true,
    onPremisesSyncEnabled: null,
    signInSessionsValidFromDateTime: iso(now, 24 * 200),
    lastPasswordChangeDateTime: iso(now, 24 * 90),
    createdDateTime: iso(now, 24 * 400),
    usageLocation: 'JP',
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    ...extra,
  };
}

export const OFFICE_HOME = '4765445b-32c6-49b0-83e6-1d93765276ca';
const EDGE_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0';

export type SignInFields = Partial<SeedSignIn> & { ip: string; city: string; country: string };

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
    deviceDetail: { deviceId: 'd1ce0000-0000-4000-8000-00000000a11c', displayName: 'ALICE-LAPTOP', operatingSystem: 'Windows10', browser: 'Edge 124.0.0', isCompliant: true, isManaged: true, trustType: 'Azure AD joined' },
    location: { city, state: city, countryOrRegion: country, geoCoordinates: { latitude: 35.68, longitude: 139.69 } },
    sessionId: `5e551000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    signInEventTypes: ['interactiveUser'],
    autonomousSystemNumber: ip.startsWith('203.0.113.') ? 64500 : 64501,
    ...rest,
  };
}

/** A fresh copy of the demo tenant, with times counted back from `now`. */
export function seedTenant(now: number = Date.now()): TenantData {
  const u = (id: string, g: string, s: string, l: string, e: Partial<SeedUser> = {}) => user(id, g, s, l, e, now);
  const users: SeedUser[] = [
    u(SEED_IDS.alice, 'Alice', 'Aoki', 'alice.aoki', { jobTitle: 'Sales coordinator', department: 'Sales', officeLocation: 'Tokyo' }),
    u(SEED_IDS.alicia, 'Alicia', 'Alvarez', 'alicia.alvarez', { jobTitle: 'Marketing manager', department: 'Marketing', usageLocation: 'ES' }),
    u(SEED_IDS.alistair, 'Alistair', 'Allen', 'alistair.allen', { jobTitle: 'Account executive', department: 'Sales', usageLocation: 'GB' }),
    u(SEED_IDS.danObrien, 'Dan', "O'Brien", 'dan.obrien', { mail: `dan.o'brien@${DOMAIN}`, jobTitle: 'Buyer', department: 'Procurement', usageLocation: 'IE' }),
    u(SEED_IDS.bob, 'Bob', 'Brown', 'bob.brown', { jobTitle: 'Sales representative', department: 'Sales' }),
    u(SEED_IDS.carol, 'Carol', 'Chen', 'carol.chen', { jobTitle: 'Controller', department: 'Finance' }),
    u(SEED_IDS.erin, 'Erin', 'Evans', 'erin.evans', { jobTitle: 'Sales representative', department: 'Sales' }),
    u(SEED_IDS.frank, 'Frank', 'Fischer', 'frank.fischer', { jobTitle: 'Engineer', department: 'R&D', usageLocation: 'DE' }),
    u(SEED_IDS.grace, 'Grace', 'Gómez', 'grace.gomez', { jobTitle: 'Recruiter', department: 'HR', usageLocation: 'MX' }),
    u(SEED_IDS.heidi, 'Heidi', 'Hansen', 'heidi.hansen', { jobTitle: 'Accountant', department: 'Finance', onPremisesSyncEnabled: true, usageLocation: 'NO' }),
    u(SEED_IDS.ivan, 'Ivan', 'Ivanov', 'ivan.ivanov', { jobTitle: 'Support engineer', department: 'Support' }),
    u(SEED_IDS.judy, 'Judy', 'Jones', 'judy.jones', { jobTitle: 'Office manager', department: 'Operations' }),
    u(SEED_IDS.riley, 'Riley', 'Rivera', 'riley.rivera', { jobTitle: 'SOC analyst', department: 'Security' }),
    u(SEED_IDS.avery, 'Avery', 'Adams', 'avery.adams', { jobTitle: 'SOC lead', department: 'Security' }),
    u(SEED_IDS.parker, 'Parker', 'Patel', 'parker.patel', { jobTitle: 'Security engineer', department: 'Security' }),
    u(SEED_IDS.quinn, 'Quinn', 'Quigley', 'quinn.quigley', { jobTitle: 'CISO', department: 'Security' }),
    u(SEED_IDS.sam, 'Sam', 'Sato', 'sam.sato', { jobTitle: 'Intern', department: 'Sales' }),
    u(SEED_IDS.breakGlass, 'Break Glass', 'Emergency', 'breakglass', { displayName: 'Break Glass (emergency access)', jobTitle: null }),
    u(SEED_IDS.galeAdmin, 'Gale', 'Admin', 'gale.admin', { jobTitle: 'IT administrator', department: 'IT' }),
  ];
  const groups: SeedGroup[] = [
    { id: SEED_IDS.socApprovers, displayName: 'SOC Approvers', members: [SEED_IDS.avery, SEED_IDS.parker, SEED_IDS.quinn], kind: 'group' },
    { id: SEED_IDS.securityTeam, displayName: 'Security Team', members: [SEED_IDS.riley, SEED_IDS.socApprovers], kind: 'group' },
    { id: SEED_IDS.globalAdminRole, displayName: 'Global Administrator', members: [SEED_IDS.galeAdmin, SEED_IDS.breakGlass], kind: 'directoryRole', roleTemplateId: GLOBAL_ADMIN_TEMPLATE },
  ];

  let n = 0;
  const signIn = (who: SeedUser, hoursAgo: number, f: SignInFields): SeedSignIn => signInRow(now, ++n, who, hoursAgo, f);
  const alice = users[0];
  const stolenSession = '5e551000-0000-4000-8000-00000000a1ce';
  const attackerNet = { autonomousSystemNumber: 14061 };
  const attackerDevice = { deviceId: '', displayName: '', operatingSystem: 'Windows10', browser: 'Firefox 125.0', isCompliant: false, isManaged: false, trustType: '' };
  const signIns: SeedSignIn[] = [
    signIn(alice, 70, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP' }),
    // The phishing click: Alice signs in through the attacker's proxy; the session cookie is stolen.
    signIn(alice, 50, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP', sessionId: stolenSession }),
    // AiTM replay: OfficeHome, no device id, unfamiliar IP, same session id, Firefox/125.
    signIn(alice, 49.9, { ...attackerNet, ip: ATTACKER.ipv4, city: 'Singapore', country: 'SG', sessionId: stolenSession, userAgent: ATTACKER.userAgent, deviceDetail: attackerDevice, riskLevelDuringSignIn: 'high', riskState: 'atRisk' }),
    signIn(alice, 49.8, { autonomousSystemNumber: 17676, ip: ATTACKER.ipv6, city: 'Osaka', country: 'JP', sessionId: stolenSession, userAgent: ATTACKER.userAgent, deviceDetail: attackerDevice, appDisplayName: 'Office 365 Exchange Online', appId: '00000002-0000-0ff1-ce00-000000000000', riskLevelDuringSignIn: 'medium', riskState: 'atRisk' }),
    signIn(alice, 30, { ...attackerNet, ip: ATTACKER.ipv4, city: 'Singapore', country: 'SG', sessionId: stolenSession, userAgent: ATTACKER.userAgent, deviceDetail: attackerDevice, appDisplayName: 'Microsoft Graph Explorer', riskLevelDuringSignIn: 'medium', riskState: 'atRisk', isInteractive: false, signInEventTypes: ['nonInteractiveUser'] }),
    signIn(alice, 5, { ip: '203.0.113.10', city: 'Tokyo', country: 'JP' }),
  ];
  // Erin clicked the same link: an AiTM replay from the attacker's address an hour after the mail arrived.
  const erin = users.find((x) => x.id === SEED_IDS.erin)!;
  signIns.push(signIn(erin, 49.4, { ...attackerNet, ip: ATTACKER.ipv4, city: 'Singapore', country: 'SG', userAgent: ATTACKER.userAgent, deviceDetail: { ...attackerDevice }, riskLevelDuringSignIn: 'medium', riskState: 'atRisk', sessionId: '5e551000-0000-4000-8000-0000000e7100' }));
  // Carol's phone used another address of the attacker's hosting provider the evening the mail arrived.
  const carol = users.find((x) => x.id === SEED_IDS.carol)!;
  signIns.push(signIn(carol, 48, { ...attackerNet, ip: '152.42.170.3', city: 'Singapore', country: 'SG', deviceDetail: { ...attackerDevice, operatingSystem: 'iOS', browser: 'Mobile Safari' }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', appDisplayName: 'Office 365 Exchange Online', appId: '00000002-0000-0ff1-ce00-000000000000' }));
  // Someone is spraying with scripts: a failed python-requests sign-in for Ivan, a successful axios one for Judy.
  const ivan = users.find((x) => x.id === SEED_IDS.ivan)!;
  const judy = users.find((x) => x.id === SEED_IDS.judy)!;
  signIns.push(signIn(ivan, 20, { autonomousSystemNumber: 206728, ip: '45.155.205.99', city: 'Amsterdam', country: 'NL', userAgent: 'python-requests/2.31.0', clientAppUsed: 'Mobile Apps and Desktop clients', appDisplayName: 'Microsoft Office', deviceDetail: { ...attackerDevice, browser: '' }, status: { errorCode: 50126, failureReason: 'Invalid username or password.', additionalDetails: null } }));
  signIns.push(signIn(judy, 19, { autonomousSystemNumber: 206728, ip: '45.155.205.99', city: 'Amsterdam', country: 'NL', userAgent: 'axios/1.6.8', clientAppUsed: 'Mobile Apps and Desktop clients', appDisplayName: 'Microsoft Office', deviceDetail: { ...attackerDevice, browser: '' } }));
  // Bystanders sign in normally.
  for (const [i, who] of users.slice(1, 12).entries()) {
    signIns.push(signIn(who, 10 + i, { ip: `198.51.100.${20 + i}`, city: 'Tokyo', country: 'JP', deviceDetail: { deviceId: `d1ce0000-0000-4000-8000-0000000000${(10 + i).toString(16).padStart(2, '0')}`, displayName: `${who.givenName.toUpperCase()}-PC`, operatingSystem: 'Windows10', browser: 'Edge 124.0.0', isCompliant: true, isManaged: true, trustType: 'Azure AD joined' } }));
  }
  const objects = seedObjects(now);
  // Contain's own app, Microsoft Graph and the message-trace app are service principals of the tenant too.
  const { identityServicePrincipals, ...identity } = seedIdentity(now);
  objects.servicePrincipals.push(...identityServicePrincipals);
  return { users, signIns, groups, ...objects, ...identity, ...seedAlerts(now, users), ual: seedUal(now), auditQueries: [] };
}
