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
  const actor = (ip: string) => ({
    user: { id: alice, displayName: 'Alice Aoki', userPrincipalName: 'alice.aoki@contoso.example', ipAddress: ip },
    app: null,
  });
  const audits: SeedAudit[] = [
    {
      data: {
        id: 'Directory_att_01',
        category: 'UserManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0001',
        result: 'success',
        resultReason: 'User registered Mobile Phone SMS',
        activityDisplayName: 'User registered security info',
        activityDateTime: iso(now, 49.4),
        loggedByService: 'Authentication Methods',
        operationType: 'Add',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: alice, displayName: 'Alice Aoki', type: 'User', userPrincipalName: 'alice.aoki@contoso.example' }],
        additionalDetails: [{ key: 'Method', value: 'Phone' }],
      },
    },
    {
      data: {
        id: 'Directory_att_02',
        category: 'UserManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0002',
        result: 'success',
        resultReason: 'User registered Authenticator App with Notification and Code',
        activityDisplayName: 'User registered security info',
        activityDateTime: iso(now, 49.5),
        loggedByService: 'Authentication Methods',
        operationType: 'Add',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: alice, displayName: 'Alice Aoki', type: 'User', userPrincipalName: 'alice.aoki@contoso.example' }],
        additionalDetails: [{ key: 'Method', value: 'Authenticator App' }],
      },
    },
    {
      data: {
        id: 'Directory_att_00',
        category: 'ApplicationManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0000',
        result: 'success',
        resultReason: '',
        activityDisplayName: 'Add application',
        activityDateTime: iso(now, 49.7),
        loggedByService: 'Core Directory',
        operationType: 'Add',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: A.appAttacker, displayName: '..', type: 'Application' }],
        additionalDetails: [{ key: 'AppId', value: ATTACKER.appId }],
      },
    },
    {
      data: {
        id: 'Directory_att_03',
        category: 'ApplicationManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0003',
        result: 'success',
        resultReason: '',
        activityDisplayName: 'Add service principal',
        activityDateTime: iso(now, 49.7),
        loggedByService: 'Core Directory',
        operationType: 'Add',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' }],
        additionalDetails: [{ key: 'AppId', value: ATTACKER.appId }],
      },
    },
    {
      data: {
        id: 'Directory_att_04',
        category: 'ApplicationManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0004',
        result: 'success',
        resultReason: '',
        activityDisplayName: 'Consent to application',
        activityDateTime: iso(now, 49.65),
        loggedByService: 'Core Directory',
        operationType: 'Assign',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: A.spAttacker, displayName: '..', type: 'ServicePrincipal' }],
        additionalDetails: [
          { key: 'AppId', value: ATTACKER.appId },
          { key: 'ConsentType', value: 'Principal' },
        ],
      },
    },
    {
      data: {
        id: 'Directory_att_05',
        category: 'Device',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0006',
        result: 'success',
        resultReason: '',
        activityDisplayName: 'Register device',
        activityDateTime: iso(now, 49.6),
        loggedByService: 'Device Registration Service',
        operationType: 'Add',
        initiatedBy: actor(ATTACKER.ipv4),
        targetResources: [{ id: A.attackerWindowsDevice, displayName: 'DESKTOP-7Q2V9KD', type: 'Device' }],
        additionalDetails: [{ key: 'Device Trust Type', value: 'Workplace' }],
      },
    },
    {
      data: {
        id: 'Directory_leg_01',
        category: 'ApplicationManagement',
        correlationId: 'c0a1e000-0000-4000-8000-0000000a0005',
        result: 'success',
        resultReason: '',
        activityDisplayName: 'Consent to application',
        activityDateTime: iso(now, 24 * 300),
        loggedByService: 'Core Directory',
        operationType: 'Assign',
        initiatedBy: actor('203.0.113.10'),
        targetResources: [{ id: A.spTeams, displayName: 'Microsoft Teams', type: 'ServicePrincipal' }],
        additionalDetails: [],
      },
    },
  ];
  return { servicePrincipals, grants, applications, audits };
}
