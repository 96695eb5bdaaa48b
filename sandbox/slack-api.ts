import { DOMAIN } from './graph/seed';
import { SLACK_LIMITS, TRUNCATED_WARNING, blockKitErrors, invalidBlocks } from './slack-limits';
import { FakeSlackViews } from './slack-views';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  time: string;
  /** Slack's error code when the call was refused (invalid_blocks, msg_too_long ...). */
  error?: string;
}

/** Slack workspace members of the sandbox, mapped to the tenant by email as users.info would. */
export const SLACK_USERS: Record<string, { name: string; real_name: string; email?: string }> = {
  U0RILEY: { name: 'riley', real_name: 'Riley Rivera', email: `riley.rivera@${DOMAIN}` },
  U0AVERY: { name: 'avery', real_name: 'Avery Adams', email: `avery.adams@${DOMAIN}` },
  U0PARKER: { name: 'parker', real_name: 'Parker Patel', email: `parker.patel@${DOMAIN}` },
  U0QUINN: { name: 'quinn', real_name: 'Quinn Quigley', email: `quinn.quigley@${DOMAIN}` },
  U0SAM: { name: 'sam', real_name: 'Sam Sato', email: `sam.sato@${DOMAIN}` },
  U0ALICE: { name: 'alice', real_name: 'Alice Aoki', email: `alice.aoki@${DOMAIN}` },
  U0GUEST: { name: 'guest', real_name: 'Guest Without Email' },
};
export const SLACK_BOT = { userId: 'U0CONTAIN', botId: 'B0CONTAIN', teamId: 'T0CONTOSO' };

/**
 * A fake Slack Web API: the methods Contain calls, with Slack's response shapes and Slack's documented limits on what
 * they post (sandbox/slack-limits.ts). Records every call, refused ones with their error, so tests and the
 * playground can see what was posted, updated and turned away.
 */
export class FakeSlackApi {
  private calls: SlackCall[] = [];
  private seq = 0;
  readonly messages = new Map<
    string,
    { channel: string; ts: string; thread_ts?: string; text?: string; blocks?: unknown; user?: string; ephemeral?: boolean }
  >();
  /** Modals opened with views.open (sandbox/slack-views.ts). */
  readonly modals: FakeSlackViews;

  /** `now`: the clock trigger ids are judged by (tests set it). */
  constructor(options: { now?: () => number } = {}) {
    this.modals = new FakeSlackViews(options.now);
  }

  all(): SlackCall[] {
    return [...this.calls];
  }
  clear(): void {
    this.calls = [];
    this.messages.clear();
    this.modals.clear();
  }

  handle(method: string, bodyText: string, contentType: string, authorization: string | undefined): { status: number; body: unknown } {
    const args = parseArgs(bodyText, contentType);
    const call: SlackCall = { method, args, time: new Date().toISOString() };
    this.calls.push(call);
    const answer = this.answer(method, args, authorization);
    const body = answer.body as { ok?: boolean; error?: string };
    if (body.ok === false) call.error = body.error;
    return answer;
  }

  private answer(method: string, args: Record<string, unknown>, authorization: string | undefined): { status: number; body: unknown } {
    if (!authorization?.startsWith('Bearer xoxb-') && !String(args.token ?? '').startsWith('xoxb-'))
      return { status: 200, body: { ok: false, error: 'not_authed' } };
    const refusal = ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(method) ? contentRefusal(method, args) : undefined;
    if (refusal) return { status: 200, body: refusal };
    // Past 40,000 characters postMessage and postEphemeral keep the start of the text and say so in a warning.
    const long = typeof args.text === 'string' && args.text.length > SLACK_LIMITS.messageText;
    if (long) args = { ...args, text: (args.text as string).slice(0, SLACK_LIMITS.messageText) };
    const warned = (r: { status: number; body: unknown }) =>
      long ? { ...r, body: { ...(r.body as object), response_metadata: TRUNCATED_WARNING } } : r;
    // Like Slack's: seconds and a six-digit fraction that orders messages in time (milliseconds, then a counter).
    const ts = () => {
      const now = Date.now();
      return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (++this.seq % 1000)).padStart(6, '0')}`;
    };
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://contoso-sandbox.slack.com/',
          team: 'Contoso',
          user: 'contain',
          team_id: SLACK_BOT.teamId,
          user_id: SLACK_BOT.userId,
          bot_id: SLACK_BOT.botId,
        });
      case 'chat.postMessage': {
        if (!args.channel) return ok({}, 'channel_not_found');
        const t = ts();
        const m = {
          channel: String(args.channel),
          ts: t,
          thread_ts: args.thread_ts as string | undefined,
          text: args.text as string,
          blocks: args.blocks,
        };
        this.messages.set(`${m.channel}/${t}`, m);
        return warned(ok({ channel: m.channel, ts: t, message: { ...m, type: 'message', bot_id: SLACK_BOT.botId } }));
      }
      case 'chat.update': {
        const key = `${args.channel}/${args.ts}`;
        if (!this.messages.has(key)) return ok({}, 'message_not_found');
        this.messages.set(key, { ...this.messages.get(key)!, text: args.text as string, blocks: args.blocks });
        return ok({ channel: args.channel, ts: args.ts, text: args.text });
      }
      case 'chat.postEphemeral': {
        const t = ts();
        this.messages.set(`${args.channel}/${t}`, {
          channel: String(args.channel),
          ts: t,
          text: args.text as string,
          blocks: args.blocks,
          user: String(args.user),
          ephemeral: true,
        });
        return warned(ok({ message_ts: t }));
      }
      case 'views.open':
        return { status: 200, body: this.modals.open(args) };
      case 'views.update':
        return { status: 200, body: this.modals.update(args) };
      case 'users.info': {
        const u = SLACK_USERS[String(args.user)];
        if (!u) return ok({}, 'user_not_found');
        return ok({
          user: {
            id: args.user,
            team_id: SLACK_BOT.teamId,
            name: u.name,
            real_name: u.real_name,
            profile: { real_name: u.real_name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
          },
        });
      }
      default:
        return ok({}, 'unknown_method');
    }
  }
}

/**
 * What Slack says to a message it will not take: blocks that are not JSON (invalid_blocks_format) or break a Block Kit
 * limit (invalid_blocks), and for chat.update a `text` over 4,000 characters (msg_too_long).
 */
function contentRefusal(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof args.blocks === 'string') return { ok: false, error: 'invalid_blocks_format' };
  const errors = blockKitErrors(args.blocks);
  if (errors.length) return invalidBlocks(errors);
  if (method === 'chat.update' && typeof args.text === 'string' && args.text.length > SLACK_LIMITS.updateText)
    return { ok: false, error: 'msg_too_long' };
  return undefined;
}

function ok(body: Record<string, unknown>, error?: string): { status: number; body: unknown } {
  return { status: 200, body: error ? { ok: false, error } : { ok: true, ...body } };
}

/** @slack/web-api sends form fields with complex values JSON-encoded; accept JSON bodies too. */
function parseArgs(text: string, contentType: string): Record<string, unknown> {
  if (!text) return {};
  if (contentType.includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
