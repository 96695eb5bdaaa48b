import type { Activity, ConversationParameters, TurnContext } from 'botbuilder';
import type { ContainContext } from '../../src/context';
import type { Actor } from '../../src/incidents/model';
import type { Logger } from '../../src/log';
import type { View } from '../../src/views/types';
import type { ThreadRef } from '../../src/incidents/model';
import { CONTAIN_ACTOR, type Surface, type SurfaceModule } from '../core/surface';
import { getAdapter } from './adapter';
import { teamsNotifier } from './notifier';
import { cardActivity, invokeCardResponse, plainActivity, taskResponse } from './render';
import { asTeamsThread, configuredChannel, referenceOf, TEAMS_CARD_FIELD, teamsChannelOf, teamsThread } from './thread';

/** Who acted in a Teams activity; the Entra object id comes with it, as policy needs it. */
export function actorOf(a: Partial<Activity>): Actor {
  return {
    platform: 'teams',
    id: a.from?.id ?? 'unknown',
    aadObjectId: a.from?.aadObjectId?.toLowerCase(),
    name: a.from?.name ?? 'someone',
  };
}

/** How a button reached the bot: Action.Execute (an invoke), Action.Submit (a message), or a dialog's task/fetch. */
export type TeamsVia = 'invoke' | 'submit' | 'task';

/** Teams answers the clicker alone only through the invoke's own response; anything else is seen by everyone. */
function tellIn(turn: TurnContext, via: TeamsVia): Surface['tell'] {
  return async ({ view, text }) => {
    if (via === 'task') await turn.sendActivity(taskResponse(view));
    else if (via === 'invoke') await turn.sendActivity(invokeCardResponse(view));
    else if (view.kind === 'message') await turn.sendActivity(cardActivity(view));
    else if (text) await turn.sendActivity(plainActivity(text));
  };
}

/**
 * A button press inside its Bot Framework turn (Universal Actions answer the clicker with a card in the HTTP response,
 * and a dialog's content is the HTTP response to task/fetch, so Teams decides here rather than in the worker). A
 * shared card that cannot be updated is logged, not fatal.
 */
export function turnSurface(turn: TurnContext, via: TeamsVia, log: Logger): Surface {
  const a = turn.activity;
  return {
    name: 'teams',
    thread: teamsThread(a),
    cardField: TEAMS_CARD_FIELD,
    log,
    actor: async () => actorOf(a),
    post: async (view) => (await turn.sendActivity(cardActivity(view)))?.id,
    update: async (id, view) => {
      try {
        await turn.updateActivity({ ...cardActivity(view), id });
      } catch (err) {
        log.warn('could not update the shared card', { err });
      }
    },
    postText: async (text) => (await turn.sendActivity(plainActivity(text)))?.id,
    updateText: async (id, text) => void (await turn.updateActivity({ ...plainActivity(text), id })),
    tell: tellIn(turn, via),
    // A dialog opens only as the answer to task/fetch; a card's clicker is answered in place of it otherwise.
    dialog: async (view) => tellIn(turn, via)({ view }),
    channelOf: teamsChannelOf,
  };
}

/**
 * Post a new thread in a Teams channel (Bot Connector: create a conversation with the channel in channelData and the
 * first activity): the root message's id, from which the thread's conversation id is "<channel>;messageid=<id>".
 */
async function startThread(turn: TurnContext, activity: Partial<Activity>, channelId: string): Promise<string | undefined> {
  const client = turn.turnState.get<{ conversations: { createConversation(p: ConversationParameters): Promise<{ activityId?: string }> } }>(
    turn.adapter.ConnectorClientKey,
  );
  const conversation = turn.activity.conversation;
  const r = await client.conversations.createConversation({
    isGroup: true,
    bot: turn.activity.recipient,
    tenantId: conversation.tenantId,
    channelData: { channel: { id: channelId }, ...(conversation.tenantId ? { tenant: { id: conversation.tenantId } } : {}) },
    activity: activity as Activity,
  });
  return r.activityId;
}

/** A queued command in the worker, or Contain on its own: everything goes proactively into the thread. */
function proactiveSurface(ctx: ContainContext, thread: ThreadRef, who: Pick<Actor, 'id' | 'name' | 'aadObjectId'>, log: Logger): Surface {
  const adapter = getAdapter(ctx.config, ctx.log);
  const reference = referenceOf(asTeamsThread(thread));
  const inThread = async <T>(fn: (turn: TurnContext) => Promise<T>): Promise<T | undefined> => {
    let out: T | undefined;
    await adapter.continueConversationAsync(ctx.config.teams.appId, reference, async (turn) => void (out = await fn(turn)));
    return out;
  };
  const t = asTeamsThread(thread);
  // At a channel's root (not in a thread), a post starts a new thread: Teams' "create a conversation in a channel".
  const atRoot = (t.conversationType ?? 'channel') === 'channel' && !t.conversationId.includes(';messageid=');
  const send = (activity: Partial<Activity>) =>
    inThread(async (turn) => (atRoot ? startThread(turn, activity, t.conversationId) : (await turn.sendActivity(activity))?.id));
  const replace = (activity: Partial<Activity>, id: string) =>
    inThread(async (turn) => void (await turn.updateActivity({ ...activity, id }))).then(() => undefined);
  const actor: Actor = { platform: 'teams', id: who.id, aadObjectId: who.aadObjectId?.toLowerCase(), name: who.name };
  return {
    name: 'teams',
    thread,
    cardField: TEAMS_CARD_FIELD,
    log,
    actor: async () => actor,
    post: (view: View) => send(cardActivity(view)),
    update: (id, view) => replace(cardActivity(view), id),
    postText: (text) => send(plainActivity(text)),
    updateText: (id, text) => replace(plainActivity(text), id),
    // Nobody clicked here: whatever the core wants said goes into the thread.
    tell: async ({ view, text }) =>
      void (view.kind === 'message' ? await send(cardActivity(view)) : text ? await send(plainActivity(text)) : undefined),
    channelOf: teamsChannelOf,
  };
}

/** Teams as the worker and the sweeper load it. */
export const teams: SurfaceModule = {
  fromWork: (ctx, msg, log) => proactiveSurface(ctx, msg.thread, msg.actor, log.child({ conversation: msg.thread.conversationId })),
  at: (ctx, thread, log) => proactiveSurface(ctx, thread, CONTAIN_ACTOR, log.child({ conversation: thread.conversationId })),
  // A message posted inside a thread stays in it; one at a channel's root starts its own; group chats have no threads.
  threadOf: (channel, rootId) =>
    (channel.conversationType ?? 'channel') !== 'channel' || String(channel.conversationId).includes(';messageid=')
      ? channel
      : { ...channel, conversationId: `${teamsChannelOf(channel)};messageid=${rootId}` },
  channel: (ctx, id, known) => (known && teamsChannelOf(known) === id ? known : configuredChannel(ctx.config, id)),
  notifier: (ctx) => teamsNotifier(getAdapter(ctx.config, ctx.log), ctx.config.teams.appId),
};
