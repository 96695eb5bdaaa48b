import { ATTACKER, SEED_IDS, TENANT_ID } from './ids';
import {
  ALICE_OBJECTS,
  ATTACKER_CERT,
  iso,
  MICROSOFT_TENANT,
  type SeedApplication,
  type SeedAudit,
  type SeedGrant,
  type SeedServicePrincipal,
} from './seed-shapes';

/** What a seeded directory audit record says happened; `audit` in seedApps fills in what the records share. */
interface AuditWhat {
  category: string;
  activity: string;
  target: Record<string, string>;
  details: { key: string; value: string }[];
  reason?: string;
  service?: string;
  operation?: string;
  ip?: string;
}

/** Step 7: the attacker's app, registered and consented by Alice; Microsoft's Teams for contrast; the directory audit that tells them apart. */
export function seedApps(now: number) {
  const A = ALICE_OBJECTS;
  const alice = SEED_IDS.alice;
  const bob = SEED_IDS.bob;
  const servicePrincipals: SeedServicePrincipal[] = [
    {
      data: {
        id: A.spAttacker,
        appId: ATTACKER.appId,
        displayName: '..',
        accountEnabled: true,
        appOwnerOrganizationId: TENANT_ID,
        servicePrincipalType: 'Application',
        replyUrls: ['http://localhost:7823/'],
        tags: [],
      },
    },
    {
      data: {
        id: A.spTeams,
        appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
        displayName: 'Microsoft Teams',
        accountEnabled: true,
        appOwnerOrganizationId: MICROSOFT_TENANT,
        servicePrincipalType: 'Application',
        replyUrls: ['https://teams.microsoft.com/'],
        tags: [],
      },
    },
  ];
  const grants: SeedGrant[] = [
    {
      data: {
        id: A.grantAttacker,
        clientId: A.spAttacker,
        consentType: 'Principal',
        principalId: alice,
        resourceId: '5b000000-0000-4000-8000-000000000ms1',
        scope: 'email Mail.ReadWrite.Shared Mail.Send.Shared openid TeamsActivity.Read TeamsActivity.Send User.Read',
      },
    },
    {
      data: {
        id: A.grantTeams,
        clientId: A.spTeams,
        consentType: 'Principal',
        principalId: alice,
        resourceId: '5b000000-0000-4000-8000-000000000ms1',
        scope: 'User.Read openid profile',
      },
    },
    {
      data: {
        id: 'gB0bTeamsGrant0000000000000000000000000000000',
        clientId: A.spTeams,
        consentType: 'Principal',
        principalId: bob,
        resourceId: '5b000000-0000-4000-8000-000000000ms1',
        scope: 'User.Read openid profile',
      },
    },
  ];
  const applications: SeedApplication[] = [
    {
      ownerIds: [alice],
      data: {
        id: A.appAttacker,
        appId: ATTACKER.appId,
        displayName: '..',
        createdDateTime: iso(now, 49.7),
        signInAudience: 'AzureADMultipleOrgs',
        web: { redirectUris: ['http://localhost:7823/'] },
        passwordCredentials: [
          {
            keyId: A.attackerSecret,
            displayName: 'x',
            hint: 'Q~8',
            startDateTime: iso(now, 49.7),
            endDateTime: iso(now, -24 * 720),
            secretText: null,
          },
        ],
        // The certificate's public part; Graph returns `key` only when keyCredentials is $selected.
        keyCredentials: [
          {
            keyId: A.attackerCert,
            displayName: 'CN=..',
            type: 'AsymmetricX509Cert',
            usage: 'Verify',
            startDateTime: iso(now, 49.6),
            endDateTime: iso(now, -24 * 365),
            customKeyIdentifier: 'QTdCRjA5',
            key: ATTACKER_CERT,
          },
        ],
      },
    },
  ];
  /** A successful directory audit record of what Alice's account did, from the attacker's address unless `ip` says otherwise. */
  const audit = (id: string, correlationId: string, hoursAgo: number, what: AuditWhat): SeedAudit => ({
    data: {
      id,
      category: what.category,
      correlationId,
      result: 'success',
      resultReason: what.reason ?? '',
      activityDisplayName: what.activity,
      activityDateTime: iso(now, hoursAgo),
      loggedByService: what.service ?? 'Core Directory',
      operationType: what.operation ?? 'Add',
      initiatedBy: {
        user: {
          id: alice,
          displayName: 'Alice Aoki',
          userPrincipalName: 'alice.aoki@contoso.example',
          ipAddress: what.ip ?? ATTACKER.ipv4,
        },
        app: null,
      },
      targetResources: [what.target],
      additionalDetails: what.details,
    },
  });
  /** Alice's account registering a security info method, as Authentication Methods logs it. */
  const registered = (reason: string, method: string): AuditWhat => ({
    category: 'UserManagement',
    reason,
    activity: 'User registered security info',
    service: 'Authentication Methods',
    target: { id: alice, displayName: 'Alice Aoki', type: 'User', userPrincipalName: 'alice.aoki@contoso.example' },
    details: [{ key: 'Method', value: method }],
  });
  const audits: SeedAudit[] = [
    audit('Directory_att_01', 'c0a1e000-0000-4000-8000-0000000a0001', 49.4, registered('User registered Mobile Phone SMS', 'Phone')),
    audit(
      'Directory_att_02',
      'c0a1e000-0000-4000-8000-0000000a0002',
      49.5,
      registered('User registered Authenticator App with Notification and Code', 'Authenticator App'),
    ),
    audit('Directory_att_00', 'c0a1e000-0000-4000-8000-0000000a0000', 49.7, {
      category: 'ApplicationManagement',
      activity: 'Add application',
      target: { id: A.appAttacker, displayName: '..', type: 'Application' },
      details: [{ key: 'AppId', value: ATTACKER.appId }],
    }),
    audit('Directory_att_03', 'c0a1e000-0000-4000-8000-0000000a0003', 49.7, {
      category: 'ApplicationManagement',
      activity: 'Add service principal',
      target: { id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' },
      details: [{ key: 'AppId', value: ATTACKER.appId }],
    }),
    audit('Directory_att_04', 'c0a1e000-0000-4000-8000-0000000a0004', 49.65, {
      category: 'ApplicationManagement',
      activity: 'Consent to application',
      operation: 'Assign',
      target: { id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' },
      details: [
        { key: 'AppId', value: ATTACKER.appId },
        { key: 'ConsentType', value: 'Principal' },
      ],
    }),
    audit('Directory_att_05', 'c0a1e000-0000-4000-8000-0000000a0006', 49.6, {
      category: 'Device',
      activity: 'Register device',
      service: 'Device Registration Service',
      target: { id: A.attackerWindowsDevice, displayName: 'DESKTOP-7Q2V9KD', type: 'Device' },
      details: [{ key: 'Device Trust Type', value: 'Workplace' }],
    }),
    // Alice's own consent to Teams, long before the attack, from her usual address.
    audit('Directory_leg_01', 'c0a1e000-0000-4000-8000-0000000a0005', 24 * 300, {
      category: 'ApplicationManagement',
      activity: 'Consent to application',
      operation: 'Assign',
      target: { id: A.spTeams, displayName: 'Microsoft Teams', type: 'ServicePrincipal' },
      details: [],
      ip: '203.0.113.10',
    }),
  ];
  return { servicePrincipals, grants, applications, audits };
}
