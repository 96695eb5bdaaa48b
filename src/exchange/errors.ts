import { ContainError, type ErrorCode } from '../errors';
import { exchangeAppFix } from '../doctor/fixes';

/**
 * The Exchange admin API's error body, as the ExchangeOnlineManagement module and ExoHelper read it:
 * {"error":{"code","message","details":[{"message":"<code>|<exception type>|<text>"}],"innererror":{...}}}. Some
 * throttling answers are plain text. None of it is documented (the endpoint is not public REST).
 */
interface ExchangeErrorBody {
  error?: { code?: string; message?: string; details?: { message?: string }[]; innererror?: { message?: string; type?: string } };
}

/** The parts of an answer worth keeping: Microsoft's words, never headers (they may echo the request). */
export function describeExchangeError(body: unknown): { code?: string; exceptionType?: string; message?: string } {
  if (typeof body === 'string') return { message: body.slice(0, 300) };
  const e = (body as ExchangeErrorBody | undefined)?.error;
  if (!e) return {};
  const detail = e.details?.find((d) => typeof d.message === 'string')?.message;
  const parts = detail?.split('|');
  const text = parts && parts.length === 3 ? parts[2] : (e.message ?? e.innererror?.message)?.replace(/^\|[^|]*\|/, '');
  return { code: e.code, exceptionType: parts && parts.length === 3 ? parts[1] : e.innererror?.type, message: text?.slice(0, 300) };
}

/** Plain-text refusal seen when too many requests run at once for a tenant (ExoHelper retries on it). */
export function isConcurrencyRefusal(body: unknown): boolean {
  return typeof body === 'string' && /maximum number of concurrent requests per tenant/i.test(body);
}

/** An answer of the Exchange admin API as a ContainError: code, chat-safe words and the fix; details for the log. */
export function exchangeError(status: number | 'network', body: unknown, what: string, requestId?: string): ContainError {
  const d = describeExchangeError(body);
  const details = { status, exchangeCode: d.code, exceptionType: d.exceptionType, exchangeMessage: d.message, requestId };
  let code: ErrorCode;
  let message: string;
  if (status === 'network' || status >= 500 || status === 408) {
    code = 'EXCHANGE_UNAVAILABLE';
    message = `The Exchange admin API did not answer ${what} (${status === 'network' ? 'network error' : `HTTP ${status}`}).`;
  } else if (status === 429 || isConcurrencyRefusal(body)) {
    code = 'EXCHANGE_THROTTLED';
    message = `The Exchange admin API is throttling Contain; ${what} can be tried again in a minute.`;
  } else if (status === 401 || status === 403) {
    code = 'EXCHANGE_FORBIDDEN';
    message = `The Exchange admin API refused ${what}${d.message ? ` ("${d.message}")` : ''}. ${exchangeAppFix()}`;
  } else if (status === 404 || /ManagementObjectNotFoundException/.test(d.exceptionType ?? '')) {
    code = 'EXCHANGE_NOT_FOUND';
    message = `Exchange Online found nothing for ${what}${d.message ? ` ("${d.message}")` : ''}.`;
  } else if (status === 400) {
    code = 'EXCHANGE_BAD_REQUEST';
    message = `Exchange Online rejected ${what}${d.message ? ` ("${d.message}")` : ''}.`;
  } else {
    code = 'EXCHANGE_ERROR';
    message = `Exchange Online failed ${what} (HTTP ${status}).`;
  }
  return new ContainError(code, message, { details, transient: code === 'EXCHANGE_THROTTLED' || code === 'EXCHANGE_UNAVAILABLE' });
}
