import { ContainError, toContainError } from '../errors';
import type { CallResult } from '../playbook/types';
import type { ExchangeClient } from './client';
import type { MailboxForwarding } from './forwarding';

/** One Exchange admin API operation an action snapshots, changes or reads back with (run directly, never batched). */
export type ExchangeCall = {
  api: 'exchange';
  op: 'getForwarding' | 'clearForwarding' | 'restoreForwarding' | 'getInboxRule' | 'disableInboxRule' | 'enableInboxRule';
  mailbox: string;
  ruleIdentity?: string;
  /** restoreForwarding: the settings to put back (the snapshot of the clear). */
  forwarding?: MailboxForwarding;
};

/** Refusals that say the operation was not made, as the HTTP status the handlers judge. */
const REFUSED: Partial<Record<string, number>> = {
  EXCHANGE_FORBIDDEN: 403,
  EXCHANGE_NOT_FOUND: 404,
  EXCHANGE_BAD_REQUEST: 400,
  EXCHANGE_THROTTLED: 429,
};

/**
 * Run one operation through Contain's Exchange client, answered in the engine's CallResult shape: a read's output as
 * the body, a change as 204. A refusal (403, 404, 400, or throttling the client gave up on) becomes that status with
 * Exchange's words in the Graph-shaped error body, since it proves nothing was changed; an answer that never came
 * (5xx, network) stays a transient ContainError, so the engine reads the mailbox back before anything is sent again.
 */
export async function runExchangeCall(
  client: ExchangeClient | undefined,
  c: ExchangeCall,
  options: { signal?: AbortSignal } = {},
): Promise<CallResult | ContainError> {
  if (!client)
    return new ContainError('CONFIG_INVALID', 'The Exchange admin API is not configured (EXCHANGE_ADMIN_API_URL).', { transient: true });
  const rule = () => c.ruleIdentity ?? '';
  try {
    switch (c.op) {
      case 'getForwarding':
        return { status: 200, headers: {}, body: await client.getForwarding(c.mailbox, options) };
      case 'getInboxRule':
        return { status: 200, headers: {}, body: await client.getInboxRule(c.mailbox, rule(), options) };
      case 'clearForwarding':
        await client.clearForwarding(c.mailbox, options);
        break;
      case 'restoreForwarding':
        if (!c.forwarding)
          return { status: 400, headers: {}, body: { error: { code: 'INVALID_INPUT', message: 'No forwarding to put back.' } } };
        await client.restoreForwarding({ ...c.forwarding, mailbox: c.mailbox }, options);
        break;
      case 'disableInboxRule':
        await client.disableInboxRule(c.mailbox, rule(), options);
        break;
      case 'enableInboxRule':
        await client.enableInboxRule(c.mailbox, rule(), options);
        break;
    }
    return { status: 204, headers: {}, body: undefined };
  } catch (err) {
    const e = toContainError(err);
    if (e.code === 'ABORTED') throw e;
    const status = REFUSED[e.code] ?? (e.code === 'INVALID_INPUT' ? 400 : undefined);
    if (status) return { status, headers: {}, body: { error: { code: e.code, message: e.userMessage } } };
    return e.transient ? e : new ContainError(e.code, e.userMessage, { transient: true, cause: e, details: e.details });
  }
}
