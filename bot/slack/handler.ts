import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { getContext } from '../../src/runtime';
import { slackApp } from './app';

/** POST /api/slack/events: slash commands, interactivity and the Events API, all through Bolt. */
export async function handleSlackRequest(req: HttpRequest): Promise<HttpResponseInit> {
  const ctx = await getContext();
  if (!ctx.config.slack.signingSecret || !ctx.config.slack.botToken)
    return { status: 404, jsonBody: { error: 'Slack is not configured for this Contain instance.' } };
  // The signature covers the exact bytes Slack sent: read the raw text once, parse only after verifying.
  const rawBody = await req.text();
  const { receiver } = slackApp(ctx);
  return receiver.handle({ rawBody, header: (name) => req.headers.get(name) });
}
