import type { TurnContext } from 'botbuilder';
import type { ContainContext } from '../../src/context';
import { adoptIncidentChannel, mayMoveIncidentChannel, WELCOME, WELCOME_KEPT } from '../../src/incidents/channel';
import type { Logger } from '../../src/log';
import { message } from '../../src/views/types';
import { cardActivity } from './render';
import { actorOf } from './surface';
import { teamsChannel } from './thread';

/**
 * A conversationUpdate: when Contain itself is among the members added to a team's channel, that channel becomes the
 * Teams incident channel, where alert-opened incidents appear, if there is none yet or an approver added Contain.
 */
export async function onConversationUpdate(ctx: ContainContext, turn: TurnContext, log: Logger): Promise<void> {
  const a = turn.activity;
  // A team's channel only: a group chat's members are whoever its members invite.
  if (!(a.membersAdded ?? []).some((m) => m.id === a.recipient?.id) || a.conversation?.conversationType !== 'channel') return;
  const actor = actorOf(a);
  const r = await adoptIncidentChannel({ store: ctx.store, log }, 'teams', teamsChannel(a), actor, () =>
    mayMoveIncidentChannel(ctx, actor),
  );
  const welcome = r === 'set' ? WELCOME : WELCOME_KEPT;
  await turn.sendActivity(cardActivity(message('default', welcome.title, welcome.text)));
}
