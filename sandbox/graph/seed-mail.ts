import { SEED_IDS, TENANT_ID } from './ids';
import { ALICE_OBJECTS, FLOW_ENVIRONMENT, iso, type SeedFlow } from './seed-shapes';

/**
 * Flows in the admin list's shape (as PnP's and Microsoft's PowerShell see it): definitionSummary names each trigger's
 * and action's type, operation and connector, never their inputs; so no recipients, subjects or URLs. Operation
 * metadata ids count from `firstOp`, so that a reseed gives the same ids.
 */
export function flowBuilders(now: number, firstOp = 0) {
  const connector = (name: string, displayName: string) => ({
    name,
    id: `/providers/Microsoft.PowerApps/apis/${name}`,
    displayName,
    type: '/providers/Microsoft.PowerApps/apis',
  });
  let opSeq = firstOp;
  const op = (type: string, swaggerOperationId?: string, api?: ReturnType<typeof connector>) => ({
    type,
    ...(swaggerOperationId ? { swaggerOperationId } : {}),
    ...(api ? { api } : {}),
    metadata: { operationMetadataId: `0be7a000-0000-4000-8000-${(++opSeq).toString().padStart(12, '0')}` },
  });
  const flow = (
    id: string,
    name: string,
    creator: string,
    hoursAgo: number,
    triggers: Record<string, unknown>[],
    actions: Record<string, unknown>[],
  ) => ({
    name: id,
    id: `/providers/Microsoft.ProcessSimple/environments/${FLOW_ENVIRONMENT}/flows/${id}`,
    type: 'Microsoft.ProcessSimple/environments/flows',
    properties: {
      apiId: '/providers/Microsoft.PowerApps/apis/shared_logicflows',
      displayName: name,
      state: 'Started',
      createdTime: iso(now, hoursAgo),
      lastModifiedTime: iso(now, hoursAgo),
      environment: {
        name: FLOW_ENVIRONMENT,
        type: 'Microsoft.ProcessSimple/environments',
        id: `/providers/Microsoft.ProcessSimple/environments/${FLOW_ENVIRONMENT}`,
      },
      definitionSummary: { triggers, actions },
      creator: { tenantId: TENANT_ID, objectId: creator, userId: creator, userType: 'ActiveDirectory' },
      provisioningMethod: 'FromDefinition',
      flowFailureAlertSubscribed: true,
    },
  });
  return { connector, op, flow, outlook: connector('shared_office365', 'Office 365 Outlook') };
}

/** Step 6's flows (the attacker's forwarder and honest ones), and the phishing mail of steps 9-10 as advanced hunting sees it. */
export function seedFlowsAndMail(now: number) {
  const A = ALICE_OBJECTS;
  const alice = SEED_IDS.alice;
  const bob = SEED_IDS.bob;
  const { connector, op, flow, outlook } = flowBuilders(now);
  const flows: SeedFlow[] = [
    // The attacker's: every new mail is forwarded out (the recipient is in the flow's definition, which the list does not carry).
    {
      environment: FLOW_ENVIRONMENT,
      data: flow(
        A.flowAttacker,
        'Sync',
        alice,
        48.9,
        [op('OpenApiConnectionNotification', 'OnNewEmailV3', outlook)],
        [op('OpenApiConnection', 'ForwardEmail_V2', outlook)],
      ),
    },
    {
      environment: FLOW_ENVIRONMENT,
      data: flow(
        A.flowLegit,
        'Daily sales digest',
        alice,
        24 * 100,
        [op('Recurrence')],
        [
          op('OpenApiConnection', 'GetItems', connector('shared_sharepointonline', 'SharePoint')),
          op('Compose'),
          op('OpenApiConnection', 'SendEmailV2', outlook),
        ],
      ),
    },
    {
      environment: FLOW_ENVIRONMENT,
      data: flow(
        'f1000000-0000-4000-8000-00000000b0b1',
        'Save attachments',
        bob,
        24 * 200,
        [op('OpenApiConnectionNotification', 'OnNewEmailV3', outlook)],
        [op('Foreach'), op('OpenApiConnection', 'CreateFile', connector('shared_onedriveforbusiness', 'OneDrive for Business'))],
      ),
    },
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
  emailEvents.push({
    Timestamp: iso(now, 50.2),
    NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000f1',
    InternetMessageId: '<phish-4712@sharepoint-docs.example>',
    SenderFromAddress: 'billing@sharepoint-docs.example',
    SenderIPv4: '185.220.101.8',
    RecipientEmailAddress: 'frank.fischer@contoso.example',
    RecipientObjectId: SEED_IDS.frank,
    Subject: 'Action required: invoice awaiting approval',
    EmailDirection: 'Inbound',
    DeliveryAction: 'Delivered',
    UrlCount: 1,
    ThreatTypes: '',
  });
  emailEvents.push({
    Timestamp: iso(now, 30),
    NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000aa',
    InternetMessageId: '<newsletter@contoso.example>',
    SenderFromAddress: 'news@contoso.example',
    SenderIPv4: '198.51.100.5',
    RecipientEmailAddress: 'alice.aoki@contoso.example',
    RecipientObjectId: alice,
    Subject: 'Contoso weekly',
    EmailDirection: 'Intra-org',
    DeliveryAction: 'Delivered',
    UrlCount: 3,
    ThreatTypes: '',
  });
  // EmailUrlInfo: the links in those mails (advanced hunting joins on NetworkMessageId).
  const PHISH_URL = 'https://sharepoint-files.example/d/Q4-invoice?e=4711';
  const emailUrls = [
    ...emailEvents
      .filter((e) => e.Subject !== 'Contoso weekly')
      .map((e) => ({
        Timestamp: e.Timestamp,
        NetworkMessageId: e.NetworkMessageId,
        Url: PHISH_URL,
        UrlDomain: 'sharepoint-files.example',
        UrlLocation: 'Body',
      })),
    ...['https://intranet.contoso.example/news', 'https://intranet.contoso.example/events', 'https://contoso.example/unsubscribe'].map(
      (Url) => ({
        Timestamp: iso(now, 30),
        NetworkMessageId: '9f1e0000-0000-4000-8000-0000000000aa',
        Url,
        UrlDomain: new URL(Url).hostname,
        UrlLocation: 'Body',
      }),
    ),
  ];
  return { flows, emailEvents, emailUrls };
}
