import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { getContext } from '../../src/runtime';
import { getAdapter } from './adapter';
import { processWithAdapter } from './http-shim';
import { onTeamsTurn } from './turn';

/** POST /api/messages: everything Teams sends, through botbuilder's CloudAdapter (JWT checked unless emulator mode). */
export async function handleTeamsRequest(req: HttpRequest): Promise<HttpResponseInit> {
  const ctx = await getContext();
  const adapter = getAdapter(ctx.config, ctx.log);
  try {
    return await processWithAdapter(adapter, req, (turn) => onTeamsTurn(ctx, turn));
  } catch (err) {
    // CloudAdapter throws on a bad or missing JWT; that is the caller's problem, not a server error.
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) return { status, jsonBody: { error: 'Unauthorized' } };
    ctx.log.error('teams request failed', { err });
    return { status: 500, jsonBody: { error: 'Contain could not process this activity.' } };
  }
}
