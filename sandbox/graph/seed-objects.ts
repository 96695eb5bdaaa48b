/**
 * The objects steps 2-7 look at, for Alice's incident (the attacker's additions) and for bystanders (benign ones).
 * Shapes follow Graph v1.0 and the Power Automate admin API; fields the services do not return (isDefault, ownerId)
 * are sandbox-internal and stripped before answering.
 */
import { ATTACKER, SEED_IDS, TENANT_ID } from './ids';

const iso = (now: number, hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
const MICROSOFT_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export interface SeedMethod { userId: string; type: string; id: string; isDefault?: boolean; data: Record<string, unknown> }
export interface SeedDevice { ownerId: string; data: Record<string, unknown> }
export interface SeedFolder { userId: string; id: string; wellKnown?: string; displayName: string }
export interface SeedRule { userId: string; data: Record<string, unknown> }
export interface SeedGrant { data: Record<string, unknown> }
export interface SeedServicePrincipal { data: Record<string, unknown> }
export interface SeedApplication { ownerIds: string[]; data: Record<string, unknown> }
export interface SeedAudit { data: Record<string, unknown> }
export interface SeedFlow { environment: string; data: Record<string, unknown> }

export const FLOW_ENVIRONMENT = `Default-${TENANT_ID}`;
export const ALICE_OBJECTS = {
  attackerAuthenticator: 'b2f1a7c0-0000-4000-8000-00000000ad01',
  attackerPhone: '3179e48a-750b-4051-897c-87b9720928f7', // mobile phone methods have this fixed id in Graph
  legitAuthenticator: 'b2f1a7c0-0000-4000-8000-00000000a101',
  legitFido2: 'f1d02000-0000-4000-8000-00000000a102',
  passwordMethod: '28c10230-6103-485e-b985-444c60001490', // the password method's fixed id in Graph
  attackerWindowsDevice: 'de71ce00-0000-4000-8000-00000000ad01',
  attackerIphone: 'de71ce00-0000-4000-8000-00000000ad02',
  legitLaptop: 'de71ce00-0000-4000-8000-00000000a101',
  ruleDot: 'AQAAAJ5dZq0=',
  ruleDotDot: 'AQAAAJ5dZq4=',
  legitRule: 'AQAAAJ5dZqA=',
  grantAttacker: 'gAtt4ckerGrant0000000000000000000000000000000',
  grantTeams: 'gT3amsGrant00000000000000000000000000000000000',
  spAttacker: '5b000000-0000-4000-8000-00000000ad01',
  spTeams: '5b000000-0000-4000-8000-00000000a101',
  appAttacker: 'a9900000-0000-4000-8000-00000000ad01',
  attackerSecret: 'ce500000-0000-4000-8000-00000000ad01',
  attackerCert: 'ce500000-0000-4000-8000-00000000ad02',
  flowAttacker: 'f1000000-0000-4000-8000-00000000ad01',
  flowLegit: 'f1000000-0000-4000-8000-00000000a101',
};

/** A stand-in for the attacker's certificate (base64 DER in real tenants; any base64 here). */
const ATTACKER_CERT = Buffer.from('sandbox: public certificate of the attacker app "..", CN=..').toString('base64');

export function folderId(userId: string, name: string): string {
  return Buffer.from(`${userId}:${name}`).toString('base64').replace(/=+$/, '') + 'AAA=';
}

/** The well-known folders every mailbox has, by their Graph well-known names. */
export const WELL_KNOWN_FOLDERS: Record<string, string> = { inbox: 'Inbox', deleteditems: 'Deleted Items', junkemail: 'Junk Email', archive: 'Archive', rssfeeds: 'RSS Feeds', conversationhistory: 'Conversation History', sentitems: 'Sent Items', drafts: 'Drafts' };

/** A mailbox's well-known folders, with the sandbox's ids. */
export const mailboxFolders = (userId: string): SeedFolder[] => Object.entries(WELL_KNOWN_FOLDERS).map(([w, displayName]) => ({ userId, id: folderId(userId, w), wellKnown: w, displayName }));

/**
 * Flows in the admin list's shape (as PnP's and Microsoft's PowerShell see it): definitionSummary names each trigger's
 * and action's type, operation and connector, never their inputs; so no recipients, subjects or URLs. Operation
 * metadata ids count from `firstOp`, so that a reseed gives the same ids.
 */
export function flowBuilders(now: number, firstOp = 0) {
  const connector = (name: string, displayName: string) => ({ name, id: `/providers/Microsoft.PowerApps/apis/${name}`, displayName, type: '/providers/Microsoft.PowerApps/apis' });
  let opSeq = firstOp;
  const op = (type: string, swaggerOperationId?: string, api?: ReturnType<typeof connector>) => ({ type, ...(swaggerOperationId ? { swaggerOperationId } : {}), ...(api ? { api } : {}), metadata: { operationMetadataId: `0be7a000-0000-4000-8000-${(++opSeq).toString().padStart(12, '0')}` } });
  const flow = (id: string, name: string, creator: string, hoursAgo: number, triggers: Record<string, unknown>[], actions: Record<string, unknown>[]) => ({
    name: id, id: `/providers/Microsoft.ProcessSimple/environments/${FLOW_ENVIRONMENT}/flows/${id}`, type: 'Microsoft.ProcessSimple/environments/flows',
    properties: {
      apiId: '/providers/Microsoft.PowerApps/apis/shared_logicflows', displayName: name, state: 'Started', createdTime: iso(now, hoursAgo), lastModifiedTime: iso(now, hoursAgo),
      environment: { name: FLOW_ENVIRONMENT, type: 'Microsoft.ProcessSimple/environments', id: `/providers/Microsoft.ProcessSimple/environments/${FLOW_ENVIRONMENT}` },
      definitionSummary: { triggers, actions }, creator: { tenantId: TENANT_ID, objectId: creator, userId: creator, userType: 'ActiveDirectory' }, provisioningMethod: 'FromDefinition', flowFailureAlertSubscribed: true,
    },
  });
  return { connector, op, flow, outlook: connector('shared_office365', 'Office 365 Outlook') };
}

export function seedObjects(now: number) {
  const A = ALICE_OBJECTS;
  const alice = SEED_IDS.alice;
  const bob = SEED_IDS.bob;
  const folders: SeedFolder[] = Object.values(SEED_IDS).flatMap(mailboxFolders);
  folders.push({ userId: alice, id: folderId(alice, 'Newsletters'), displayName: 'Newsletters' });
  folders.push({ userId: bob, id: folderId(bob, 'Team'), displayName: 'Team' });
  const fid = (u: string, n: string) => folders.find((f) => f.userId === u && (f.wellKnown === n || f.displayName === n))!.id;

  const methods: SeedMethod[] = [
    { userId: alice, type: 'password', id: A.passwordMethod, data: { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: A.passwordMethod, password: null, createdDateTime: iso(now, 24 * 90) } },
    { userId: alice, type: 'microsoftAuthenticator', id: A.legitAuthenticator, isDefault: true, data: { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: A.legitAuthenticator, displayName: 'Pixel 8 (Alice)', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.2404.2229', createdDateTime: iso(now, 24 * 200) } },
    { userId: alice, type: 'fido2', id: A.legitFido2, data: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: A.legitFido2, displayName: 'YubiKey 5C', aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', model: 'YubiKey 5 Series', createdDateTime: iso(now, 24 * 150) } },
    // Added by the attacker: an Authenticator on their phone (inside the window) and an SMS number (no createdDateTime
    // in Graph; the directory audit shows it was registered from the attacker's IP).
    { userId: alice, type: 'microsoftAuthenticator', id: A.attackerAuthenticator, data: { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: A.attackerAuthenticator, displayName: 'iPhone 15', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.5', createdDateTime: iso(now, 49.5) } },
    { userId: alice, type: 'phone', id: A.attackerPhone, data: { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: A.attackerPhone, phoneNumber: '+1 5550100199', phoneType: 'mobile', smsSignInState: 'notAllowedByPolicy' } },
    // Bob: benign and old.
    { userId: bob, type: 'password', id: A.passwordMethod, data: { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: A.passwordMethod, password: null, createdDateTime: iso(now, 24 * 60) } },
    { userId: bob, type: 'phone', id: A.attackerPhone, isDefault: true, data: { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: A.attackerPhone, phoneNumber: '+81 9012345678', phoneType: 'mobile', smsSignInState: 'notAllowedByPolicy' } },
    { userId: bob, type: 'microsoftAuthenticator', id: 'b2f1a7c0-0000-4000-8000-00000000b0b1', data: { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'b2f1a7c0-0000-4000-8000-00000000b0b1', displayName: 'Galaxy S23', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.2404.2229', createdDateTime: iso(now, 24 * 300) } },
  ];

  const device = (id: string, name: string, os: string, trust: string, hoursAgo: number, extra: Record<string, unknown> = {}) => ({
    '@odata.type': '#microsoft.graph.device', id, deviceId: id.replace(/^de71ce00/, 'd1ce1d00'), displayName: name, operatingSystem: os, operatingSystemVersion: os === 'Windows' ? '10.0.22631.3447' : '17.4.1',
    trustType: trust, registrationDateTime: iso(now, hoursAgo), approximateLastSignInDateTime: iso(now, Math.min(hoursAgo, 5)), accountEnabled: true, isCompliant: trust === 'AzureAd', isManaged: trust === 'AzureAd', ...extra,
  });
  const devices: SeedDevice[] = [
    { ownerId: alice, data: device(A.legitLaptop, 'ALICE-LAPTOP', 'Windows', 'AzureAd', 24 * 400) },
    { ownerId: alice, data: device(A.attackerWindowsDevice, 'DESKTOP-7Q2V9KD', 'Windows', 'Workplace', 49.6) },
    { ownerId: alice, data: device(A.attackerIphone, 'iPhone', 'iOS', 'Workplace', 49.2) },
    { ownerId: bob, data: device('de71ce00-0000-4000-8000-00000000b0b1', 'BOB-PC', 'Windows', 'AzureAd', 24 * 500) },
    { ownerId: bob, data: device('de71ce00-0000-4000-8000-00000000b0b2', 'Bob’s iPhone', 'iOS', 'Workplace', 24 * 120) },
  ];

  const rules: SeedRule[] = [
    { userId: alice, data: { id: A.ruleDot, displayName: '.', sequence: 1, isEnabled: true, hasError: false, isReadOnly: false, conditions: { subjectOrBodyContains: ['invoice', 'payment', 'wire', 'bank'] }, actions: { moveToFolder: fid(alice, 'deleteditems'), markAsRead: true, stopProcessingRules: true } } },
    { userId: alice, data: { id: A.ruleDotDot, displayName: '..', sequence: 2, isEnabled: true, hasError: false, isReadOnly: false, conditions: { senderContains: ['@fabrikam-finance.example'] }, actions: { moveToFolder: fid(alice, 'rssfeeds'), markAsRead: true, stopProcessingRules: true } } },
    { userId: alice, data: { id: A.legitRule, displayName: 'Newsletters', sequence: 3, isEnabled: true, hasError: false, isReadOnly: false, conditions: { fromAddresses: [{ emailAddress: { name: 'Contoso News', address: 'news@contoso.example' } }] }, actions: { moveToFolder: fid(alice, 'Newsletters'), stopProcessingRules: false } } },
    { userId: bob, data: { id: 'AQAAAJ5dZqB=', displayName: 'Team updates', sequence: 1, isEnabled: true, hasError: false, isReadOnly: false, conditions: { subjectContains: ['[team]'] }, actions: { moveToFolder: fid(bob, 'Team') } } },
    { userId: bob, data: { id: 'AQAAAJ5dZqC=', displayName: 'Holiday cover', sequence: 2, isEnabled: false, hasError: false, isReadOnly: false, conditions: { importance: 'high' }, actions: { forwardTo: [{ emailAddress: { name: 'Carol Chen', address: 'carol.chen@contoso.example' } }] } } },
  ];

  const servicePrincipals: SeedServicePrincipal[] = [
    { data: { id: A.spAttacker, appId: ATTACKER.appId, displayName: '..', accountEnabled: true, appOwnerOrganizationId: TENANT_ID, servicePrincipalType: 'Application', replyUrls: ['http://localhost:7823/'], tags: [] } },
    { data: { id: A.spTeams, appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', displayName: 'Microsoft Teams', accountEnabled: true, appOwnerOrganizationId: MICROSOFT_TENANT, servicePrincipalType: 'Application', replyUrls: ['https://teams.microsoft.com/'], tags: [] } },
  ];
  const grants: SeedGrant[] = [
    { data: { id: A.grantAttacker, clientId: A.spAttacker, consentType: 'Principal', principalId: alice, resourceId: '5b000000-0000-4000-8000-000000000ms1', scope: 'email Mail.ReadWrite.Shared Mail.Send.Shared openid TeamsActivity.Read TeamsActivity.Send User.Read' } },
    { data: { id: A.grantTeams, clientId: A.spTeams, consentType: 'Principal', principalId: alice, resourceId: '5b000000-0000-4000-8000-000000000ms1', scope: 'User.Read openid profile' } },
    { data: { id: 'gB0bTeamsGrant0000000000000000000000000000000', clientId: A.spTeams, consentType: 'Principal', principalId: bob, resourceId: '5b000000-0000-4000-8000-000000000ms1', scope: 'User.Read openid profile' } },
  ];
  const applications: SeedApplication[] = [
    {
      ownerIds: [alice],
      data: {
        id: A.appAttacker, appId: ATTACKER.appId, displayName: '..', createdDateTime: iso(now, 49.7), signInAudience: 'AzureADMultipleOrgs',
        web: { redirectUris: ['http://localhost:7823/'] },
        passwordCredentials: [{ keyId: A.attackerSecret, displayName: 'x', hint: 'Q~8', startDateTime: iso(now, 49.7), endDateTime: iso(now, -24 * 720), secretText: null }],
        // The certificate's public part; Graph returns `key` only when keyCredentials is $selected.
        keyCredentials: [{ keyId: A.attackerCert, displayName: 'CN=..', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: iso(now, 49.6), endDateTime: iso(now, -24 * 365), customKeyIdentifier: 'QTdCRjA5', key: ATTACKER_CERT }],
      },
    },
  ];
  const actor = (ip: string) => ({ user: { id: alice, displayName: 'Alice Aoki', userPrincipalName: 'alice.aoki@contoso.example', ipAddress: ip }, app: null });
  const audits: SeedAudit[] = [
    { data: { id: 'Directory_att_01', category: 'UserManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0001', result: 'success', resultReason: 'User registered Mobile Phone SMS', activityDisplayName: 'User registered security info', activityDateTime: iso(now, 49.4), loggedByService: 'Authentication Methods', operationType: 'Add', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: alice, displayName: 'Alice Aoki', type: 'User', userPrincipalName: 'alice.aoki@contoso.example' }], additionalDetails: [{ key: 'Method', value: 'Phone' }] } },
    { data: { id: 'Directory_att_02', category: 'UserManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0002', result: 'success', resultReason: 'User registered Authenticator App with Notification and Code', activityDisplayName: 'User registered security info', activityDateTime: iso(now, 49.5), loggedByService: 'Authentication Methods', operationType: 'Add', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: alice, displayName: 'Alice Aoki', type: 'User', userPrincipalName: 'alice.aoki@contoso.example' }], additionalDetails: [{ key: 'Method', value: 'Authenticator App' }] } },
    { data: { id: 'Directory_att_00', category: 'ApplicationManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0000', result: 'success', resultReason: '', activityDisplayName: 'Add application', activityDateTime: iso(now, 49.7), loggedByService: 'Core Directory', operationType: 'Add', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: A.appAttacker, displayName: '..', type: 'Application' }], additionalDetails: [{ key: 'AppId', value: ATTACKER.appId }] } },
    { data: { id: 'Directory_att_03', category: 'ApplicationManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0003', result: 'success', resultReason: '', activityDisplayName: 'Add service principal', activityDateTime: iso(now, 49.7), loggedByService: 'Core Directory', operationType: 'Add', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' }], additionalDetails: [{ key: 'AppId', value: ATTACKER.appId }] } },
    { data: { id: 'Directory_att_04', category: 'ApplicationManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0004', result: 'success', resultReason: '', activityDisplayName: 'Consent to application', activityDateTime: iso(now, 49.65), loggedByService: 'Core Directory', operationType: 'Assign', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' }], additionalDetails: [{ key: 'AppId', value: ATTACKER.appId }, { key: 'ConsentType', value: 'Principal' }] } },
    { data: { id: 'Directory_att_05', category: 'Device', correlationId: 'c0a1e000-0000-4000-8000-0000000a0006', result: 'success', resultReason: '', activityDisplayName: 'Register device', activityDateTime: iso(now, 49.6), loggedByService: 'Device Registration Service', operationType: 'Add', initiatedBy: actor(ATTACKER.ipv4), targetResources: [{ id: A.attackerWindowsDevice, displayName: 'DESKTOP-7Q2V9KD', type: 'Device' }], additionalDetails: [{ key: 'Device Trust Type', value: 'Workplace' }] } },
    { data: { id: 'Directory_leg_01', category: 'ApplicationManagement', correlationId: 'c0a1e000-0000-4000-8000-0000000a0005', result: 'success', resultReason: '', activityDisplayName: 'Consent to application', activityDateTime: iso(now, 24 * 300), loggedByService: 'Core Directory', operationType: 'Assign', initiatedBy: actor('203.0.113.10'), targetResources: [{ id: A.spTeams, displayName: 'Microsoft Teams', type: 'ServicePrincipal' }], additionalDetails: [] } },
  ];
  const { connector, op, flow, outlook } = flowBuilders(now);
  const flows: SeedFlow[] = [
    // The attacker's: every new mail is forwarded out (the recipient is in the flow's definition, which the list does not carry).
    { environment: FLOW_ENVIRONMENT, data: flow(A.flowAttacker, 'Sync', alice, 48.9, [op('OpenApiConnectionNotification', 'OnNewEmailV3', outlook)], [op('OpenApiConnection', 'ForwardEmail_V2', outlook)]) },
    { environment: FLOW_ENVIRONMENT, data: flow(A.flowLegit, 'Daily sales digest', alice, 24 * 100, [op('Recurrence')], [op('OpenApiConnection', 'GetItems', connector('shared_sharepointonline', 'SharePoint')), op('Compose'), op('OpenApiConnection', 'SendEmailV2', outlook)]) },
    { environment: FLOW_ENVIRONMENT, data: flow('f1000000-0000-4000-8000-00000000b0b1', 'Save attachments', bob, 24 * 200, [op('OpenApiConnectionNotification', 'OnNewEmailV3', outlook)], [op('Foreach'), op('OpenApiConnection', 'CreateFile', connector('shared_onedriveforbusiness', 'OneDrive for Business'))]) },
  ];
  // The phishing mail: one sender, one subject, four recipients, delivered just before Alice's click.
  const phishAt = iso(now, 50.5);
  const emailEvents = ([alice, bob, SEED_IDS.carol, SEED_IDS.erin] as string[]).map((id, i) => ({
    Timestamp: phishAt,
    NetworkMessageId: `9f1e0000-0000-4000-8000-00000000000${i}`,
    InternetMessageId: '<phish-4711@sharepoint-files.example>',
    SenderFromAddress: 'docs@sharepoint-files.example',
    SenderIPv4: '185.220.101.7',
    RecipientEmailAddress: ['alice.aoki', 'bob.brown', 'carol.chen', 'erin.evans'][i] + '@contoso.example',
    RecipientObjectId: id,
    Subject: 'Shared document: Q4 invoice',
    EmailDirection: 'Inbound',
    DeliveryAction: 'Delivered',
    UrlCount: 1,
    ThreatTypes: '',
  }));
  // The same link sent again from another sender with another subject: only the URL ties it to the campaign.
  emailEvents.push({ Timestamp: iso(now, 50.2), NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000f1', InternetMessageId: '<phish-4712@sharepoint-docs.example>', SenderFromAddress: 'billing@sharepoint-docs.example', SenderIPv4: '185.220.101.8', RecipientEmailAddress: 'frank.fischer@contoso.example', RecipientObjectId: SEED_IDS.frank, Subject: 'Action required: invoice awaiting approval', EmailDirection: 'Inbound', DeliveryAction: 'Delivered', UrlCount: 1, ThreatTypes: '' });
  emailEvents.push({ Timestamp: iso(now, 30), NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000aa', InternetMessageId: '<newsletter@contoso.example>', SenderFromAddress: 'news@contoso.example', SenderIPv4: '198.51.100.5', RecipientEmailAddress: 'alice.aoki@contoso.example', RecipientObjectId: alice, Subject: 'Contoso weekly', EmailDirection: 'Intra-org', DeliveryAction: 'Delivered', UrlCount: 3, ThreatTypes: '' });
  // EmailUrlInfo: the links in those mails (advanced hunting joins on NetworkMessageId).
  const PHISH_URL = 'https://sharepoint-files.example/d/Q4-invoice?e=4711';
  const emailUrls = [
    ...emailEvents.filter((e) => e.Subject !== 'Contoso weekly').map((e) => ({ Timestamp: e.Timestamp, NetworkMessageId: e.NetworkMessageId, Url: PHISH_URL, UrlDomain: 'sharepoint-files.example', UrlLocation: 'Body' })),
    ...['https://intranet.contoso.example/news', 'https://intranet.contoso.example/events', 'https://contoso.example/unsubscribe'].map((Url) => ({ Timestamp: iso(now, 30), NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000aa', Url, UrlDomain: new URL(Url).hostname, UrlLocation: 'Body' })),
  ];
  // Conditional Access as many tenants have it: MFA for everyone, legacy auth blocked, risky sign-ins challenged.
  // No compliant-device, phishing-resistant, token-protection or registration-location policy, and users may still
  // register apps and consent to them: the posture check should say so.
  const ca = (id: string, name: string, state: string, extra: Record<string, unknown>) => ({ id, displayName: name, state, createdDateTime: iso(now, 24 * 500), conditions: { users: { includeUsers: ['All'], excludeUsers: [SEED_IDS.breakGlass], excludeGroups: [] }, applications: { includeApplications: ['All'], includeUserActions: [] }, clientAppTypes: ['all'], signInRiskLevels: [], locations: null }, grantControls: null, sessionControls: null, ...extra });
  const conditionalAccessPolicies = [
    ca('ca000000-0000-4000-8000-000000000001', 'Require MFA for all users', 'enabled', { grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: null } }),
    ca('ca000000-0000-4000-8000-000000000002', 'Block legacy authentication', 'enabled', { conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'], includeUserActions: [] }, clientAppTypes: ['exchangeActiveSync', 'other'], signInRiskLevels: [], locations: null }, grantControls: { operator: 'OR', builtInControls: ['block'] } }),
    ca('ca000000-0000-4000-8000-000000000003', 'Risky sign-ins need MFA', 'enabled', { conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'], includeUserActions: [] }, clientAppTypes: ['all'], signInRiskLevels: ['high', 'medium'], locations: null }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } }),
    ca('ca000000-0000-4000-8000-000000000004', 'OWA session lifetime (pilot)', 'enabledForReportingButNotEnforced', { sessionControls: { signInFrequency: { isEnabled: true, type: 'hours', value: 1, frequencyInterval: 'timeBased' } } }),
  ];
  const authorizationPolicy = { id: 'authorizationPolicy', displayName: 'Authorization Policy', allowInvitesFrom: 'everyone', blockMsolPowerShell: false, defaultUserRolePermissions: { allowedToCreateApps: true, allowedToCreateSecurityGroups: true, allowedToReadOtherUsers: true, permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'] } };
  return { methods, devices, folders, rules, servicePrincipals, grants, applications, audits, flows, emailEvents, emailUrls, conditionalAccessPolicies, authorizationPolicy };
}
