/**
 * The objects steps 2-7 look at, for Alice's incident (the attacker's additions) and for bystanders (benign ones).
 * Shapes follow Graph v1.0 and the Power Automate admin API; fields the services do not return (isDefault, ownerId)
 * are sandbox-internal and stripped before answering.
 */
import { SEED_IDS } from './ids';
import { ALICE_OBJECTS, iso, type SeedDevice, type SeedFolder, type SeedMethod, type SeedRule } from './seed-shapes';
import { seedApps } from './seed-apps';
import { seedFlowsAndMail } from './seed-mail';
import { seedPolicies } from './seed-policies';

export {
  ALICE_OBJECTS,
  FLOW_ENVIRONMENT,
  iso,
  type SeedApplication,
  type SeedAudit,
  type SeedDevice,
  type SeedFlow,
  type SeedFolder,
  type SeedGrant,
  type SeedMethod,
  type SeedRule,
  type SeedServicePrincipal,
} from './seed-shapes';

export function folderId(userId: string, name: string): string {
  return Buffer.from(`${userId}:${name}`).toString('base64').replace(/=+$/, '') + 'AAA=';
}

/** The well-known folders every mailbox has, by their Graph well-known names. */
export const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: 'Inbox',
  deleteditems: 'Deleted Items',
  junkemail: 'Junk Email',
  archive: 'Archive',
  rssfeeds: 'RSS Feeds',
  conversationhistory: 'Conversation History',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
};

/** A mailbox's well-known folders, with the sandbox's ids. */
export const mailboxFolders = (userId: string): SeedFolder[] =>
  Object.entries(WELL_KNOWN_FOLDERS).map(([w, displayName]) => ({ userId, id: folderId(userId, w), wellKnown: w, displayName }));

/** A user's password method: Graph gives every user's the same fixed id and never shows the password. */
const passwordMethod = (userId: string, createdDateTime: string): SeedMethod => ({
  userId,
  type: 'password',
  id: ALICE_OBJECTS.passwordMethod,
  data: {
    '@odata.type': '#microsoft.graph.passwordAuthenticationMethod',
    id: ALICE_OBJECTS.passwordMethod,
    password: null,
    createdDateTime,
  },
});

export function seedObjects(now: number) {
  const A = ALICE_OBJECTS;
  const alice = SEED_IDS.alice;
  const bob = SEED_IDS.bob;
  const folders: SeedFolder[] = Object.values(SEED_IDS).flatMap(mailboxFolders);
  folders.push({ userId: alice, id: folderId(alice, 'Newsletters'), displayName: 'Newsletters' });
  folders.push({ userId: bob, id: folderId(bob, 'Team'), displayName: 'Team' });
  const fid = (u: string, n: string) => folders.find((f) => f.userId === u && (f.wellKnown === n || f.displayName === n))!.id;

  const methods: SeedMethod[] = [
    passwordMethod(alice, iso(now, 24 * 90)),
    {
      userId: alice,
      type: 'microsoftAuthenticator',
      id: A.legitAuthenticator,
      isDefault: true,
      data: {
        '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
        id: A.legitAuthenticator,
        displayName: 'Pixel 8 (Alice)',
        deviceTag: 'SoftwareTokenActivated',
        phoneAppVersion: '6.2404.2229',
        createdDateTime: iso(now, 24 * 200),
      },
    },
    {
      userId: alice,
      type: 'fido2',
      id: A.legitFido2,
      data: {
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
        id: A.legitFido2,
        displayName: 'YubiKey 5C',
        aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
        model: 'YubiKey 5 Series',
        createdDateTime: iso(now, 24 * 150),
      },
    },
    // Added by the attacker: an Authenticator on their phone (inside the window) and an SMS number (no createdDateTime
    // in Graph; the directory audit shows it was registered from the attacker's IP).
    {
      userId: alice,
      type: 'microsoftAuthenticator',
      id: A.attackerAuthenticator,
      data: {
        '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
        id: A.attackerAuthenticator,
        displayName: 'iPhone 15',
        deviceTag: 'SoftwareTokenActivated',
        phoneAppVersion: '6.8.5',
        createdDateTime: iso(now, 49.5),
      },
    },
    {
      userId: alice,
      type: 'phone',
      id: A.attackerPhone,
      data: {
        '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
        id: A.attackerPhone,
        phoneNumber: '+1 5550100199',
        phoneType: 'mobile',
        smsSignInState: 'notAllowedByPolicy',
      },
    },
    // Bob: benign and old.
    passwordMethod(bob, iso(now, 24 * 60)),
    {
      userId: bob,
      type: 'phone',
      id: A.attackerPhone,
      isDefault: true,
      data: {
        '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
        id: A.attackerPhone,
        phoneNumber: '+81 9012345678',
        phoneType: 'mobile',
        smsSignInState: 'notAllowedByPolicy',
      },
    },
    {
      userId: bob,
      type: 'microsoftAuthenticator',
      id: 'b2f1a7c0-0000-4000-8000-00000000b0b1',
      data: {
        '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
        id: 'b2f1a7c0-0000-4000-8000-00000000b0b1',
        displayName: 'Galaxy S23',
        deviceTag: 'SoftwareTokenActivated',
        phoneAppVersion: '6.2404.2229',
        createdDateTime: iso(now, 24 * 300),
      },
    },
  ];

  const device = (id: string, name: string, os: string, trust: string, hoursAgo: number, extra: Record<string, unknown> = {}) => ({
    '@odata.type': '#microsoft.graph.device',
    id,
    deviceId: id.replace(/^de71ce00/, 'd1ce1d00'),
    displayName: name,
    operatingSystem: os,
    operatingSystemVersion: os === 'Windows' ? '10.0.22631.3447' : '17.4.1',
    trustType: trust,
    registrationDateTime: iso(now, hoursAgo),
    approximateLastSignInDateTime: iso(now, Math.min(hoursAgo, 5)),
    accountEnabled: true,
    isCompliant: trust === 'AzureAd',
    isManaged: trust === 'AzureAd',
    ...extra,
  });
  const devices: SeedDevice[] = [
    { ownerId: alice, data: device(A.legitLaptop, 'ALICE-LAPTOP', 'Windows', 'AzureAd', 24 * 400) },
    { ownerId: alice, data: device(A.attackerWindowsDevice, 'DESKTOP-7Q2V9KD', 'Windows', 'Workplace', 49.6) },
    { ownerId: alice, data: device(A.attackerIphone, 'iPhone', 'iOS', 'Workplace', 49.2) },
    { ownerId: bob, data: device('de71ce00-0000-4000-8000-00000000b0b1', 'BOB-PC', 'Windows', 'AzureAd', 24 * 500) },
    { ownerId: bob, data: device('de71ce00-0000-4000-8000-00000000b0b2', 'Bob’s iPhone', 'iOS', 'Workplace', 24 * 120) },
  ];

  const rules: SeedRule[] = [
    {
      userId: alice,
      data: {
        id: A.ruleDot,
        displayName: '.',
        sequence: 1,
        isEnabled: true,
        hasError: false,
        isReadOnly: false,
        conditions: { subjectOrBodyContains: ['invoice', 'payment', 'wire', 'bank'] },
        actions: { moveToFolder: fid(alice, 'deleteditems'), markAsRead: true, stopProcessingRules: true },
      },
    },
    {
      userId: alice,
      data: {
        id: A.ruleDotDot,
        displayName: '..',
        sequence: 2,
        isEnabled: true,
        hasError: false,
        isReadOnly: false,
        conditions: { senderContains: ['@fabrikam-finance.example'] },
        actions: { moveToFolder: fid(alice, 'rssfeeds'), markAsRead: true, stopProcessingRules: true },
      },
    },
    {
      userId: alice,
      data: {
        id: A.legitRule,
        displayName: 'Newsletters',
        sequence: 3,
        isEnabled: true,
        hasError: false,
        isReadOnly: false,
        conditions: { fromAddresses: [{ emailAddress: { name: 'Contoso News', address: 'news@contoso.example' } }] },
        actions: { moveToFolder: fid(alice, 'Newsletters'), stopProcessingRules: false },
      },
    },
    {
      userId: bob,
      data: {
        id: 'AQAAAJ5dZqB=',
        displayName: 'Team updates',
        sequence: 1,
        isEnabled: true,
        hasError: false,
        isReadOnly: false,
        conditions: { subjectContains: ['[team]'] },
        actions: { moveToFolder: fid(bob, 'Team') },
      },
    },
    {
      userId: bob,
      data: {
        id: 'AQAAAJ5dZqC=',
        displayName: 'Holiday cover',
        sequence: 2,
        isEnabled: false,
        hasError: false,
        isReadOnly: false,
        conditions: { importance: 'high' },
        actions: { forwardTo: [{ emailAddress: { name: 'Carol Chen', address: 'carol.chen@contoso.example' } }] },
      },
    },
  ];
  return { methods, devices, folders, rules, ...seedApps(now), ...seedFlowsAndMail(now), ...seedPolicies(now) };
}
