import { TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import type { ContainContext } from '../../src/context';
import { decide, type DecideResult } from '../../src/incidents/decide';
import { proposeAgain } from '../../src/incidents/propose-again';
import { releaseFastPath } from '../../src/incidents/open-containment';
import type { Actor, Incident } from '../../src/incidents/model';
import { updateThreads } from '../../src/incidents/threads';
import { message, type View } from '../../src/views/types';
import { parseCommand, type Command } from '../commands';
import { errorView } from '../errors';
import { route } from '../router';
import { cardActivity, invokeCardResponse } from './render';
import { teamsThread, threadConversationId } from './thread';

/** What a card button sends back: a verb and an opaque reference, nothing trusted. */
const cardActionSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('approve'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('approve-delete'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('reject'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('approve-all'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('reject-all'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('repropose'), ref: z.string().max(64) }),
  z.object({ verb: z.literal('choose'), userId: z.string().uuid(), dryRun: z.literal('true').optional() }),
]);
type CardAction = z.infer<typeof cardActionSchema>;

function actorOf(a: Partial<Activity>): Actor {
  return { platform: 'teams', id: a.from?.id ?? 'unknown', aadObjectId: a.from?.aadObjectId?.toLowerCase(), name: a.from?.name ?? 'someone' };
}

/** One Bot Framework turn from Teams: a typed command, an Action.Execute invoke, or an Action.Submit fallback. */
export async function onTeamsTurn(ctx: ContainContext, turn: TurnContext): Promise<void> {
  const a = turn.activity;
  const log = ctx.log.child({ correlationId: a.id, platform: 'teams', conversation: a.conversation?.id });
  // Replies belong in the incident thread; sendActivity copies the incoming conversation, so point it at the thread.
  if (a.conversation) a.conversation = { ...a.conversation, id: threadConversationId(a) };

  if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
    const data = (a.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
    const parsed = cardActionSchema.safeParse({ ...(data?.data ?? {}), verb: data?.verb ?? data?.data?.verb });
    if (!parsed.success) {
      await turn.sendActivity(invokeCardResponse(message('warning', 'Unknown button', 'This button is not one Contain knows. Nothing was changed.')));
      return;
    }
    await onCardAction(ctx, turn, parsed.data, 'invoke', log);
    return;
  }
  if (a.type !== 'message') return;

  const submitted = a.value && typeof a.value === 'object' ? cardActionSchema.safeParse(a.value) : undefined;
  if (submitted?.success) {
    await onCardAction(ctx, turn, submitted.data, 'submit', log);
    return;
  }
  // Teams redelivers when our answer is slow; the first delivery owns the command.
  if (a.id && !(await ctx.store.claim('teams', `${a.conversation?.id}|${a.id}`))) {
    log.info('duplicate delivery ignored');
    return;
  }
  const text = TurnContext.removeRecipientMention(a as Activity) ?? a.text ?? '';
  let command: Command;
  try {
    command = parseCommand(text);
  } catch (err) {
    await turn.sendActivity(cardActivity(errorView(err, log)));
    return;
  }
  await runCommand(ctx, turn, command, log);
}

async function runCommand(ctx: ContainContext, turn: TurnContext, command: Command, log: ContainContext['log']): Promise<void> {
  try {
    const out = await route(ctx, { command, actor: actorOf(turn.activity), thread: { teams: teamsThread(turn.activity) } });
    for (const view of out.views) {
      const sent = await turn.sendActivity(cardActivity(view));
      if (out.incidentId && view.kind === 'containment') {
        if (sent?.id) await rememberCard(ctx, out.incidentId, sent.id);
        await releaseFastPath(ctx, out.incidentId);
      }
    }
  } catch (err) {
    await turn.sendActivity(cardActivity(errorView(err, log)));
  }
}

/** Record the card's activity id on the incident so later updates replace it for everyone. */
function rememberCard(ctx: ContainContext, incidentId: string, activityId: string): Promise<void> {
  return updateThreads(ctx, incidentId, (t) => (t.teams ? { ...t, teams: { ...t.teams, cardActivityId: activityId } } : t));
}

async function onCardAction(ctx: ContainContext, turn: TurnContext, action: CardAction, via: 'invoke' | 'submit', log: ContainContext['log']): Promise<void> {
  const respond = async (view: View) => {
    if (via === 'invoke') await turn.sendActivity(invokeCardResponse(view));
    else if (view.kind === 'message') await turn.sendActivity(cardActivity(view));
  };
  try {
    if (action.verb === 'choose') {
      await respond(message('default', 'Opening the incident', 'The containment card follows in this thread.'));
      await runCommand(ctx, turn, { name: 'contain', target: { kind: 'id', value: action.userId }, dryRun: action.dryRun === 'true' }, log);
      return;
    }
    if (action.verb === 'repropose') {
      const again = await proposeAgain(ctx, action.ref, actorOf(turn.activity));
      await respond(again.view);
      const incident = await ctx.store.getIncident(again.incidentId);
      if (incident) await updateSharedCard(turn, incident, again.view, log);
      return;
    }
    const result: DecideResult = await decide(ctx, { ref: action.ref, verb: action.verb, actor: actorOf(turn.activity) });
    if (result.kind === 'not-found') {
      await respond(message('warning', 'Unknown incident', result.message));
      return;
    }
    if (via === 'invoke') await respond(result.view);
    else await turn.sendActivity({ type: 'message', text: result.message, textFormat: 'plain' });
    if (result.shared) await updateSharedCard(turn, result.incident, result.shared, log);
  } catch (err) {
    await respond(errorView(err, log));
  }
}

async function updateSharedCard(turn: TurnContext, incident: Incident, view: View, log: ContainContext['log']): Promise<void> {
  const id = incident.threads.teams?.cardActivityId ?? turn.activity.replyToId;
  if (!id) return;
  try {
    await turn.updateActivity({ ...cardActivity(view), id });
  } catch (err) {
    log.warn('could not update the shared card', { err });
  }
}
