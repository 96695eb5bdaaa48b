/** Every failure a user can see is a ContainError: a stable code, a message fit for chat, and details for logs. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'BAD_COMMAND'
  | 'USER_NOT_FOUND'
  | 'USER_AMBIGUOUS'
  | 'USER_PROTECTED'
  | 'NOT_AUTHORIZED'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'GRAPH_THROTTLED'
  | 'GRAPH_UNAVAILABLE'
  | 'GRAPH_FORBIDDEN'
  | 'GRAPH_UNLICENSED'
  | 'GRAPH_NOT_FOUND'
  | 'GRAPH_BAD_REQUEST'
  | 'GRAPH_ERROR'
  | 'EXCHANGE_THROTTLED'
  | 'EXCHANGE_UNAVAILABLE'
  | 'EXCHANGE_FORBIDDEN'
  | 'EXCHANGE_NOT_FOUND'
  | 'EXCHANGE_BAD_REQUEST'
  | 'EXCHANGE_ERROR'
  | 'STORE_ERROR'
  | 'ABORTED'
  | 'INTERNAL';

export interface ContainErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** True when retrying the same operation later may succeed (throttling, 5xx, network). */
  transient?: boolean;
}

export class ContainError extends Error {
  readonly code: ErrorCode;
  /** Safe to show in a channel: no stack, no secrets, no raw Graph bodies. */
  readonly userMessage: string;
  readonly details: Record<string, unknown>;
  readonly transient: boolean;

  constructor(code: ErrorCode, userMessage: string, options: ContainErrorOptions = {}) {
    super(`${code}: ${userMessage}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContainError';
    this.code = code;
    this.userMessage = userMessage;
    this.details = options.details ?? {};
    this.transient = options.transient ?? false;
  }
}

/** Any thrown value as a ContainError; unknown failures get a generic message and keep the original as cause. */
export function toContainError(err: unknown): ContainError {
  if (err instanceof ContainError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new ContainError('ABORTED', 'The operation was cancelled.', { cause: err });
  }
  return new ContainError('INTERNAL', 'Something went wrong inside Contain. The error was logged; nothing was changed by this request.', {
    cause: err,
  });
}
