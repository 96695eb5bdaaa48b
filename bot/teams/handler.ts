import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { getContext } from '../../src/runtime';
import { getAdapter } from './adapter';
import { processInbound } from './inbound';
import { onTeamsTurn } from './turn';

/** POST /api/messages: everything Teams sends, through botbuilder's CloudAdapter (JWT checked unless emulator mode). */
export async function handleTeamsRequest(req: HttpRequest): Promise<HttpResponseInit> {
  const ctx = await getContext();
  const log = ctx.log.child({ platform: 'teams' });
  try {
    return await processInbound(getAdapter(ctx.config, ctx.log), req, (turn) => onTeamsTurn(ctx, turn), log);
  } catch (err) {
    log.error('teams request failed', { err });
    return { status: 500, jsonBody: { error: 'Contain could not process this activity.' } };
  }
}
