import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/log';
import type { ContainAdapter } from './adapter';

const ISO_FIELDS = ['timestamp', 'localTimestamp', 'expiration'] as const;

/**
 * One inbound Bot Framework request: a JSON activity (else 400), its JWT checked (any failure, whatever botbuilder
 * throws, is 401 and never its error text), then the turn; an invoke's response becomes the HTTP response.
 */
export async function processInbound(
  adapter: ContainAdapter,
  req: HttpRequest,
  logic: (context: TurnContext) => Promise<void>,
  log: Logger,
): Promise<HttpResponseInit> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return { status: 400, jsonBody: { error: 'Body must be a Bot Framework activity (JSON).' } };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string')
    return { status: 400, jsonBody: { error: 'Body must be a Bot Framework activity (JSON object with a type).' } };
  const activity = body as Activity & Record<string, unknown>;
  // As botbuilder's own validateAndFixActivity: dates arrive as ISO strings; the raw form is kept alongside.
  for (const f of ISO_FIELDS) {
    const v = activity[f];
    if (typeof v === 'string') Object.assign(activity, { [`raw${f[0].toUpperCase()}${f.slice(1)}`]: v, [f]: new Date(v) });
  }
  let authenticated: Awaited<ReturnType<ContainAdapter['authenticate']>>;
  try {
    authenticated = await adapter.authenticate(activity, req.headers.get('authorization') ?? '');
  } catch (err) {
    log.warn('teams request refused: authentication failed', { reason: String((err as Error)?.message ?? err).slice(0, 160) });
    return { status: 401, jsonBody: { error: 'Unauthorized' } };
  }
  const invoke = await adapter.run(authenticated, activity, logic);
  if (!invoke) return { status: 200 };
  return invoke.body === undefined ? { status: invoke.status } : { status: invoke.status, jsonBody: invoke.body };
}
