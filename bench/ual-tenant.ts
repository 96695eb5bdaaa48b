/**
 * bench:ual's busy tenant as unified-audit-log records: 5,000 users at offices, homes and on phones, and the attacks
 * bench/ual.ts plants among them.
 */

export const USERS = 5000;
const DOMAIN = 'contoso.example';
const BASE = Date.parse('2026-11-16T00:00:00Z');
const DAY = 86_400_000;
const EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0';

/** A deterministic pseudo-random sequence, so every size and format hides the same kind of attacks the same way. */
export function rng(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export type Rec = Record<string, unknown> & { Id: string; CreationTime: string; Operation: string; UserId: string; RecordType: number };
/** What every record of one user's action starts with. */
type Base = Pick<Rec, 'Id' | 'CreationTime' | 'UserId'> & { ResultStatus: string };
/** How Exchange records the client: its address, client string and sign-in session. */
type Client = { ClientIPAddress: string; ClientInfoString: string; AppAccessContext: { AADSessionId: string } };

const iso = (t: number) => new Date(t).toISOString().slice(0, 19);
const upn = (u: number) => `user${u}@${DOMAIN}`;
const office = (u: number) => `203.0.113.${u % 20}`;
const home = (u: number) => `198.18.${u >> 8}.${u & 255}`;
const phone = (u: number) => `100.64.${u >> 8}.${u & 255}`;
/** A day's sign-in session: one on the laptop (office or home), another on the phone. */
const session = (u: number, t: number, onPhone = false) =>
  `5e55${String(u).padStart(4, '0')}-0000-4000-8${onPhone ? 'f' : '0'}0-${String(Math.floor((t - BASE) / DAY)).padStart(12, '0')}`;
const device = (u: number) => [
  { Name: 'Id', Value: `d1ce${String(u).padStart(4, '0')}-0000-4000-8000-000000000001` },
  { Name: 'DisplayName', Value: `PC-${u}` },
  { Name: 'IsCompliant', Value: 'True' },
  { Name: 'TrustType', Value: 'Azure AD joined' },
];

// The records an ordinary user and an attacker both write, by operation, in the field order Purview exports them.

/** Mail read: bound to the given messages, or a folder sync when there are none. */
const mailRead = (base: Base, client: Client, messageIds?: string[]): Rec => ({
  ...base,
  RecordType: 50,
  Operation: 'MailItemsAccessed',
  Workload: 'Exchange',
  ...client,
  OperationProperties: [{ Name: 'MailAccessType', Value: messageIds ? 'Bind' : 'Sync' }],
  Folders: [{ Path: '\\Inbox', ...(messageIds ? { FolderItems: messageIds.map((InternetMessageId) => ({ InternetMessageId })) } : {}) }],
});
const mailSent = (base: Base, client: Client, messageId: string, subject: string): Rec => ({
  ...base,
  RecordType: 2,
  Operation: 'Send',
  Workload: 'Exchange',
  ...client,
  Item: { InternetMessageId: messageId, Subject: subject },
});
const mailSearch = (base: Base, client: Client, query: string): Rec => ({
  ...base,
  RecordType: 132,
  Operation: 'SearchQueryInitiatedExchange',
  Workload: 'Exchange',
  ...client,
  QueryText: query,
});
/** A SharePoint file operation; reads and downloads name the file and the sign-in session. */
const file = (base: Base, operation: string, ip: string, userAgent: string, read?: { url: string; session: string }): Rec => ({
  ...base,
  RecordType: 6,
  Operation: operation,
  Workload: 'SharePoint',
  ClientIP: ip,
  UserAgent: userAgent,
  ...(read ? { ObjectId: read.url, AppAccessContext: { AADSessionId: read.session } } : {}),
});
const consent = (base: Base, ip: string, app?: string): Rec => ({
  ...base,
  RecordType: 8,
  Operation: 'Consent to application.',
  Workload: 'AzureActiveDirectory',
  ClientIP: ip,
  ...(app ? { Target: [{ ID: app, Type: 1 }] } : {}),
});
/** An Exchange cmdlet run, with its parameters in the order given. */
const cmdlet = (base: Base, operation: string, ip: string, parameters: Record<string, string>): Rec => ({
  ...base,
  RecordType: 1,
  Operation: operation,
  Workload: 'Exchange',
  ClientIP: ip,
  Parameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
});

/** One ordinary record of a busy tenant. */
export function ordinary(i: number, random: () => number): Rec {
  const u = Math.floor(random() * USERS);
  const t = BASE + Math.floor(random() * 7 * DAY);
  const where = random();
  const ip = where < 0.7 ? office(u) : where < 0.95 ? home(u) : phone(u);
  const ua = where < 0.95 ? `Client=OWA;${EDGE}` : 'Outlook-iOS/2.0';
  const base = { Id: `r-${i}`, CreationTime: iso(t), UserId: upn(u), ResultStatus: 'Succeeded' };
  const sid = session(u, t, where >= 0.95);
  const exchange = { ClientIPAddress: ip, ClientInfoString: ua, AppAccessContext: { AADSessionId: sid } };
  const op = random();
  if (op < 0.45) return mailRead(base, exchange, random() < 0.05 ? undefined : [`<m${i}@${DOMAIN}>`]);
  if (op < 0.55)
    return {
      ...base,
      RecordType: 15,
      Operation: 'UserLoggedIn',
      Workload: 'AzureActiveDirectory',
      ClientIP: ip,
      ExtendedProperties: [
        { Name: 'UserAgent', Value: EDGE },
        { Name: 'RequestType', Value: 'OAuth2:Authorize' },
      ],
      ...(where < 0.95 ? { DeviceProperties: device(u) } : {}),
    };
  if (op < 0.63) return mailSent(base, exchange, `<s${i}@${DOMAIN}>`, 'Re: weekly sync');
  if (op < 0.79)
    return file(base, random() < 0.7 ? 'FileAccessed' : 'FileDownloaded', ip, EDGE, {
      url: `https://contoso.sharepoint.com/sites/team${u % 50}/Shared Documents/doc${i % 997}.docx`,
      session: sid,
    });
  if (op < 0.84) return file(base, 'FileModified', ip, EDGE);
  if (op < 0.87) return mailSearch(base, exchange, 'budget');
  if (op < 0.95)
    return { ...base, RecordType: 2, Operation: random() < 0.5 ? 'SoftDelete' : 'MoveToDeletedItems', Workload: 'Exchange', ...exchange };
  if (op < 0.975) return { ...base, RecordType: 30, Operation: 'CreateFlow', Workload: 'MicrosoftFlow', ClientIP: ip };
  if (op < 0.99) return consent(base, ip, 'Zoom');
  if (op < 0.997)
    return cmdlet(base, 'New-InboxRule', ip, { Name: 'Newsletters', From: 'news@vendor.example', MoveToFolder: 'Newsletters' });
  return cmdlet(base, 'Set-Mailbox', ip, { Identity: upn(u), AuditEnabled: 'True' });
}

/**
 * What one attacker does in one victim's mailbox: the way in (a device code typed at the office, a stolen session,
 * or an attack tool), then hundreds of mail reads, searches, downloads, sent mail, a rule and a consent.
 */
export function attack(v: number, victim: number, records: number, random: () => number): Rec[] {
  const kind = v % 3;
  const ip = `45.86.${200 + (v % 50)}.${10 + Math.floor(v / 50)}`;
  const start = BASE + 3 * DAY + Math.floor(random() * 2 * DAY);
  const t = (k: number) => iso(start + 60_000 + k * 20_000);
  const user = upn(victim);
  const own = session(victim, start);
  const s = kind === 1 ? own : `a77a${String(v).padStart(4, '0')}-0000-4000-8000-00000000a77a`;
  const ua =
    kind === 2
      ? 'python-requests/2.31.0'
      : kind === 1
        ? 'Client=OWA;Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'
        : 'Client=REST;Client=RESTSystem;;';
  const id = (k: number) => `attack-${v}-${k}`;
  const out: Rec[] = [];
  if (kind === 0)
    out.push({
      Id: id(0),
      CreationTime: iso(start),
      RecordType: 15,
      Operation: 'UserLoggedIn',
      Workload: 'AzureActiveDirectory',
      UserId: user,
      ClientIP: office(victim),
      ResultStatus: 'Success',
      ExtendedProperties: [
        { Name: 'UserAgent', Value: EDGE },
        { Name: 'RequestType', Value: 'Cmsi:Cmsi' },
      ],
      DeviceProperties: device(victim),
    });
  // The victim at work in the same session, so that a stolen session has the victim's own address in it.
  if (kind === 1)
    out.push({
      Id: `own-${v}`,
      CreationTime: iso(start - 600_000),
      RecordType: 50,
      Operation: 'MailItemsAccessed',
      Workload: 'Exchange',
      UserId: user,
      ClientIPAddress: office(victim),
      ClientInfoString: `Client=OWA;${EDGE}`,
      AppAccessContext: { AADSessionId: own },
      OperationProperties: [{ Name: 'MailAccessType', Value: 'Bind' }],
    });
  out.push({
    Id: id(1),
    CreationTime: t(0),
    RecordType: 15,
    Operation: 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    UserId: user,
    ClientIP: ip,
    ResultStatus: 'Success',
    ExtendedProperties: [{ Name: 'UserAgent', Value: ua.replace(/^Client=[^;]*;/, '') || 'Mozilla/5.0' }],
  });
  for (let k = 2; out.length < records; k++) {
    const exchange = { ClientIPAddress: ip, ClientInfoString: ua, AppAccessContext: { AADSessionId: s } };
    const r = k % 50;
    const base = { Id: id(k), CreationTime: t(k), UserId: user, ResultStatus: 'Succeeded' };
    if (r === 2) out.push(cmdlet(base, 'New-InboxRule', ip, { Name: '.', MoveToFolder: 'RSS Feeds', MarkAsRead: 'True' }));
    else if (r === 3) out.push(consent(base, ip));
    else if (r < 6) out.push(mailSearch(base, exchange, ['password', 'invoice', 'bank', 'vpn'][k % 4]));
    else if (r < 10)
      out.push(
        file(base, 'FileDownloaded', ip, ua, {
          url: `https://contoso.sharepoint.com/sites/finance/Shared Documents/f${v}-${k}.xlsx`,
          session: s,
        }),
      );
    else if (r === 10) out.push(mailSent(base, exchange, `<att-${v}-${k}@${DOMAIN}>`, 'RE: updated bank details'));
    else out.push(mailRead(base, exchange, [`<v${v}-${k}a@${DOMAIN}>`, `<v${v}-${k}b@${DOMAIN}>`]));
  }
  return out;
}
