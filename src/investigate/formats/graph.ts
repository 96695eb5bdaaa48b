import { query } from '../../graph/odata';
import { bareIp, toUtc, type LogRecord } from '../record';
import { fromAuditData } from './ual';

/** Graph sign-in (v1.0 or beta) -> a record. */
export function fromSignIn(s: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(s.createdDateTime);
  if (!time) return undefined;
  const status = s.status as { errorCode?: number } | undefined;
  const device = s.deviceDetail as { deviceId?: string } | undefined;
  const location = s.location as { countryOrRegion?: string } | undefined;
  return {
    id: String(s.id),
    source: 'signin',
    time,
    user: String(s.userPrincipalName ?? s.userId ?? '').toLowerCase(),
    ip: bareIp(s.ipAddress),
    operation: 'SignIn',
    userAgent: s.userAgent as string | undefined,
    sessionId: (s.sessionId as string | undefined) || undefined,
    app: s.appDisplayName as string | undefined,
    deviceId: device?.deviceId ?? '',
    success: (status?.errorCode ?? 0) === 0,
    country: location?.countryOrRegion,
    asn: typeof s.autonomousSystemNumber === 'number' && s.autonomousSystemNumber > 0 ? s.autonomousSystemNumber : undefined,
    clientApp: s.clientAppUsed as string | undefined,
    details: { riskLevelDuringSignIn: s.riskLevelDuringSignIn, correlationId: s.correlationId },
  };
}

/** Graph directory audit -> a record. */
export function fromDirectoryAudit(d: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(d.activityDateTime);
  if (!time) return undefined;
  const by = d.initiatedBy as { user?: { userPrincipalName?: string; id?: string; ipAddress?: string }; app?: { displayName?: string } } | undefined;
  const targets = (d.targetResources as { id?: string; displayName?: string; type?: string; userPrincipalName?: string }[] | undefined) ?? [];
  return {
    id: String(d.id),
    source: 'directoryAudit',
    time,
    user: String(by?.user?.userPrincipalName ?? targets.find((t) => t.type === 'User')?.userPrincipalName ?? by?.app?.displayName ?? '').toLowerCase(),
    ip: bareIp(by?.user?.ipAddress),
    operation: String(d.activityDisplayName ?? ''),
    success: d.result === undefined ? undefined : d.result === 'success',
    details: { targets: targets.map((t) => `${t.type}:${t.displayName ?? t.id}`), initiatedByApp: by?.app?.displayName, resultReason: d.resultReason, additionalDetails: d.additionalDetails },
  };
}

/** A record of the Graph Audit Log Query API (camelCase envelope, auditData inside) -> a record. */
export function fromAuditQueryRecord(r: Record<string, unknown>): LogRecord | undefined {
  const inner = (typeof r.auditData === 'string' ? JSON.parse(r.auditData) : r.auditData) as Record<string, unknown> | undefined;
  const rec = fromAuditData(inner ?? {}, { id: r.id as string, time: r.createdDateTime as string, user: r.userPrincipalName as string, operation: r.operation as string });
  if (rec && !rec.ip) rec.ip = bareIp(r.clientIp);
  if (rec) rec.id = String(r.id ?? rec.id);
  return rec;
}

/** An advanced-hunting EmailEvents row (results of runHuntingQuery) -> a record. */
export function fromEmailEvent(row: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(row.Timestamp);
  if (!time) return undefined;
  return {
    id: String(row.NetworkMessageId ?? row.ReportId ?? ''),
    source: 'emailEvent',
    time,
    user: String(row.RecipientEmailAddress ?? '').toLowerCase(),
    ip: bareIp(row.SenderIPv4 ?? row.SenderIPv6),
    operation: String(row.EmailDirection ?? 'EmailEvent'),
    details: { sender: row.SenderFromAddress, subject: row.Subject, deliveryAction: row.DeliveryAction, threatTypes: row.ThreatTypes, urlCount: row.UrlCount },
  };
}

/**
 * The beta sign-ins path for a filter, interactive and non-interactive alike: Graph returns only interactive
 * sign-ins unless asked, and a replayed token shows up as non-interactive ones.
 */
export function betaSignInsPath(filter: string, top: number): string {
  return `/auditLogs/signIns${query({ $filter: `${filter} and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')`, $top: top })}`;
}
