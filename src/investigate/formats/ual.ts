import { bareIp, toUtc, type LogRecord } from '../record';

type NameValue = { Name: string; Value: unknown }[] | undefined;

const LOGON = /^(UserLoggedIn|UserLoginFailed)$/i;
const TRUE = (v: unknown) => v === true || (typeof v === 'string' && /^true$/i.test(v));

/** UAL AuditData (PascalCase, as in exports and the Management Activity API) -> a record. */
export function fromAuditData(a: Record<string, unknown>, fallback: { id?: string; time?: string; user?: string; operation?: string } = {}, tz = 0): LogRecord | undefined {
  const time = toUtc(a.CreationTime) ?? toUtc(fallback.time, tz);
  if (!time) return undefined;
  const params: Record<string, unknown> = {};
  for (const p of (a.Parameters as NameValue) ?? []) params[p.Name] = p.Value;
  for (const p of (a.ExtendedProperties as NameValue) ?? []) params[p.Name] ??= p.Value;
  for (const p of (a.OperationProperties as NameValue) ?? []) params[p.Name] ??= p.Value;
  // Entra logons in the audit log describe the device apart (Id, DisplayName, IsCompliant, TrustType ...).
  const device: Record<string, unknown> = {};
  for (const p of (a.DeviceProperties as NameValue) ?? []) device[p.Name] = p.Value;
  const appCtx = a.AppAccessContext as { ClientAppName?: string; ClientAppId?: string; AADSessionId?: string } | undefined;
  const ua = (a.ClientInfoString as string | undefined) ?? (a.UserAgent as string | undefined) ?? (params.UserAgent as string | undefined);
  const operation = String(a.Operation ?? fallback.operation ?? '');
  const logon = LOGON.test(operation);
  const errorNumber = a.ErrorNumber === undefined ? undefined : Number(a.ErrorNumber);
  return {
    id: String(a.Id ?? fallback.id ?? ''),
    source: 'ual',
    time,
    user: String(a.UserId ?? fallback.user ?? '').toLowerCase(),
    ip: bareIp(a.ClientIP ?? a.ClientIPAddress ?? a.ActorIpAddress),
    operation,
    userAgent: ua,
    // The Entra session (AADSessionId) ties mailbox and file records to sign-ins; Exchange's own SessionId does not.
    sessionId: appCtx?.AADSessionId || (a.SessionId as string | undefined) || (device.SessionId as string | undefined) || undefined,
    app: (a.ApplicationId as string | undefined) ?? appCtx?.ClientAppName,
    appId: (a.ApplicationId as string | undefined) || (a.AppId as string | undefined) || (a.ClientAppId as string | undefined) || appCtx?.ClientAppId || undefined,
    deviceId: (device.Id as string | undefined) || undefined,
    deviceTrusted: TRUE(device.IsCompliant) || TRUE(device.IsCompliantAndManaged) || /joined/i.test(String(device.TrustType ?? '')),
    success: a.ResultStatus === undefined ? undefined : /succe|true|ok/i.test(String(a.ResultStatus)),
    ...(logon ? { logon, deviceCode: /^cmsi:cmsi$/i.test(String(params.RequestType ?? '')), errorCode: Number.isFinite(errorNumber) ? errorNumber : undefined } : {}),
    details: {
      ...params,
      Workload: a.Workload,
      RecordType: a.RecordType,
      ObjectId: a.ObjectId,
      Target: a.Target,
      ModifiedProperties: a.ModifiedProperties,
      // What was touched: mail items (MailItemsAccessed), the sent item (Send), the search, the file.
      MailAccessType: params.MailAccessType ?? a.MailAccessType,
      Folders: a.Folders,
      Item: a.Item,
      QueryText: a.QueryText ?? a.SearchQueryText ?? a.Query ?? params.QueryText ?? params.SearchQueryText,
      SourceFileName: a.SourceFileName,
      SiteUrl: a.SiteUrl,
      DeviceName: device.DisplayName,
    },
  };
}
