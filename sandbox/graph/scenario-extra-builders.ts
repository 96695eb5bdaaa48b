import { createEmailMethod, createMessageRule, createPhoneMethod, PHONE_METHOD_IDS, type PhoneType } from './create-objects';
import { ATTACKER } from './ids';
import type { SeedUser, TenantData } from './seed';
import { addApp } from './scenario-extra-apps';
import { code, DEVICES, HOUR, iso, KEYS, pad, PHONES, pick } from './scenario-extra-data';
import { FLOW_ENVIRONMENT, mailboxFolders } from './seed-objects';
import { flowBuilders } from './seed-mail';

/** One object of each kind at a time, with ids that continue from what the tenant already holds. */
export class Builders {
  private methodTurn = 0;
  constructor(
    readonly s: TenantData,
    readonly now: number,
    readonly user: SeedUser,
    private readonly attackerIp: string | undefined,
  ) {}

  seq(prefix: string, ids: string[]): number {
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

  audit(
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
    return addApp(this, k, at);
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
