import { query } from '../../graph/odata';
import { bareIp, toUtc, type LogRecord } from '../record';
import { fromAuditData } from './ual';

/** Graph sign-in (v1.0 or beta) -> a record. */
export function fromSignIn(s: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(s.createdDateTime);
  if (!time) return undefined;
  const status = s.status as { errorCode?: number } | undefined;
  const device = s.deviceDetail as { deviceId?: string; isCompliant?: boolean; isManaged?: boolean; trustType?: string } | undefined;
  const location = s.location as { countryOrRegion?: string } | undefined;
  const types = s.signInEventTypes as string[] | undefined;
  const networks = s.networkLocationDetails as { networkType?: string }[] | undefined;
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
    appId: (s.appId as string | undefined) || undefined,
    deviceId: device?.deviceId ?? '',
    deviceTrusted: !!device && (device.isCompliant === true || device.isManaged === true || /joined/i.test(device.trustType ?? '')),
    success: (status?.errorCode ?? 0) === 0,
    errorCode: status?.errorCode ?? 0,
    country: location?.countryOrRegion,
    asn: typeof s.autonomousSystemNumber === 'number' && s.autonomousSystemNumber > 0 ? s.autonomousSystemNumber : undefined,
    clientApp: s.clientAppUsed as string | undefined,
    logon: true,
    interactive: typeof s.isInteractive === 'boolean' ? s.isInteractive : types ? types.includes('interactiveUser') : undefined,
    deviceCode: s.authenticationProtocol === 'deviceCode' || s.originalTransferMethod === 'deviceCodeFlow',
    trustedNetwork: !!networks?.some((n) => n.networkType === 'trustedNamedLocation'),
    details: {
      riskLevelDuringSignIn: s.riskLevelDuringSignIn,
      correlationId: s.correlationId,
      incomingTokenType: s.incomingTokenType,
      resource: s.resourceDisplayName,
    },
  };
}

/** Graph directory audit -> a record. */
export function fromDirectoryAudit(d: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(d.activityDateTime);
  if (!time) return undefined;
  const by = d.initiatedBy as
    { user?: { userPrincipalName?: string; id?: string; ipAddress?: string }; app?: { displayName?: string } } | undefined;
  const targets =
    (d.targetResources as { id?: string; displayName?: string; type?: string; userPrincipalName?: string }[] | undefined) ?? [];
  return {
    id: String(d.id),
    source: 'directoryAudit',
    time,
    user: String(
      by?.user?.userPrincipalName ?? targets.find((t) => t.type === 'User')?.userPrincipalName ?? by?.app?.displayName ?? '',
    ).toLowerCase(),
    ip: bareIp(by?.user?.ipAddress),
    operation: String(d.activityDisplayName ?? ''),
    success: d.result === undefined ? undefined : d.result === 'success',
    details: {
      targets: targets.map((t) => `${t.type}:${t.displayName ?? t.id}`),
      initiatedByApp: by?.app?.displayName,
      resultReason: d.resultReason,
      additionalDetails: d.additionalDetails,
    },
  };
}

/** A record of the Graph Audit Log Query API (camelCase envelope, auditData inside) -> a record. */
export function fromAuditQueryRecord(r: Record<string, unknown>): LogRecord | undefined {
  const inner = (typeof r.auditData === 'string' ? JSON.parse(r.auditData) : r.auditData) as Record<string, unknown> | undefined;
  const rec = fromAuditData(inner ?? {}, {
    id: r.id as string,
    time: r.createdDateTime as string,
    user: r.userPrincipalName as string,
    operation: r.operation as string,
  });
  if (rec && !rec.ip) rec.ip = bareIp(r.clientIp);
  if (rec) rec.id = String(r.id ?? rec.id);
  return rec;
}

const DIRECTION: Record<string, 'inbound' | 'outbound' | 'intra'> = {
  inbound: 'inbound',
  outbound: 'outbound',
  'intra-org': 'intra',
  intraorg: 'intra',
};

/** AuthenticationDetails is a JSON string ({"SPF":"fail","DKIM":"pass",...}) in hunting results. */
function authFailed(v: unknown): boolean {
  if (!v) return false;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /"(SPF|DKIM|DMARC)"\s*:\s*"(fail|softfail|permerror)"/i.test(text);
}

/**
 * An advanced-hunting EmailEvents row (results of runHuntingQuery) -> a record. The record's user is the mailbox
 * the mail belongs to: the recipient of inbound mail, the sender of outbound and internal mail.
 */
export function fromEmailEvent(row: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(row.Timestamp);
  if (!time) return undefined;
  const direction = DIRECTION[String(row.EmailDirection ?? 'Inbound').toLowerCase()] ?? 'inbound';
  const sender = String(row.SenderFromAddress ?? row.SenderMailFromAddress ?? '').toLowerCase();
  const recipient = String(row.RecipientEmailAddress ?? '').toLowerCase();
  const action = String(row.LatestDeliveryAction || row.DeliveryAction || 'Delivered');
  return {
    id: String(row.NetworkMessageId ?? row.ReportId ?? ''),
    source: 'emailEvent',
    time,
    user: direction === 'inbound' ? recipient : sender,
    ip: bareIp(row.SenderIPv4 ?? row.SenderIPv6),
    operation: String(row.EmailDirection ?? 'EmailEvent'),
    mail: {
      direction,
      sender,
      recipient,
      subject: String(row.Subject ?? ''),
      internetMessageId: (row.InternetMessageId as string | undefined) || undefined,
      urlCount: Number(row.UrlCount ?? 0) || 0,
      senderDisplayName: (row.SenderDisplayName as string | undefined) || undefined,
      threats: (row.ThreatTypes as string | undefined) || undefined,
      authFailed: authFailed(row.AuthenticationDetails),
      delivered: !/blocked|junked|replaced|quarantin|removed|deleted/i.test(action),
    },
    details: {
      sender: row.SenderFromAddress,
      subject: row.Subject,
      deliveryAction: row.DeliveryAction,
      threatTypes: row.ThreatTypes,
      urlCount: row.UrlCount,
    },
  };
}

/** An advanced-hunting EmailUrlInfo row (a link in a mail, by NetworkMessageId) -> a record. */
export function fromEmailUrl(row: Record<string, unknown>): LogRecord | undefined {
  const time = toUtc(row.Timestamp);
  if (!time || typeof row.Url !== 'string') return undefined;
  return {
    id: String(row.NetworkMessageId ?? ''),
    source: 'emailUrl',
    time,
    user: '',
    ip: null,
    operation: 'EmailUrl',
    mail: { direction: 'inbound', sender: '', recipient: '', subject: '', urlCount: 1, url: row.Url, delivered: true },
    details: { urlDomain: row.UrlDomain, urlLocation: row.UrlLocation },
  };
}

/**
 * The beta sign-ins path for a filter, interactive and non-interactive alike: Graph returns only interactive
 * sign-ins unless asked, and a replayed token shows up as non-interactive ones.
 */
export function betaSignInsPath(filter: string, top: number): string {
  return `/auditLogs/signIns${query({ $filter: `${filter} and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')`, $top: top })}`;
}
