import { TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import type { ContainContext } from '../../src/context';
import { parseCommand, type Command } from '../../src/commands';
import { approverRoster } from '../../src/directory/roster';
import { GUID } from '../../src/ids';
import { chooseRef, refVerbSchema, type ButtonPress } from '../../src/views/buttons';
import { message } from '../../src/views/types';
import { pressButton } from '../core/buttons';
import { errorView } from '../errors';
import { cardActivity, invokeCardResponse, taskResponse } from './render';
import { actorOf, turnSurface, type TeamsVia } from './surface';
import { onConversationUpdate } from './installed';
import { teamsThread, threadConversationId } from './thread';

/** What a card button sends back: a verb and an opaque reference, nothing trusted. */
const cardActionSchema = z.union([
  // "Contain all N" brings the ChoiceSet's value along: the keys of the boxes still ticked, comma-separated.
  z.object({ verb: refVerbSchema, ref: z.string().max(64), wave: z.string().max(4000).optional() }),
  z.object({ verb: z.literal('choose'), userId: z.string().regex(GUID), dryRun: z.literal('true').optional() }),
]);
type CardAction = z.infer<typeof cardActionSchema>;

/**
 * What a dialog's buttons send: "Show all" with task/fetch, the buttons inside the dialog with task/submit, each its
 * Action.Submit data (Teams adds its own msteams field, ignored).
 */
const taskSchema = z.object({ data: z.object({ verb: refVerbSchema, ref: z.string().max(64) }) });

const pressOf = (action: CardAction): ButtonPress => {
  if (action.verb === 'choose') return { verb: 'choose', ref: chooseRef(action.userId, action.dryRun === 'true') };
  const { wave, ...press } = action;
  return action.verb === 'contain-all' && wave !== undefined
    ? { ...press, selected: wave.split(',').filter(Boolean).slice(0, 1000) }
    : press;
};

/**
 * One Bot Framework turn from Teams: a typed command (parsed here, answered at once when bad, else queued for the
 * worker), an Action.Execute invoke, an Action.Submit fallback, or a dialog's task/fetch ("Show all") or task/submit
 * (a button inside it); the buttons all go to the conversation core.
 */
export async function onTeamsTurn(ctx: ContainContext, turn: TurnContext): Promise<void> {
  const a = turn.activity;
  // Only after botbuilder authenticated the request: build the approver roster so the first click does not wait.
  void approverRoster(ctx).catch(() => undefined);
  const log = ctx.log.child({ correlationId: a.id, platform: 'teams', conversation: a.conversation?.id });
  if (a.type === 'conversationUpdate') return onConversationUpdate(ctx, turn, log);
  // Replies belong in the incident thread; sendActivity copies the incoming conversation, so point it at the thread.
  if (a.conversation) a.conversation = { ...a.conversation, id: threadConversationId(a) };

  let action: CardAction | undefined;
  let via: TeamsVia = 'submit';
  if (a.type === 'invoke' && (a.name === 'task/fetch' || a.name === 'task/submit')) {
    const parsed = taskSchema.safeParse(a.value);
    if (!parsed.success) {
      await turn.sendActivity(
        taskResponse(message('warning', 'Unknown button', 'This button is not one Contain knows. Nothing was changed.')),
      );
      return;
    }
    [action, via] = [parsed.data.data, 'task'];
  } else if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
    const data = (a.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
    const parsed = cardActionSchema.safeParse({ ...(data?.data ?? {}), verb: data?.verb ?? data?.data?.verb });
    if (!parsed.success) {
      await turn.sendActivity(
        invokeCardResponse(message('warning', 'Unknown button', 'This button is not one Contain knows. Nothing was changed.')),
      );
      return;
    }
    [action, via] = [parsed.data, 'invoke'];
  } else if (a.type === 'message' && a.value && typeof a.value === 'object') {
    action = cardActionSchema.safeParse(a.value).data;
  } else if (a.type !== 'message') return;
  if (action) {
    await pressButton(ctx, turnSurface(turn, via, log), pressOf(action), {
      clicked: a.replyToId,
      inDialog: via === 'task',
      start: (command) => enqueue(ctx, turn, command),
    });
    return;
  }

  let command: Command;
  try {
    command = parseCommand(TurnContext.removeRecipientMention(a as Activity) ?? a.text ?? ''); // bad input is answered at once
  } catch (err) {
    await turn.sendActivity(cardActivity(errorView(err, log)));
    return;
  }
  await enqueue(ctx, turn, command);
}

/** Hand a parsed command to the worker: Graph lookups never run inside the Bot Connector's HTTP request. */
async function enqueue(ctx: ContainContext, turn: TurnContext, command: Command): Promise<void> {
  const a = turn.activity;
  const { id, aadObjectId, name } = actorOf(a);
  const actor = { id, aadObjectId, name };
  await ctx.queue.send({ type: 'command', surface: 'teams', key: `${a.conversation?.id}|${a.id}`, thread: teamsThread(a), actor, command });
  await turn.sendActivity({ type: 'typing' });
}
