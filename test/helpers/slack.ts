import { createHmac } from 'node:crypto';
import type { LocalStack } from '../../sandbox/local-stack';

export const SIGNING_SECRET = 'local-sandbox-signing-secret';

/** Slack's v0 signature over `v0:{timestamp}:{raw body}`. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
}

export interface SlackPost {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  timestamp?: number;
  signature?: string | null;
}

/** POST a (signed unless told otherwise) request to the stack's real /api/slack/events handler. */
export async function postSlack(stack: LocalStack, p: SlackPost): Promise<{ status: number; body: unknown; ms: number }> {
  const ts = p.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': p.contentType, 'x-slack-request-timestamp': String(ts), ...(p.headers ?? {}) };
  const sig = p.signature === undefined ? sign(p.body, ts) : p.signature;
  if (sig !== null) headers['x-slack-signature'] = sig;
  const t0 = performance.now();
  const r = await fetch(`${stack.url}/api/slack/events`, { method: 'POST', headers, body: p.body });
  const text = await r.text();
  const ms = performance.now() - t0;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* plain text ack */
  }
  return { status: r.status, body, ms };
}

let trigger = 0;
export function slashCommand(text: string, user = 'U0RILEY', extra: Record<string, string> = {}): SlackPost {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0CONTOSO',
    team_domain: 'contoso',
    channel_id: 'C0SOC',
    channel_name: 'soc-incidents',
    user_id: user,
    user_name: user.slice(2).toLowerCase(),
    command: '/contain',
    text,
    api_app_id: 'A0CONTAIN',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0CONTOSO/1/abc',
    trigger_id: `${Date.now()}.${++trigger}.cmd`,
    ...extra,
  });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

export function blockAction(
  actionId: string,
  value: string,
  user: string,
  messageTs: string,
  extra: Record<string, unknown> = {},
): SlackPost {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.slice(2).toLowerCase(), name: user.slice(2).toLowerCase(), team_id: 'T0CONTOSO' },
    api_app_id: 'A0CONTAIN',
    token: 'deprecated',
    container: { type: 'message', message_ts: messageTs, channel_id: 'C0SOC', is_ephemeral: false },
    trigger_id: `${Date.now()}.${++trigger}.act`,
    team: { id: 'T0CONTOSO', domain: 'contoso' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C0SOC', name: 'soc-incidents' },
    message: { type: 'message', ts: messageTs, text: 'card' },
    response_url: 'https://hooks.slack.com/actions/T0CONTOSO/1/abc',
    actions: [{ action_id: actionId, block_id: `decide:${value}`, value, type: 'button', action_ts: `${Date.now() / 1000}` }],
    ...extra,
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
}

export function appMention(text: string, user = 'U0RILEY', eventId = `Ev${Date.now()}${++trigger}`): SlackPost {
  const ts = `${Math.floor(Date.now() / 1000)}.000${++trigger}`;
  const body = {
    token: 'deprecated',
    team_id: 'T0CONTOSO',
    api_app_id: 'A0CONTAIN',
    event: { type: 'app_mention', user, text: `<@U0CONTAIN> ${text}`, ts, channel: 'C0SOC', event_ts: ts, team: 'T0CONTOSO' },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0CONTOSO', user_id: 'U0CONTAIN', is_bot: true }],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** Contain's bot user joined a channel (member_joined_channel with the bot as the member), as the Events API sends it. */
export function botJoined(channel = 'C0SOC', inviter = 'U0RILEY', eventId = `Ev${Date.now()}${++trigger}`): SlackPost {
  const body = {
    token: 'deprecated',
    team_id: 'T0CONTOSO',
    api_app_id: 'A0CONTAIN',
    event: {
      type: 'member_joined_channel',
      user: 'U0CONTAIN',
      channel,
      channel_type: 'C',
      team: 'T0CONTOSO',
      inviter,
      event_ts: `${Date.now() / 1000}`,
    },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0CONTOSO', user_id: 'U0CONTAIN', is_bot: true }],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
