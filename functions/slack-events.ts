import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { tracedHttp } from './lib/telemetry';

/** POST /api/slack/events: slash commands, interactivity, Events API. @slack/bolt is loaded on this route only. */
export const slackEvents = tracedHttp('slack-events', async (req: HttpRequest, _context: InvocationContext) => {
  const { handleSlackRequest } = await import('../bot/slack/handler');
  return handleSlackRequest(req);
});

app.http('slack-events', { methods: ['POST'], authLevel: 'anonymous', route: 'slack/events', handler: slackEvents });
