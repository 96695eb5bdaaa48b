import { subError } from '../../graph/batch';
import type { BatchRequest } from '../../graph/batch';
import { odataString, query, segment } from '../../graph/odata';
import type { ActionResult } from '../../incidents/model';
import type { Answers } from '../answers';
import type { Call, CallResult, ReadScope } from '../types';

export const get = (url: string): Call => ({ api: 'graph', method: 'GET', url });
export const patch = (url: string, body: unknown): Call => ({ api: 'graph', method: 'PATCH', url, body });
export const post = (url: string, body: unknown = {}): Call => ({ api: 'graph', method: 'POST', url, body });
export const del = (url: string): Call => ({ api: 'graph', method: 'DELETE', url });
export { query, segment as seg };

export const ok = (r: CallResult) => r.status >= 200 && r.status < 300;

/** A failed change as a result: Graph's code and message, and what a responder should do next. */
export function failed(r: CallResult, advice: string): ActionResult {
  const e = subError({ id: '', ...r });
  return {
    outcome: 'failed',
    code: e.code ?? `HTTP_${r.status}`,
    message: `${advice}${e.message ? ` (Graph: ${e.message})` : ''}`,
    requestIds: e.requestId ? [e.requestId] : undefined,
  };
}

/** The object vanished between discovery and the change: nothing to do, and that is worth saying. */
export const gone = (what: string): ActionResult => ({ outcome: 'skipped', message: `${what} no longer exists; nothing to change.` });

/** True when `iso` is at or after the window start. */
export const inWindow = (iso: unknown, start: string) => typeof iso === 'string' && iso >= start;

/** Names made only of punctuation, or of 1-5 characters, are an attacker habit ('.', '..', 'x'). */
export function suspiciousName(name: unknown): string | undefined {
  const n = String(name ?? '').trim();
  if (n === '' || /^[\p{P}\p{S}\s]+$/u.test(n)) return `its name "${n}" is only punctuation`;
  if (n.length <= 5) return `its name "${n}" is very short`;
  return undefined;
}

/** A read for a batch: a GET under an id the steps' answers are looked up by. */
export const read = (id: string, url: string): BatchRequest => ({ id, method: 'GET', url });

/** The users/{id} path segment of the scope's user. */
export const userPath = (scope: ReadScope) => `/users/${segment(scope.user.id)}`;

/** The directory audit since a moment, of what the user did or what was done to them (steps 3, 7 and 8 read it). */
export function directoryAuditPath(userId: string, since: string): string {
  const id = odataString(userId);
  return `/auditLogs/directoryAudits${query({ $filter: `activityDateTime ge ${since} and (targetResources/any(t: t/id eq ${id}) or initiatedBy/user/id eq ${id})`, $top: 500 })}`;
}

/**
 * The window's directory audit as a batch read: step 3 finds security info registered from the attacker's addresses
 * in it, step 7 consents and app registrations. Both declare it; discovery reads it once.
 */
export const directoryAudits = (scope: ReadScope): BatchRequest => read('audits', directoryAuditPath(scope.user.id, scope.since));

/** A step's note when one of its reads failed: "<what> could not be read: <why>", or nothing. */
export function unreadNotes(answers: Answers, id: string, what: string): string[] {
  const failure = answers.failure(id);
  return failure ? [`${what} could not be read: ${failure}`] : [];
}
