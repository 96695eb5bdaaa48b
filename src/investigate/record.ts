/** One log record from any source, normalised: UTC time, bare IP, the fields detections read. */
export interface LogRecord {
  /** The record's own id: UAL/audit record Id, sign-in id, directory audit id, or NetworkMessageId. */
  id: string;
  source: 'ual' | 'signin' | 'directoryAudit' | 'emailEvent' | 'emailUrl';
  time: string;
  user: string;
  ip: string | null;
  operation: string;
  userAgent?: string;
  sessionId?: string;
  app?: string;
  deviceId?: string;
  success?: boolean;
  country?: string;
  /** Autonomous system number of the address (beta sign-ins). */
  asn?: number;
  clientApp?: string;
  /** The client application's id (sign-ins: appId; audit records: ApplicationId, AppId or ClientAppId). */
  appId?: string;
  /** A sign-in (Entra sign-in log, or the audit log's UserLoggedIn / UserLoginFailed). */
  logon?: boolean;
  /** Sign-ins: the user gave a factor (true), or a client used a token it already had (false). */
  interactive?: boolean;
  /**
   * Sign-ins in the device code flow: authenticationProtocol deviceCode, originalTransferMethod deviceCodeFlow, or
   * the audit log's RequestType Cmsi:Cmsi (the "are you trying to sign in to ..." confirmation of a device code).
   */
  deviceCode?: boolean;
  /** The device is compliant, managed or joined: the organisation's own, not merely registered by whoever signed in. */
  deviceTrusted?: boolean;
  /** The address is one of the tenant's trusted named locations. */
  trustedNetwork?: boolean;
  /** Sign-ins: the Entra error code (0 is success). */
  errorCode?: number;
  /** Mail (advanced-hunting EmailEvents and EmailUrlInfo rows). */
  mail?: MailFields;
  /** Operation parameters and other details, as name -> value. */
  details: Record<string, unknown>;
}

/** What the mail detections read of an EmailEvents or EmailUrlInfo row. */
export interface MailFields {
  direction: 'inbound' | 'outbound' | 'intra';
  sender: string;
  recipient: string;
  subject: string;
  internetMessageId?: string;
  urlCount: number;
  /** EmailUrlInfo rows: the link. */
  url?: string;
  senderDisplayName?: string;
  /** Defender's verdicts (ThreatTypes), e.g. "Phish, Malware". */
  threats?: string;
  /** SPF, DKIM or DMARC failed (AuthenticationDetails). */
  authFailed?: boolean;
  /** Reached a mailbox (DeliveryAction Delivered, or not blocked / junked / replaced). */
  delivered: boolean;
}

/** "1.2.3.4:5678", "[2001:db8::1]:443", "::ffff:1.2.3.4" -> the bare address; empty -> null. */
export function bareIp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let v = value.trim();
  if (!v) return null;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracket) v = bracket[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  v = v.replace(/^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i, '$1');
  return v.toLowerCase();
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:[0-5]\d:[0-5]\d$/;

/**
 * A timestamp as ISO UTC. ISO strings without an offset are UTC (AuditData's CreationTime is); US-style export dates
 * ("11/23/2026 5:49:00 PM") are local to whoever exported them, so the caller passes that offset in minutes.
 */
export function toUtc(value: unknown, localOffsetMinutes = 0): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  // The audit log's own form ("2026-11-23T17:52:10", UTC): a million of them, so no Date round trip.
  if (
    value.length === 19 &&
    ISO_SECONDS.test(value) &&
    Number(value.slice(5, 7)) <= 12 &&
    Number(value.slice(8, 10)) <= 31 &&
    Number(value.slice(11, 13)) < 24
  )
    return `${value}.000Z`;
  const v = value.trim();
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$/i.exec(v);
  if (us) {
    let h = Number(us[4]) % 12;
    if (!us[7]) h = Number(us[4]);
    else if (us[7].toUpperCase() === 'PM') h += 12;
    const ms =
      Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2]), h, Number(us[5]), Number(us[6] ?? 0)) - localOffsetMinutes * 60_000;
    return new Date(ms).toISOString();
  }
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Milliseconds of an ISO UTC time as toUtc writes it ("2026-11-23T17:52:10.000Z"), without Date.parse. */
export function utcMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90) return Date.parse(iso);
  const d = (i: number, n: number) => {
    let v = 0;
    for (let k = i; k < i + n; k++) v = v * 10 + iso.charCodeAt(k) - 48;
    return v;
  };
  return Date.UTC(d(0, 4), d(5, 2) - 1, d(8, 2), d(11, 2), d(14, 2), d(17, 2), d(20, 3));
}
