import { App, LogLevel } from '@slack/bolt';
import type { ContainContext } from '../../src/context';
import { ContainError } from '../../src/errors';
import type { WorkMessage } from '../../src/store/work-queue';
import { parseCommand, type Command } from '../../src/commands';
import { approverRoster } from '../../src/directory/roster';
import { escapeSlack } from '../../cards/text';
import { loadingModal } from '../../cards/blockkit/render';
import { errorView } from '../errors';
import { threadRef } from '../core/surface';
import { modalOrigin } from './thread';
import { FunctionsReceiver } from './receiver';
import { buttonVerbSchema } from '../../src/views/buttons';
import { adoptIncidentChannel, mayMoveIncidentChannel, WELCOME, WELCOME_KEPT } from '../../src/incidents/channel';
import { slackActor } from './identity';
import { message } from '../../src/views/types';

/**
 * The boxes of "Contain all N" still ticked, from the state Slack sends with the button (every checkboxes element of
 * the message, by block); undefined when the message had none, which means the card's default: all ticked.
 */
function ticked(body: unknown): string[] | undefined {
  const values =
    (body as { state?: { values?: Record<string, Record<string, { selected_options?: { value: string }[] }>> } }).state?.values ?? {};
  const picks = Object.entries(values).filter(([block]) => block.startsWith('wave-pick:'));
  return picks.length
    ? picks.flatMap(([, elements]) => Object.values(elements).flatMap((e) => (e.selected_options ?? []).map((o) => o.value))).slice(0, 1000)
    : undefined;
}

let built: { app: App; receiver: FunctionsReceiver; config: ContainContext['config'] } | undefined;

/**
 * Bolt with our Functions receiver. Every listener enqueues the work and acknowledges; the worker claims the delivery
 * key first, so a retry carrying X-Slack-Retry-Num does nothing twice. No Graph call happens before the ack.
 */
export function slackApp(ctx: ContainContext): { app: App; receiver: FunctionsReceiver } {
  if (built && built.config === ctx.config) return built;
  const { signingSecret, botToken, apiUrl } = ctx.config.slack;
  if (!signingSecret || !botToken)
    throw new ContainError('CONFIG_INVALID', 'Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.');
  const log = ctx.log.child({ platform: 'slack' });
  const receiver = new FunctionsReceiver(signingSecret, log);
  const app = new App({
    // The token as it is, no auth.test: with `token`, Bolt 5 calls auth.test before every listener (its cache is
    // rebuilt per call when verification is off), a Slack round trip inside the 3 s ack. Nothing here needs the bot's
    // ids Bolt would learn from it: the channel join reads the bot user from the event's authorizations.
    authorize: async () => ({ botToken }),
    receiver,
    clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });

  // One storage round trip before the ack: the worker drops duplicate deliveries by claiming `key` before it runs.
  // Listeners only run for verified requests, so this is also where the approver roster gets warmed.
  const enqueue = async (message: WorkMessage): Promise<void> => {
    void approverRoster(ctx).catch(() => undefined);
    await ctx.queue.send(message);
  };

  app.command('/contain', async ({ command, ack }) => {
    const text = command.text ?? '';
    let parsed: Command;
    try {
      parsed = parseCommand(text); // reject bad input in the ack itself: the person sees the right form at once
    } catch (err) {
      const v = errorView(err, log);
      await ack({ response_type: 'ephemeral', text: escapeSlack(`${v.title}: ${v.text}`) });
      return;
    }
    const thread = threadRef({ teamId: command.team_id, enterpriseId: command.enterprise_id || undefined, channel: command.channel_id });
    await enqueue({
      type: 'command',
      surface: 'slack',
      key: command.trigger_id,
      thread,
      actor: { id: command.user_id, name: command.user_name },
      command: parsed,
    });
    await ack({ response_type: 'ephemeral', text: `On it: ${escapeSlack(`/contain ${text}`)}. The result will appear in this channel.` });
  });

  app.event('app_mention', async ({ event, body }) => {
    const e = event as { user?: string; text: string; channel: string; ts: string; thread_ts?: string; team?: string };
    if (!e.user) return;
    const text = e.text.replace(/^\s*<@[A-Z0-9]+(\|[^>]*)?>\s*/, '');
    const b = body as { event_id?: string; team_id?: string; enterprise_id?: string };
    // A mention's answer goes in its thread; one that cannot be parsed is answered there too, by the worker.
    const from = { surface: 'slack', key: b.event_id ?? `${e.channel}:${e.ts}`, actor: { id: e.user, name: e.user } };
    const thread = threadRef({
      teamId: b.team_id ?? e.team ?? '',
      enterpriseId: b.enterprise_id,
      channel: e.channel,
      threadTs: e.thread_ts ?? e.ts,
    });
    let command: Command;
    try {
      command = parseCommand(text);
    } catch (err) {
      await enqueue({ type: 'reply', ...from, thread, view: errorView(err, log) });
      return;
    }
    await enqueue({ type: 'command', ...from, thread, command });
  });

  // Contain added to a channel: it becomes the Slack incident channel, where alert-opened incidents appear.
  app.event('member_joined_channel', async ({ event, body, client }) => {
    const e = event as { user?: string; channel: string; team?: string; inviter?: string };
    const b = body as {
      event_id?: string;
      team_id?: string;
      enterprise_id?: string;
      authorizations?: { user_id?: string; is_bot?: boolean }[];
    };
    const bot = b.authorizations?.find((x) => x.is_bot)?.user_id;
    if (!bot || e.user !== bot) return;
    const thread = threadRef({ teamId: b.team_id ?? e.team ?? '', enterpriseId: b.enterprise_id, channel: e.channel });
    const inviter = { id: e.inviter ?? bot, name: e.inviter ?? 'Slack' };
    const actor = { platform: 'slack', ...inviter };
    const r = await adoptIncidentChannel(ctx, 'slack', thread, actor, async () =>
      mayMoveIncidentChannel(ctx, await slackActor(ctx, client, { userId: inviter.id, name: inviter.name })),
    );
    const welcome = r === 'set' ? WELCOME : WELCOME_KEPT;
    await enqueue({
      type: 'reply',
      surface: 'slack',
      key: b.event_id ?? `${e.channel}:joined`,
      thread,
      actor: inviter,
      view: message('default', welcome.title, welcome.text),
    });
  });

  app.action(/^contain\./, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as {
      trigger_id?: string;
      user: { id: string; name?: string; username?: string; team_id?: string };
      team?: { id: string } | null;
      enterprise?: { id: string } | null;
      channel?: { id: string };
      container?: { message_ts?: string; channel_id?: string };
      message?: { ts: string };
      view?: { id: string; private_metadata?: string };
    };
    const a = action as { action_id: string; value?: string; action_ts?: string };
    const verb = buttonVerbSchema.safeParse(a.action_id.split('.')[1]);
    if (!verb.success || !a.value) {
      log.warn('unknown Slack action ignored', { actionId: a.action_id.slice(0, 60) });
      return;
    }
    // A button inside a "Show all" modal: its card's channel and message travel in the modal's private_metadata.
    const origin = b.view ? modalOrigin(b.view.private_metadata) : undefined;
    if (b.view && !origin) return;
    const channel = origin?.channel ?? b.channel?.id ?? b.container?.channel_id;
    const messageTs = origin ? origin.message : (b.message?.ts ?? b.container?.message_ts);
    if (!channel || (!messageTs && !origin)) return;
    const thread = threadRef({ teamId: b.user.team_id ?? b.team?.id ?? '', enterpriseId: b.enterprise?.id, channel });
    const actor = { id: b.user.id, name: b.user.name ?? b.user.username ?? b.user.id };
    const key = `${b.trigger_id ?? ''}:${a.action_ts ?? ''}:${b.user.id}`;
    // "Show all": a modal opens only within 3 seconds of the click (trigger_id), long before the worker has read the
    // step and checked the clicker's role; so it opens now saying so, and the worker fills it in (views.update).
    let dialog = b.view?.id;
    if (verb.data === 'show-step' && !dialog) {
      if (!b.trigger_id) return;
      const opened = await client.views
        .open({ trigger_id: b.trigger_id, view: loadingModal('Reading the step…') })
        .catch((err: unknown) => log.warn('could not open the Show all modal', { err }));
      dialog = opened?.view?.id;
      if (!dialog) return;
    }
    const selected = verb.data === 'contain-all' ? ticked(body) : undefined;
    await enqueue({
      type: 'button',
      surface: 'slack',
      key,
      thread,
      actor,
      press: { verb: verb.data, ref: a.value, ...(selected ? { selected } : {}) },
      ...(messageTs ? { message: messageTs } : {}),
      ...(dialog ? { dialog } : {}),
    });
  });

  // Ticking a wave's boxes sends an action too: acknowledged, nothing else (the button reads their state).
  app.action(/^wave-pick\./, async ({ ack }) => ack());

  built = { app, receiver, config: ctx.config };
  return built;
}
