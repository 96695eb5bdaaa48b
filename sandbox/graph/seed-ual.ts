import { ALICE_OBJECTS } from './seed-objects';
import { ATTACKER, DOMAIN, TENANT_ID } from './ids';

/** A unified audit log record as the Audit Log Query API returns it: camelCase envelope, PascalCase auditData. */
export interface SeedUalRecord {
  id: string;
  createdDateTime: string;
  auditLogRecordType: string;
  operation: string;
  organizationId: string;
  userType: string;
  userId: string;
  service: string;
  objectId: string;
  userPrincipalName: string;
  clientIp: string;
  administrativeUnits: string[];
  auditData: Record<string, unknown>;
}

const RECORD_TYPE: Record<string, number> = {
  exchangeAdmin: 1,
  exchangeItem: 2,
  sharePointFileOperation: 6,
  exchangeItemAggregated: 50,
  microsoftFlow: 30,
};
const SERVICE: Record<string, string> = {
  exchangeAdmin: 'Exchange',
  exchangeItem: 'Exchange',
  exchangeItemAggregated: 'Exchange',
  sharePointFileOperation: 'SharePoint',
  microsoftFlow: 'MicrosoftFlow',
};

/**
 * What the unified audit log holds for the demo incident: the attacker's mailbox access, rules, sent mail, flow and
 * file download in the stolen session, and the same kinds of activity by Alice and Bob from their own addresses.
 * Client IPs carry ports and one is bracketed IPv6, as Exchange writes them.
 */
export function seedUal(now: number): SeedUalRecord[] {
  const alice = `alice.aoki@${DOMAIN}`;
  const bob = `bob.brown@${DOMAIN}`;
  const stolen = '5e551000-0000-4000-8000-00000000a1ce';
  let n = 0;
  const rec = (
    upn: string,
    hoursAgo: number,
    type: string,
    operation: string,
    clientIp: string,
    extra: Record<string, unknown> = {},
  ): SeedUalRecord => {
    const id = `a0d17000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const created = new Date(now - hoursAgo * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      id,
      createdDateTime: created,
      auditLogRecordType: type,
      operation,
      organizationId: TENANT_ID,
      userType: 'regular',
      userId: upn,
      service: SERVICE[type],
      objectId: String(extra.ObjectId ?? ''),
      userPrincipalName: upn,
      clientIp,
      administrativeUnits: [],
      // CreationTime has no offset in real records: it is UTC all the same.
      auditData: {
        Id: id,
        CreationTime: created.slice(0, 19),
        RecordType: RECORD_TYPE[type],
        Operation: operation,
        OrganizationId: TENANT_ID,
        UserType: 0,
        UserId: upn,
        Workload: SERVICE[type],
        ClientIP: clientIp,
        ResultStatus: 'Succeeded',
        ...extra,
      },
    };
  };
  const attackerCtx = {
    SessionId: stolen,
    AppAccessContext: { AADSessionId: stolen, ClientAppName: 'OWA' },
    ClientInfoString: `Client=OWA;Action=ViaProxy;${ATTACKER.userAgent}`,
  };
  const params = (o: Record<string, string>) => Object.entries(o).map(([Name, Value]) => ({ Name, Value }));
  return [
    // Alice at work, days before: her own address and device.
    rec(alice, 70, 'exchangeItemAggregated', 'MailItemsAccessed', '203.0.113.10', {
      MailAccessType: 'Bind',
      OperationCount: 12,
      SessionId: '5e551000-0000-4000-8000-000000000001',
    }),
    // The attacker in the stolen session.
    rec(alice, 49.75, 'exchangeItemAggregated', 'MailItemsAccessed', `${ATTACKER.ipv4}:50412`, {
      MailAccessType: 'Bind',
      OperationCount: 214,
      ...attackerCtx,
    }),
    rec(alice, 49.7, 'exchangeItemAggregated', 'MailItemsAccessed', `[${ATTACKER.ipv6}]:443`, {
      MailAccessType: 'Sync',
      OperationCount: 1,
      ...attackerCtx,
    }),
    rec(alice, 49.3, 'exchangeAdmin', 'New-InboxRule', `${ATTACKER.ipv4}:50433`, {
      ObjectId: `${alice}\\.`,
      Parameters: params({
        Name: '.',
        SubjectOrBodyContainsWords: 'invoice;payment;wire;bank',
        MoveToFolder: 'Deleted Items',
        MarkAsRead: 'True',
        StopProcessingRules: 'True',
      }),
      ...attackerCtx,
    }),
    rec(alice, 49.25, 'exchangeAdmin', 'New-InboxRule', `${ATTACKER.ipv4}:50434`, {
      ObjectId: `${alice}\\..`,
      Parameters: params({
        Name: '..',
        From: '@fabrikam-finance.example',
        MoveToFolder: 'RSS Feeds',
        MarkAsRead: 'True',
        StopProcessingRules: 'True',
      }),
      ...attackerCtx,
    }),
    rec(alice, 49, 'exchangeItem', 'Send', `${ATTACKER.ipv4}:50470`, {
      Item: { Subject: 'RE: Updated bank details for invoice 4471', InternetMessageId: '<att-0001@contoso.example>' },
      ...attackerCtx,
    }),
    rec(alice, 48.9, 'microsoftFlow', 'CreateFlow', ATTACKER.ipv4, {
      ObjectId: ALICE_OBJECTS.flowAttacker,
      FlowDetailsUrl: `https://make.powerautomate.com/environments/Default-${TENANT_ID}/flows/${ALICE_OBJECTS.flowAttacker}/details`,
      ...attackerCtx,
    }),
    rec(alice, 48.5, 'sharePointFileOperation', 'FileDownloaded', ATTACKER.ipv4, {
      ObjectId: 'https://contoso.sharepoint.com/sites/finance/Shared Documents/Q4 payments.xlsx',
      SourceFileName: 'Q4 payments.xlsx',
      UserAgent: ATTACKER.userAgent,
      ...attackerCtx,
    }),
    // Alice again after the attack, from her office; Bob's ordinary day; a legitimate rule from months ago.
    rec(alice, 5, 'exchangeItem', 'Send', '203.0.113.10', { Item: { Subject: 'Minutes', InternetMessageId: '<minutes@contoso.example>' } }),
    rec(bob, 10, 'exchangeItemAggregated', 'MailItemsAccessed', '198.51.100.21', { MailAccessType: 'Bind', OperationCount: 30 }),
    rec(bob, 9, 'sharePointFileOperation', 'FileDownloaded', '198.51.100.21', {
      ObjectId: 'https://contoso.sharepoint.com/sites/sales/Shared Documents/Pipeline.xlsx',
      SourceFileName: 'Pipeline.xlsx',
    }),
    rec(alice, 24 * 100, 'exchangeAdmin', 'New-InboxRule', '203.0.113.10', {
      Parameters: params({ Name: 'Newsletters', From: 'news@contoso.example', MoveToFolder: 'Newsletters' }),
    }),
  ];
}
