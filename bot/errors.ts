import { randomUUID } from 'node:crypto';
import { ContainError, toContainError } from '../src/errors';
import type { Logger } from '../src/log';
import { message, type MessageView } from '../src/views/types';

const TITLES: Partial<Record<ContainError['code'], string>> = {
  BAD_COMMAND: 'I did not understand that',
  USER_NOT_FOUND: 'No such user',
  USER_PROTECTED: 'Protected account',
  NOT_AUTHORIZED: 'Not allowed',
  INVALID_INPUT: 'Invalid input',
  GRAPH_THROTTLED: 'Microsoft Graph is busy',
  GRAPH_UNAVAILABLE: 'Microsoft Graph did not answer',
  GRAPH_FORBIDDEN: 'Permission missing',
  GRAPH_UNLICENSED: 'Feature not licensed',
};

/**
 * The platform-neutral half of every error reply: a ContainError becomes its own message; anything else becomes a
 * generic line with a reference id that matches the log entry. Never a stack trace in chat.
 */
export function errorView(err: unknown, log: Logger): MessageView {
  const e = toContainError(err);
  const reference = randomUUID().slice(0, 8);
  const expected = e.code !== 'INTERNAL' && e.code !== 'STORE_ERROR';
  (expected ? log.info : log.error)('request failed', {
    code: e.code,
    reference,
    err: expected ? undefined : (e.cause ?? e),
    details: e.details,
  });
  const text = expected ? e.userMessage : `${e.userMessage} Reference: ${reference}.`;
  return message(
    e.code === 'USER_PROTECTED' || e.code === 'NOT_AUTHORIZED' ? 'attention' : 'warning',
    TITLES[e.code] ?? 'Contain could not do that',
    text,
  );
}
