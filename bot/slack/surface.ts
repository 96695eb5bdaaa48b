import { escapeSlack } from '../../cards/text';
import type { ContainContext } from '../../src/context';
import { ContainError } from '../../src/errors';
import type { Logger } from '../../src/log';
import type { ConversationMessage } from '../../src/store/work-queue';
import { threadRef, type Surface, type SurfaceModule } from '../core/surface';
import { slackClient } from './client';
import { slackActor, slackEmail } from './identity';
import { slackNotifier } from './notifier';
import { slackMessage, slackModal } from './render';
import { asSlackThread, modalMetadata } from './thread';

/** A queued command, button press or reply, in the worker: Web API calls only (Bolt stays out of the worker). */
function workSurface(ctx: ContainContext, msg: ConversationMessage, log: Logger): Surface {
  const client = slackClient(ctx.config);
  const { teamId, enterpriseId, channel, threadTs } = asSlackThread(msg.thread);
  const inThread = threadTs ? { thread_ts: threadTs } : {};
  const modalId = msg.type === 'button' ? msg.dialog : undefined;
  return {
    name: 'slack',
    thread: threadRef({ teamId, enterpriseId, channel }),
    cardField: 'cardTs',
    log,
    actor: () => slackActor(ctx, client, { userId: msg.actor.id, name: msg.actor.name }),
    post: async (view) => (await client.chat.postMessage({ channel, ...inThread, ...slackMessage(view) })).ts,
    update: async (ts, view) => void (await client.chat.update({ channel, ts, ...slackMessage(view) })),
    postText: async (text) => (await client.chat.postMessage({ channel, ...inThread, text: escapeSlack(text) })).ts,
    updateText: async (ts, text) => void (await client.chat.update({ channel, ts, text: escapeSlack(text) })),
    // Slack refreshes no card for the clicker: what they alone should read is an ephemeral message.
    tell: async ({ text }) =>
      void (text ? await client.chat.postEphemeral({ channel, user: msg.actor.id, text: escapeSlack(text) }) : undefined),
    // The modal the click opened (bot/slack/app.ts), filled in now.
    ...(modalId
      ? {
          dialog: async (view) =>
            void (await client.views.update({
              view_id: modalId,
              view: {
                ...slackModal(view),
                private_metadata: modalMetadata({ channel, message: msg.type === 'button' ? msg.message : undefined }),
              },
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
  fromWork: (ctx, msg, log) => workSurface(ctx, msg, log.child({ channel: msg.thread.channel })),
  notifier: (ctx) => slackNotifier(slackClient(ctx.config)),
};
