import { bareIp, toUtc, type LogRecord } from '../record';

type NameValue = { Name: string; Value: unknown }[] | undefined;

const LOGON = /^(UserLoggedIn|UserLoginFailed)$/i;
const TRUE = (v: unknown) => v === true || (typeof v === 'string' && /^true$/i.test(v));

const SUCCESS = new Map<string, boolean>();
const succeeded = (status: unknown) => {
  const k = String(status);
  let ok = SUCCESS.get(k);
  if (ok === undefined) {
    ok = /succe|true|ok/i.test(k);
    if (SUCCESS.size < 100) SUCCESS.set(k, ok);
  }
  return ok;
};

/** UAL AuditData (PascalCase, as in exports and the Management Activity API) -> a record. */
export function fromAuditData(
  a: Record<string, unknown>,
  fallback: { id?: string; time?: string; user?: string; operation?: string } = {},
  tz = 0,
): LogRecord | undefined {
  const time = toUtc(a.CreationTime) ?? toUtc(fallback.time, tz);
  if (!time) return undefined;
  // Operation parameters and other details, as name -> value (the record's own object: a million of these).
  const details: Record<string, unknown> = {};
  for (const p of (a.Parameters as NameValue) ?? []) details[p.Name] = p.Value;
  for (const p of (a.ExtendedProperties as NameValue) ?? []) details[p.Name] ??= p.Value;
  for (const p of (a.OperationProperties as NameValue) ?? []) details[p.Name] ??= p.Value;
  // Entra logons in the audit log describe the device apart (Id, DisplayName, IsCompliant, TrustType ...).
  let device: Record<string, unknown> | undefined;
  if (Array.isArray(a.DeviceProperties)) {
    device = {};
    for (const p of a.DeviceProperties as { Name: string; Value: unknown }[]) device[p.Name] = p.Value;
  }
  const appCtx = a.AppAccessContext as { ClientAppName?: string; ClientAppId?: string; AADSessionId?: string } | undefined;
  const ua = (a.ClientInfoString as string | undefined) ?? (a.UserAgent as string | undefined) ?? (details.UserAgent as string | undefined);
  const operation = String(a.Operation ?? fallback.operation ?? '');
  const logon = (operation.charCodeAt(0) | 32) === 117 && LOGON.test(operation); // "u": most operations are not logons
  details.Workload = a.Workload;
  details.RecordType = a.RecordType;
  details.ObjectId = a.ObjectId;
  details.Target = a.Target;
  details.ModifiedProperties = a.ModifiedProperties;
  // What was touched: mail items (MailItemsAccessed), the sent item (Send), the search, the file.
  details.MailAccessType ??= a.MailAccessType;
  details.Folders = a.Folders;
  details.Item = a.Item;
  details.QueryText = a.QueryText ?? a.SearchQueryText ?? a.Query ?? details.QueryText ?? details.SearchQueryText;
  details.SourceFileName = a.SourceFileName;
  details.SiteUrl = a.SiteUrl;
  const rec: LogRecord = {
    id: String(a.Id ?? fallback.id ?? ''),
    source: 'ual',
    time,
    user: String(a.UserId ?? fallback.user ?? '').toLowerCase(),
    ip: bareIp(a.ClientIP ?? a.ClientIPAddress ?? a.ActorIpAddress),
    operation,
    userAgent: ua,
    // The Entra session (AADSessionId) ties mailbox and file records to sign-ins; Exchange's own SessionId does not.
    sessionId: appCtx?.AADSessionId || (a.SessionId as string | undefined) || (device?.SessionId as string | undefined) || undefined,
    app: (a.ApplicationId as string | undefined) ?? appCtx?.ClientAppName,
    appId:
      (a.ApplicationId as string | undefined) ||
      (a.AppId as string | undefined) ||
      (a.ClientAppId as string | undefined) ||
      appCtx?.ClientAppId ||
      undefined,
    success: a.ResultStatus === undefined ? undefined : succeeded(a.ResultStatus),
    details,
  };
  if (device) {
    rec.deviceId = (device.Id as string | undefined) || undefined;
    rec.deviceTrusted = TRUE(device.IsCompliant) || TRUE(device.IsCompliantAndManaged) || /joined/i.test(String(device.TrustType ?? ''));
    details.DeviceName = device.DisplayName;
  }
  if (logon) {
    const errorNumber = a.ErrorNumber === undefined ? undefined : Number(a.ErrorNumber);
    rec.logon = true;
    rec.deviceCode = /^cmsi:cmsi$/i.test(String(details.RequestType ?? ''));
    rec.errorCode = Number.isFinite(errorNumber) ? errorNumber : undefined;
  }
  return rec;
}
