import { z } from 'zod';
import { GRAPH_SP_ID } from './app-identity';
import { createEmailMethod, createMessageRule, createPhoneMethod, PHONE_METHOD_IDS, type PhoneType } from './create-objects';
import { ATTACKER, TENANT_ID } from './ids';
import type { SeedUser, TenantData } from './seed';
import { FLOW_ENVIRONMENT, mailboxFolders } from './seed-objects';
import { flowBuilders } from './seed-mail';

/** Per kind; enough for any card test, small enough that a typo cannot fill the sandbox. */
export const MAX_EXTRA = 100;
const count = z.number().int().min(0).max(MAX_EXTRA);

/** POST /sandbox/scenario with `user`: suspicious objects added to one user, N of each kind. */
export const extraSchema = z
  .object({
    user: z.string().min(1).max(200),
    extra: z.object({ inboxRules: count, methods: count, devices: count, apps: count, flows: count }).partial().strict(),
  })
  .strict();
export type ExtraInput = z.infer<typeof extraSchema>;

export interface ExtraResult {
  user: { id: string; upn: string };
  /**
   * What each added object's proposal will name, by kind: rule, method, device and flow ids; for apps, the consent's
   * grant id or the registration's application id.
   */
  added: { inboxRules: string[]; methods: string[]; devices: string[]; apps: string[]; flows: string[] };
}

const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(12, '0');
const iso = (t: number) => new Date(t).toISOString();
const pick = <T>(list: readonly T[], k: number) => list[k % list.length];

/**
 * Add suspicious objects to `user`, each one today's analysis flags (src/playbook/steps/03-07), for reasons that vary
 * from one object to the next as an attacker's leftovers do: hiding, deleting and forwarding rules; methods of several
 * types registered after the attacker's sign-in (phone, email and software OATH ones shown by the directory audit
 * from the attacker's address, as Graph gives them no creation time); Windows and other devices; consented apps with
 * mail scopes and odd names or localhost reply URLs, and apps the user registered with credentials added in the window;
 * flows created in the window. Everything is dated after the user's first risky sign-in (or 48 hours ago when there
 * is none), so it falls inside the intrusion window Contain will compute.
 */
export function addSuspiciousObjects(state: TenantData, now: number, user: SeedUser, input: ExtraInput): ExtraResult {
  const n = { inboxRules: 0, methods: 0, devices: 0, apps: 0, flows: 0, ...input.extra };
  const total = n.inboxRules + n.methods + n.devices + n.apps + n.flows;
  const attack = attackStart(state, now, user.id);
  // Spread over the time since the attack began, at most ten minutes apart, never in the future.
  const step = Math.max(0, Math.min(10 * 60_000, (now - attack.at - 10 * 60_000) / Math.max(total, 1)));
  let tick = 0;
  const next = () => Math.min(now - 60_000, attack.at + 5 * 60_000 + step * tick++);
  const b = new Builders(state, now, user, attack.ip);
  const added: ExtraResult['added'] = { inboxRules: [], methods: [], devices: [], apps: [], flows: [] };
  for (let k = 0; k < n.methods; k++) added.methods.push(b.method(next()));
  for (let k = 0; k < n.devices; k++) added.devices.push(b.device(k, next()));
  for (let k = 0; k < n.apps; k++) added.apps.push(b.app(k, next()));
  for (let k = 0; k < n.inboxRules; k++) added.inboxRules.push(b.rule(k));
  for (let k = 0; k < n.flows; k++) added.flows.push(b.flow(k, next()));
  return { user: { id: user.id, upn: user.userPrincipalName }, added };
}

/**
 * When the attacker got in: the earliest of the sign-ins Contain would read as suspicious (risk flagged, or no device
 * id) in the last 7 days, among the six latest of them, since Contain looks at no more; and the address it came from.
 */
function attackStart(state: TenantData, now: number, userId: string): { at: number; ip?: string } {
  const since = iso(now - 7 * 24 * HOUR);
  const risky = state.signIns
    .filter((s) => s.userId === userId && s.createdDateTime >= since && (s.riskLevelDuringSignIn !== 'none' || !s.deviceDetail.deviceId))
    .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime))
    .slice(0, 6);
  const first = risky.at(-1);
  return first ? { at: Date.parse(first.createdDateTime), ip: first.ipAddress } : { at: now - 48 * HOUR };
}

const PHONES = ['iPhone 13', 'SM-S918B', 'Pixel 7', 'iPhone 15 Pro', 'moto g84 5G'];
const KEYS = [
  { model: 'YubiKey 5 NFC', aaGuid: 'fa2b99dc-9e39-4257-8f92-4a30d23c4118' },
  { model: 'Feitian ePass FIDO2', aaGuid: '833b721a-ff5f-4d00-bb2e-bdda3ec01e29' },
  { model: 'Google Titan Security Key v2', aaGuid: '42b4fb4a-2866-43b2-9bf7-82d9ae1fa7b6' },
];
const DEVICES = [
  { os: 'Windows', version: '10.0.22631.3880', name: (c: string) => `DESKTOP-${c}`, trust: 'Workplace' },
  { os: 'iOS', version: '17.5.1', name: () => 'iPhone', trust: 'Workplace' },
  { os: 'Android', version: '14', name: () => 'SM-A546B', trust: 'Workplace' },
  { os: 'Windows', version: '10.0.19045.4651', name: (c: string) => `WIN-${c}QX`, trust: 'AzureAd' },
  { os: 'MacOS', version: '14.5', name: () => 'MacBook Pro', trust: 'Workplace' },
  { os: 'iPadOS', version: '17.5', name: () => 'iPad', trust: 'Workplace' },
  { os: 'Linux', version: 'Kali GNU/Linux Rolling', name: () => 'kali', trust: 'Workplace' },
  { os: 'Android', version: '14', name: () => 'Pixel', trust: 'Workplace' },
];
const FOREIGN_TENANTS = [
  '7d1a3f00-0000-4000-8000-00000000f001',
  '7d1a3f00-0000-4000-8000-00000000f002',
  '7d1a3f00-0000-4000-8000-00000000f003',
];
const CERT = Buffer.from('sandbox: public certificate of an app the attacker registered').toString('base64');

/** One object of each kind at a time, with ids that continue from what the tenant already holds. */
class Builders {
  private methodTurn = 0;
  constructor(
    private readonly s: TenantData,
    private readonly now: number,
    private readonly user: SeedUser,
    private readonly attackerIp: string | undefined,
  ) {}

  private seq(prefix: string, ids: string[]): number {
    return ids.filter((id) => id.startsWith(prefix)).length;
  }

  private actor() {
    return {
      user: {
        id: this.user.id,
        displayName: this.user.displayName,
        userPrincipalName: this.user.userPrincipalName,
        ipAddress: this.attackerIp ?? ATTACKER.ipv4,
      },
      app: null,
    };
  }

  private audit(
    at: number,
    category: string,
    activity: string,
    target: { id: string; displayName: string; type: string },
    extra: Record<string, unknown> = {},
  ): void {
    const n = this.seq(
      'Directory_extra_',
      this.s.audits.map((a) => String(a.data.id)),
    );
    this.s.audits.push({
      data: {
        id: `Directory_extra_${n}`,
        category,
        correlationId: `c0a1e000-0000-4000-8000-e${pad(n).slice(1)}`,
        result: 'success',
        resultReason: '',
        activityDisplayName: activity,
        activityDateTime: iso(at),
        loggedByService: 'Core Directory',
        operationType: 'Add',
        initiatedBy: this.actor(),
        targetResources: [target],
        additionalDetails: [],
        ...extra,
      },
    });
  }

  /** The next method type this user can still take, in turn; audit-only types need the attacker's address. */
  method(at: number): string {
    const mine = this.s.methods.filter((m) => m.userId === this.user.id);
    const phoneFree = (['mobile', 'alternateMobile', 'office'] as PhoneType[]).filter(
      (t) => !mine.some((m) => m.id === PHONE_METHOD_IDS[t]),
    );
    const kinds: { kind: string; can: boolean }[] = [
      { kind: 'microsoftAuthenticator', can: true },
      { kind: 'fido2', can: true },
      { kind: 'phone', can: !!this.attackerIp && phoneFree.length > 0 },
      { kind: 'windowsHelloForBusiness', can: true },
      { kind: 'email', can: !!this.attackerIp && !mine.some((m) => m.type === 'email') },
      { kind: 'softwareOath', can: !!this.attackerIp },
    ];
    let choice = kinds[this.methodTurn++ % kinds.length];
    while (!choice.can) choice = kinds[this.methodTurn++ % kinds.length];
    const k = this.methodTurn;
    const n = this.seq(
      'b2f1e000-',
      this.s.methods.map((m) => m.id),
    );
    const id = `b2f1e000-0000-4000-8000-${pad(n)}`;
    const created = iso(at);
    const registered = (reason: string, method: string) =>
      this.audit(
        at,
        'UserManagement',
        'User registered security info',
        { id: this.user.id, displayName: this.user.displayName, type: 'User' },
        { resultReason: reason, loggedByService: 'Authentication Methods', additionalDetails: [{ key: 'Method', value: method }] },
      );
    const push = (type: string, data: Record<string, unknown>) => {
      this.s.methods.push({ userId: this.user.id, type, id, data: { id, ...data } });
      return id;
    };
    switch (choice.kind) {
      case 'microsoftAuthenticator':
        return push('microsoftAuthenticator', {
          '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
          displayName: pick(PHONES, k),
          deviceTag: 'SoftwareTokenActivated',
          phoneAppVersion: '6.8.9',
          createdDateTime: created,
        });
      case 'fido2': {
        const key = pick(KEYS, k);
        return push('fido2', {
          '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
          displayName: 'Security key',
          aaGuid: key.aaGuid,
          model: key.model,
          attestationLevel: 'notAttested',
          createdDateTime: created,
        });
      }
      case 'windowsHelloForBusiness':
        return push('windowsHelloForBusiness', {
          '@odata.type': '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
          displayName: `DESKTOP-${code(n)}`,
          keyStrength: 'normal',
          createdDateTime: created,
        });
      case 'phone': {
        const type = phoneFree.includes('mobile') ? 'mobile' : phoneFree[0];
        registered(
          `User registered ${type === 'office' ? 'Office Phone' : type === 'mobile' ? 'Mobile Phone SMS' : 'Alternate Mobile Phone'}`,
          'Phone',
        );
        return String(
          createPhoneMethod(this.s, this.user.id, { phoneType: type, phoneNumber: `+44 7700${String(900100 + n).slice(-6)}` }).id,
        );
      }
      case 'email':
        registered('User registered Email', 'Email');
        return String(
          createEmailMethod(this.s, this.user.id, {
            emailAddress: `${this.user.userPrincipalName.split('@')[0]}.recovery@outlook-mail.example`,
          }).id,
        );
      default:
        registered('User registered Software OATH token', 'Software OATH token');
        return push('softwareOath', { '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', secretKey: null });
    }
  }

  device(k: number, at: number): string {
    const n = this.seq(
      'de7e0000-',
      this.s.devices.map((d) => String(d.data.id)),
    );
    const id = `de7e0000-0000-4000-8000-${pad(n)}`;
    const kind = pick(DEVICES, k);
    const name = kind.name(code(n));
    this.s.devices.push({
      ownerId: this.user.id,
      data: {
        '@odata.type': '#microsoft.graph.device',
        id,
        deviceId: `d1ce7e00-0000-4000-8000-${pad(n)}`,
        displayName: name,
        operatingSystem: kind.os,
        operatingSystemVersion: kind.version,
        trustType: kind.trust,
        registrationDateTime: iso(at),
        approximateLastSignInDateTime: iso(at),
        accountEnabled: true,
        isCompliant: false,
        isManaged: false,
      },
    });
    this.audit(
      at,
      'Device',
      'Register device',
      { id, displayName: name, type: 'Device' },
      { loggedByService: 'Device Registration Service', additionalDetails: [{ key: 'Device Trust Type', value: kind.trust }] },
    );
    return id;
  }

  /** Consents (0-2: in the window; punctuation name and mail scopes; localhost reply URL) and registrations (3-5). */
  app(k: number, at: number): string {
    const n =
      this.seq(
        '5b0e0000-',
        this.s.servicePrincipals.map((p) => String(p.data.id)),
      ) +
      this.seq(
        'a99e0000-',
        this.s.applications.map((a) => String(a.data.id)),
      );
    const spId = `5b0e0000-0000-4000-8000-${pad(n)}`;
    const appObjectId = `a99e0000-0000-4000-8000-${pad(n)}`;
    const appId = `a9a1d000-0000-4000-8000-${pad(n)}`;
    const sp = (displayName: string, owner: string, replyUrls: string[]) =>
      this.s.servicePrincipals.push({
        data: {
          id: spId,
          appId,
          displayName,
          accountEnabled: true,
          appOwnerOrganizationId: owner,
          servicePrincipalType: 'Application',
          replyUrls,
          tags: [],
        },
      });
    const grant = (scope: string) => {
      const id = `gX${pad(n)}${'0'.repeat(29)}`;
      this.s.grants.push({
        data: { id, clientId: spId, consentType: 'Principal', principalId: this.user.id, resourceId: GRAPH_SP_ID, scope },
      });
      return id;
    };
    const spTarget = (displayName: string) => ({ id: spId, displayName, type: 'ServicePrincipal' });
    const secret = (start: number, hint: string) => ({
      keyId: `ce5e0000-0000-4000-8000-${pad(n * 2 + (start < at ? 0 : 1))}`,
      displayName: 'key',
      hint,
      startDateTime: iso(start),
      endDateTime: iso(start + 730 * 24 * HOUR),
      secretText: null,
    });
    const register = (displayName: string, created: number, redirectUris: string[], credentials: Record<string, unknown>) => {
      this.s.applications.push({
        ownerIds: [this.user.id],
        data: {
          id: appObjectId,
          appId,
          displayName,
          createdDateTime: iso(created),
          signInAudience: 'AzureADMultipleOrgs',
          web: { redirectUris },
          passwordCredentials: [],
          keyCredentials: [],
          ...credentials,
        },
      });
      return appObjectId;
    };
    switch (k % 6) {
      case 0: {
        const name = pick(['Mail Backup Pro', 'PDF Reader Online', 'Secure Docs Viewer'], n);
        sp(name, pick(FOREIGN_TENANTS, n), [`https://${name.toLowerCase().replace(/ /g, '-')}.example/auth`]);
        this.audit(at, 'ApplicationManagement', 'Add service principal', spTarget(name), {
          additionalDetails: [{ key: 'AppId', value: appId }],
        });
        this.audit(at + 60_000, 'ApplicationManagement', 'Consent to application', spTarget(name), {
          operationType: 'Assign',
          additionalDetails: [
            { key: 'AppId', value: appId },
            { key: 'ConsentType', value: 'Principal' },
          ],
        });
        return grant('Mail.Read offline_access User.Read');
      }
      case 1:
        sp(pick(['...', '-', '_', '..'], n), pick(FOREIGN_TENANTS, n + 1), ['https://login.app-consent.example/callback']);
        return grant('Mail.ReadWrite Mail.Send User.Read');
      case 2:
        sp('Outlook Sync Tool', pick(FOREIGN_TENANTS, n + 2), [`http://localhost:${8400 + n}/`]);
        return grant('EWS.AccessAsUser.All offline_access openid');
      case 3: {
        const name = pick(['Docs Viewer', 'Teams Helper', 'Invoice App'], n);
        this.audit(
          at,
          'ApplicationManagement',
          'Add application',
          { id: appObjectId, displayName: name, type: 'Application' },
          { additionalDetails: [{ key: 'AppId', value: appId }] },
        );
        return register(name, at, [`http://localhost:${3000 + n}/auth`], { passwordCredentials: [secret(at, 'Qx~')] });
      }
      case 4: {
        this.audit(
          at,
          'ApplicationManagement',
          'Add application',
          { id: appObjectId, displayName: ':', type: 'Application' },
          { additionalDetails: [{ key: 'AppId', value: appId }] },
        );
        const key = {
          keyId: `ce5e0000-0000-4000-8000-${pad(n * 2 + 1)}`,
          displayName: 'CN=:',
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
          startDateTime: iso(at),
          endDateTime: iso(at + 365 * 24 * HOUR),
          customKeyIdentifier: null,
          key: CERT,
        };
        return register(':', at, ['https://jwt.ms'], { keyCredentials: [key] });
      }
      default: {
        // The user's own old app, consented long ago: only the secret the attacker added in the window is theirs.
        const created = this.now - 200 * 24 * HOUR;
        sp('zz', TENANT_ID, [`http://localhost:${5000 + n}/`]);
        grant('User.Read offline_access');
        this.audit(
          at,
          'ApplicationManagement',
          'Update application – Certificates and secrets management ',
          { id: appObjectId, displayName: 'zz', type: 'Application' },
          { operationType: 'Update' },
        );
        return register('zz', created, [`http://localhost:${5000 + n}/`], {
          passwordCredentials: [secret(created, 'old'), secret(at, 'N7~')],
        });
      }
    }
  }

  /** Hiding, deleting and forwarding rules, in the user's well-known folders (added where the mailbox lacks them). */
  rule(k: number): string {
    const has = (w?: string) => this.s.folders.some((f) => f.userId === this.user.id && f.wellKnown === w);
    this.s.folders.push(...mailboxFolders(this.user.id).filter((f) => !has(f.wellKnown)));
    const folder = (w: string) => this.s.folders.find((f) => f.userId === this.user.id && f.wellKnown === w)!.id;
    const mine = this.s.rules.filter((r) => r.userId === this.user.id);
    const n = this.seq(
      'AQAAAJ7x',
      this.s.rules.map((r) => String(r.data.id)),
    );
    const to = (address: string) => [{ emailAddress: { name: address.split('@')[0], address } }];
    const variants: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        '.',
        { subjectOrBodyContains: ['invoice', 'remittance', 'payment'] },
        { moveToFolder: folder('deleteditems'), markAsRead: true, stopProcessingRules: true },
      ],
      ['..', { senderContains: ['@fabrikam-payroll.example'] }, { moveToFolder: folder('rssfeeds'), markAsRead: true }],
      ['x', { subjectContains: ['unusual sign-in', 'security alert', 'password'] }, { delete: true }],
      ['Updates', { bodyContains: ['wire', 'bank details'] }, { forwardTo: to(`ap.desk${n}@fabrikam-finance.example`) }],
      [
        ',,',
        { fromAddresses: to(`it-helpdesk@${this.user.userPrincipalName.split('@')[1]}`) },
        { moveToFolder: folder('conversationhistory'), markAsRead: true },
      ],
      ['Mail sync', {}, { redirectTo: to(`archive.box${n}@proton-mail.example`) }],
      ['-', { senderContains: ['microsoftonline.com', 'accountprotection.microsoft.com'] }, { moveToFolder: folder('junkemail') }],
      ['Clean up', { subjectContains: ['MFA', 'verification code'] }, { permanentDelete: true }],
      ['...', { importance: 'high' }, { moveToFolder: folder('archive'), markAsRead: true }],
      ['Invoices', { hasAttachments: true }, { forwardAsAttachmentTo: to(`scan${n}@docs-cloud.example`) }],
    ];
    const [displayName, conditions, actions] = pick(variants, k);
    const sequence = Math.max(0, ...mine.map((r) => Number(r.data.sequence))) + 1;
    return String(
      createMessageRule(
        this.s,
        this.user.id,
        { displayName, sequence, isEnabled: true, conditions, actions },
        `AQAAAJ7x${String(n).padStart(4, '0')}=`,
      ).id,
    );
  }

  flow(k: number, at: number): string {
    const n = this.seq(
      'f10e0000-',
      this.s.flows.map((f) => String(f.data.name)),
    );
    const id = `f10e0000-0000-4000-8000-${pad(n)}`;
    const { connector, op, flow, outlook } = flowBuilders(this.now, 1000 + n * 10);
    const newMail = op('OpenApiConnectionNotification', 'OnNewEmailV3', outlook);
    const hoursAgo = (this.now - at) / HOUR;
    const variants: [string, Record<string, unknown>[], Record<string, unknown>[]][] = [
      ['Sync', [newMail], [op('OpenApiConnection', 'ForwardEmail_V2', outlook)]],
      ['Backup', [newMail], [op('OpenApiConnection', 'SendEmailV2', outlook)]],
      [
        'Daily report',
        [op('Recurrence')],
        [
          op('OpenApiConnection', 'GetItems', connector('shared_sharepointonline', 'SharePoint')),
          op('OpenApiConnection', 'SendEmailV2', outlook),
        ],
      ],
      [
        'Copy files',
        [op('OpenApiConnectionNotification', 'OnNewFileV2', connector('shared_onedriveforbusiness', 'OneDrive for Business'))],
        [op('OpenApiConnection', 'CreateFile', connector('shared_dropbox', 'Dropbox'))],
      ],
      ['Forward to Gmail', [newMail], [op('OpenApiConnection', 'SendEmail', connector('shared_gmail', 'Gmail'))]],
      ['.', [op('Request')], [op('Http')]],
    ];
    const [name, triggers, actions] = pick(variants, k);
    this.s.flows.push({ environment: FLOW_ENVIRONMENT, data: flow(id, name, this.user.id, hoursAgo, triggers, actions) });
    return id;
  }
}

/** Seven upper-case letters and digits, like the names Windows gives itself. */
function code(n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let x = (n + 1) * 2_654_435_761;
  let out = '';
  for (let i = 0; i < 7; i++) {
    out += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + 7919 * (i + 1);
  }
  return out;
}
