import { bareIp, toUtc, type LogRecord } from '../record';

/** UAL AuditData (PascalCase, as in exports and the Management Activity API) -> a record. */
export function fromAuditData(a: Record<string, unknown>, fallback: { id?: string; time?: string; user?: string; operation?: string } = {}, tz = 0): LogRecord | undefined {
  const time = toUtc(a.CreationTime) ?? toUtc(fallback.time, tz);
  if (!time) return undefined;
  const params: Record<string, unknown> = {};
  for (const p of (a.Parameters as { Name: string; Value: unknown }[] | undefined) ?? []) params[p.Name] = p.Value;
  for (const p of (a.ExtendedProperties as { Name: string; Value: unknown }[] | undefined) ?? []) params[p.Name] ??= p.Value;
  const appCtx = a.AppAccessContext as { ClientAppName?: string; AADSessionId?: string } | undefined;
  const ua = (a.ClientInfoString as string | undefined) ?? (a.UserAgent as string | undefined) ?? (params.UserAgent as string | undefined);
  return {
    id: String(a.Id ?? fallback.id ?? ''),
    source: 'ual',
    time,
    user: String(a.UserId ?? fallback.user ?? '').toLowerCase(),
    ip: bareIp(a.ClientIP ?? a.ClientIPAddress ?? a.ActorIpAddress),
    operation: String(a.Operation ?? fallback.operation ?? ''),
    userAgent: ua,
    sessionId: (a.SessionId as string | undefined) ?? appCtx?.AADSessionId,
    app: (a.ApplicationId as string | undefined) ?? appCtx?.ClientAppName,
    success: a.ResultStatus === undefined ? undefined : /succe|true|ok/i.test(String(a.ResultStatus)),
    details: { ...params, Workload: a.Workload, RecordType: a.RecordType, ObjectId: a.ObjectId, Target: a.Target, ModifiedProperties: a.ModifiedProperties },
  };
}
