import { WebClient } from '@slack/web-api';
import type { Config } from '../../src/config';
import { ContainError } from '../../src/errors';

let client: { web: WebClient; config: Config } | undefined;

/** The Slack Web API client (chat.postMessage, chat.update, users.info); SLACK_API_URL points it at the fake in tests. */
export function slackClient(config: Config): WebClient {
  if (!config.slack.botToken)
    throw new ContainError('CONFIG_INVALID', 'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.');
  if (client?.config === config) return client.web;
  const web = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    // Retries of postMessage can duplicate a card; our queue redelivers the whole unit of work instead.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: false,
  });
  client = { web, config };
  return web;
}
