import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

/** POST /api/messages (Teams via the Bot Connector). botbuilder is loaded on this route only. */
export async function teamsMessages(req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const { handleTeamsRequest } = await import('../bot/teams/handler');
  return handleTeamsRequest(req);
}

app.http('teams-messages', { methods: ['POST'], authLevel: 'anonymous', route: 'messages', handler: teamsMessages });
