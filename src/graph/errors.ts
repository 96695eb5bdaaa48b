import { ContainError, type ErrorCode } from '../errors';
import { isRetryableStatus } from './retry';

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
}

/** Human explanations for Graph error codes a responder will meet; keyed by code, then by status. */
const KNOWN_CODES: Record<string, string> = {
  Authentication_RequestFromNonPremiumTenantOrB2CTenant:
    'This needs Microsoft Entra ID P1 or P2 (sign-in logs are a premium feature). Not available in this tenant.',
  Authorization_RequestDenied:
    "Contain's app registration lacks the Graph permission for this call. An admin must grant it (see docs/permissions.md).",
  Request_ResourceNotFound: 'The object no longer exists in the directory.',
  ErrorAccessDenied: "Access to this mailbox is denied for Contain's app registration.",
  MailboxNotEnabledForRESTAPI: 'The user has no Exchange Online mailbox (or it is on-premises); mailbox steps cannot run.',
};

/** Turn anything the Graph client threw into a ContainError with code, status and Graph request id. */
export function fromGraphError(err: unknown, what: string): ContainError {
  if (err instanceof ContainError) return err;
  const g = err as GraphErrorLike & Error;
  if (g?.name === 'AbortError') return new ContainError('ABORTED', `${what} was cancelled.`, { cause: err });
  const status = typeof g?.statusCode === 'number' ? g.statusCode : -1;
  const graphCode = g?.code ?? undefined;
  const details = { status, graphCode, requestId: g?.requestId ?? undefined, graphMessage: g?.message };
  const known = graphCode ? KNOWN_CODES[graphCode] : undefined;
  let code: ErrorCode = 'GRAPH_ERROR';
  let message: string;
  if (status === 429) {
    code = 'GRAPH_THROTTLED';
    message = `Microsoft Graph is throttling Contain; ${what} will be retried.`;
  } else if (status === -1 || isRetryableStatus(status)) {
    code = 'GRAPH_UNAVAILABLE';
    message = `Microsoft Graph did not answer ${what} (${status === -1 ? 'network error' : `HTTP ${status}`}); it will be retried.`;
  } else if (status === 403 && graphCode === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') {
    code = 'GRAPH_UNLICENSED';
    message = known!;
  } else if (status === 401 || status === 403) {
    code = 'GRAPH_FORBIDDEN';
    message =
      known ?? `Microsoft Graph refused ${what} (HTTP ${status}${graphCode ? `, ${graphCode}` : ''}). Check Contain's Graph permissions.`;
  } else if (status === 404) {
    code = 'GRAPH_NOT_FOUND';
    message = known ?? `Microsoft Graph found nothing for ${what}.`;
  } else if (status === 400) {
    code = 'GRAPH_BAD_REQUEST';
    message = known ?? `Microsoft Graph rejected ${what}${graphCode ? ` (${graphCode})` : ''}.`;
  } else {
    message = known ?? `Microsoft Graph failed ${what} (HTTP ${status}${graphCode ? `, ${graphCode}` : ''}).`;
  }
  return new ContainError(code, message, { cause: err, details, transient: code === 'GRAPH_THROTTLED' || code === 'GRAPH_UNAVAILABLE' });
}
