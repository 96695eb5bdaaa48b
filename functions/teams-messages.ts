import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { tracedHttp } from './lib/telemetry';

/** POST /api/messages (Teams via the Bot Connector). botbuilder is loaded on this route only. */
export const teamsMessages = tracedHttp('teams-messages', async (req: HttpRequest, _context: InvocationContext) => {
  const { handleTeamsRequest } = await import('../bot/teams/handler');
  return handleTeamsRequest(req);
});

app.http('teams-messages', { methods: ['POST'], authLevel: 'anonymous', route: 'messages', handler: teamsMessages });
