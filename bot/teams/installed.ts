import type { TurnContext } from 'botbuilder';
import type { ContainContext } from '../../src/context';
import { rememberIncidentChannel, WELCOME } from '../../src/incidents/channel';
import type { Logger } from '../../src/log';
import { message } from '../../src/views/types';
import { cardActivity } from './render';
import { actorOf } from './surface';
import { teamsChannel } from './thread';

/**
 * A conversationUpdate: when Contain itself is among the members added to a team's channel or a group chat, that
 * conversation becomes the Teams incident channel, where alert-opened incidents appear. A personal chat never does.
 */
export async function onConversationUpdate(ctx: ContainContext, turn: TurnContext, log: Logger): Promise<void> {
  const a = turn.activity;
  if (!(a.membersAdded ?? []).some((m) => m.id === a.recipient?.id) || a.conversation?.conversationType === 'personal') return;
  await rememberIncidentChannel({ store: ctx.store, log }, 'teams', teamsChannel(a), actorOf(a));
  await turn.sendActivity(cardActivity(message('default', WELCOME.title, WELCOME.text)));
}
