import { TurnContext, type Activity, type CloudAdapter } from 'botbuilder';
import { z } from 'zod';
import type { ContainContext } from '../../src/context';
import { decide, type DecideResult } from '../../src/incidents/decide';
import { proposeAgain } from '../../src/incidents/propose-again';
import { releaseFastPath } from '../../src/incidents/open-containment';
import type { Actor, Incident, TeamsThread } from '../../src/incidents/model';
import { updateThreads } from '../../src/incidents/threads';
import { approverRoster } from '../../src/directory/roster';
import { message, type View } from '../../src/views/types';
import { refVerbSchema } from '../../src/views/buttons';
import { GUID } from '../../src/ids';
import { parseCommand, type Command } from '../../src/commands';
import { errorView } from '../errors';
import { route } from '../router';
import { progressLine } from '../progress';
import { cardActivity, invokeCardResponse, plainActivity } from './render';
import { referenceOf, teamsThread, threadConversationId } from './thread';

/** What a card button sends back: a verb and an opaque reference, nothing trusted. */
const cardActionSchema = z.union([
  z.object({ verb: refVerbSchema, ref: z.string().max(64) }),
  z.object({ verb: z.literal('choose'), userId: z.string().regex(GUID), dryRun: z.literal('true').optional() }),
]);
type CardAction = z.infer<typeof cardActionSchema>;

function actorOf(a: Partial<Activity>): Actor {
  return { platform: 'teams', id: a.from?.id ?? 'unknown', aadObjectId: a.from?.aadObjectId?.toLowerCase(), name: a.from?.name ?? 'someone' };
}

/** One Bot Framework turn from Teams: a typed command, an Action.Execute invoke, or an Action.Submit fallback. */
export async function onTeamsTurn(ctx: ContainContext, turn: TurnContext): Promise<void> {
  const a = turn.activity;
  // Only after botbuilder authenticated the request: build the approver roster so the first click does not wait.
  void approverRoster(ctx).catch(() => undefined);
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
  const text = TurnContext.removeRecipientMention(a as Activity) ?? a.text ?? '';
  try {
    parseCommand(text); // bad input is answered at once; good input goes to the worker
  } catch (err) {
    await turn.sendActivity(cardActivity(errorView(err, log)));
    return;
  }
  await enqueueCommand(ctx, turn, text);
}

/** Hand a command to the worker: Graph lookups never run inside the Bot Connector's HTTP request. */
async function enqueueCommand(ctx: ContainContext, turn: TurnContext, text: string): Promise<void> {
  const a = turn.activity;
  const actor = actorOf(a);
  await ctx.queue.send({ type: 'teams-command', key: `${a.conversation?.id}|${a.id}`, text, actor: { id: actor.id, aadObjectId: actor.aadObjectId, name: actor.name }, thread: teamsThread(a) });
  await turn.sendActivity({ type: 'typing' });
}

/** Run a command in the worker and post its views into the Teams thread (proactively: the HTTP turn is long over). */
export async function runTeamsCommand(ctx: ContainContext, adapter: CloudAdapter, msg: { text: string; actor: { id: string; aadObjectId?: string; name: string }; thread: TeamsThread; key: string }, command?: Command): Promise<void> {
  const log = ctx.log.child({ correlationId: msg.key, platform: 'teams' });
  const actor: Actor = { platform: 'teams', id: msg.actor.id, aadObjectId: msg.actor.aadObjectId?.toLowerCase(), name: msg.actor.name };
  const postActivity = (activity: Partial<Activity>) => {
    let id: string | undefined;
    return adapter.continueConversationAsync(ctx.config.teams.appId, referenceOf(msg.thread), async (turn) => {
      id = (await turn.sendActivity(activity))?.id;
    }).then(() => id);
  };
  const post = (view: View) => postActivity(cardActivity(view));
  const progress = progressLine(
    (text) => postActivity(plainActivity(text)),
    (id, text) => adapter.continueConversationAsync(ctx.config.teams.appId, referenceOf(msg.thread), async (turn) => void (await turn.updateActivity({ ...plainActivity(text), id }))),
    log,
  );
  try {
    const out = await route(ctx, { command: command ?? parseCommand(msg.text), actor, thread: { teams: msg.thread }, progress });
    for (const view of out.views) {
      const sentId = await post(view);
      if (out.incidentId && view.kind === 'containment') {
        if (sentId) await rememberCard(ctx, out.incidentId, sentId);
        await releaseFastPath(ctx, out.incidentId);
      }
    }
  } catch (err) {
    await post(errorView(err, log));
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
      await enqueueCommand(ctx, turn, `contain ${action.userId}${action.dryRun === 'true' ? ' --dry-run' : ''}`);
      await respond(message('default', 'Opening the incident', 'The containment card follows in this thread.'));
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
    else await turn.sendActivity(plainActivity(result.message));
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
