import { escapeSlack } from '../../cards/text';
import type { ContainContext } from '../../src/context';
import { ContainError } from '../../src/errors';
import type { ThreadRef } from '../../src/incidents/model';
import type { Logger } from '../../src/log';
import { CONTAIN_ACTOR, threadRef, type Surface, type SurfaceModule } from '../core/surface';
import { slackClient } from './client';
import { slackActor, slackEmail } from './identity';
import { slackNotifier } from './notifier';
import { slackMessage, slackModal } from './render';
import { asSlackThread, modalMetadata } from './thread';

/** A button press's extras: the modal the click opened (bot/slack/app.ts), and the message the button was on. */
interface Click {
  modalId?: string;
  message?: string;
}

/**
 * A queued command, button press or reply, in the worker (Web API calls only: Bolt stays out of the worker); without
 * `who`, Contain posting on its own, where nobody clicked: what the core tells goes into the thread.
 */
function workSurface(
  ctx: ContainContext,
  thread: ThreadRef,
  who: { id: string; name: string } | undefined,
  log: Logger,
  click: Click = {},
): Surface {
  const client = slackClient(ctx.config);
  const { teamId, enterpriseId, channel, threadTs } = asSlackThread(thread);
  const inThread = threadTs ? { thread_ts: threadTs } : {};
  const { modalId } = click;
  return {
    name: 'slack',
    thread: threadRef({ teamId, enterpriseId, channel }),
    cardField: 'cardTs',
    log,
    actor: async () => (who ? slackActor(ctx, client, { userId: who.id, name: who.name }) : { ...CONTAIN_ACTOR, platform: 'slack' }),
    post: async (view) => (await client.chat.postMessage({ channel, ...inThread, ...slackMessage(view) })).ts,
    update: async (ts, view) => void (await client.chat.update({ channel, ts, ...slackMessage(view) })),
    postText: async (text) => (await client.chat.postMessage({ channel, ...inThread, text: escapeSlack(text) })).ts,
    updateText: async (ts, text) => void (await client.chat.update({ channel, ts, text: escapeSlack(text) })),
    // Slack refreshes no card for the clicker: what they alone should read is an ephemeral message.
    tell: async ({ text }) => {
      if (!text) return;
      if (who) await client.chat.postEphemeral({ channel, user: who.id, text: escapeSlack(text) });
      else await client.chat.postMessage({ channel, ...inThread, text: escapeSlack(text) });
    },
    // The modal the click opened (bot/slack/app.ts), filled in now.
    ...(modalId
      ? {
          dialog: async (view) =>
            void (await client.views.update({
              view_id: modalId,
              view: { ...slackModal(view), private_metadata: modalMetadata({ channel, message: click.message }) },
            })),
        }
      : {}),
    resolveMention: async (id) => {
      const email = await slackEmail(client, id);
      if (!email)
        throw new ContainError(
          'USER_NOT_FOUND',
          'Slack has no email address for that person, so Contain cannot find them in Entra ID. Type their name or UPN instead.',
        );
      return email;
    },
    channelOf: (thread) => String(thread.channel ?? ''),
  };
}

/** Slack as the worker and the sweeper load it. */
export const slack: SurfaceModule = {
  fromWork: (ctx, msg, log) =>
    workSurface(
      ctx,
      msg.thread,
      msg.actor,
      log.child({ channel: msg.thread.channel }),
      msg.type === 'button' ? { modalId: msg.dialog, message: msg.message } : {},
    ),
  at: (ctx, thread, log) => workSurface(ctx, thread, undefined, log.child({ channel: thread.channel })),
  threadOf: (channel, rootTs) =>
    threadRef({
      teamId: channel.teamId,
      enterpriseId: channel.enterpriseId,
      channel: channel.channel,
      threadTs: channel.threadTs ?? rootTs,
    }),
  // A Slack channel id is the same in every request: nothing to learn from having been added to it.
  channel: (_ctx, id, known) => (known?.channel === id ? known : { teamId: '', channel: id }),
  notifier: (ctx) => slackNotifier(slackClient(ctx.config)),
};
