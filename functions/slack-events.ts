import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

/** POST /api/slack/events: slash commands, interactivity, Events API. @slack/bolt is loaded on this route only. */
export async function slackEvents(req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const { handleSlackRequest } = await import('../bot/slack/handler');
  return handleSlackRequest(req);
}

app.http('slack-events', { methods: ['POST'], authLevel: 'anonymous', route: 'slack/events', handler: slackEvents });
