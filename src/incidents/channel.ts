import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { Actor, ThreadRef } from './model';
import { authorize } from './policy';

/**
 * The incident channel of each chat platform: where alert-opened incidents appear. Contain keeps the channel it was
 * last added to (Teams conversationUpdate, Slack member_joined_channel); CONTAIN_INCIDENT_CHANNEL names one instead.
 */
const SCOPE = 'incident-channel';

/** What Contain says in a channel it was added to. */
export const WELCOME = {
  title: 'Contain is here',
  text: 'Incidents opened by Entra ID Protection and Defender XDR alerts will appear in this channel (unless CONTAIN_INCIDENT_CHANNEL names another). Type "help" for the commands.',
};

interface Stored {
  channel: ThreadRef;
  addedBy?: string;
}

/** Contain was added to this channel: it becomes the platform's incident channel. */
export async function rememberIncidentChannel(
  ctx: Pick<ContainContext, 'store' | 'log'>,
  platform: string,
  channel: ThreadRef,
  addedBy?: Actor,
): Promise<void> {
  await ctx.store.remember(SCOPE, platform, { channel, addedBy: addedBy?.name } satisfies Stored);
  ctx.log.info('incident channel set: Contain was added to a channel', { platform, addedBy: addedBy?.id });
}

/** What Contain says in a channel it was added to when the incident channel stays where it is. */
export const WELCOME_KEPT = {
  title: 'Contain is here',
  text: 'Alert-opened incidents keep appearing in the current incident channel: only an approver adding Contain to a channel moves them. Type "help" for the commands.',
};

/**
 * Contain was added to a channel: it becomes the incident channel when there is none yet, or when whoever added
 * Contain may move it (`mayMove`: an approver). Anyone who can add an app to a channel, an attacker in a stolen
 * session included, must not be able to send every alert-opened incident and its evidence somewhere else.
 */
export async function adoptIncidentChannel(
  ctx: Pick<ContainContext, 'store' | 'log'>,
  platform: string,
  channel: ThreadRef,
  addedBy: Actor,
  mayMove: () => Promise<boolean>,
): Promise<'set' | 'kept'> {
  if ((await storedIncidentChannel(ctx, platform)) && !(await mayMove())) {
    ctx.log.warn('Contain was added to a channel by someone who may not move the incident channel; it stays', {
      platform,
      addedBy: addedBy.id,
    });
    return 'kept';
  }
  await rememberIncidentChannel(ctx, platform, channel, addedBy);
  return 'set';
}

/** The channel Contain was last added to on this platform, if any. */
export async function storedIncidentChannel(ctx: Pick<ContainContext, 'store'>, platform: string): Promise<ThreadRef | undefined> {
  return (await ctx.store.recall<Stored>(SCOPE, platform))?.value.channel;
}

/** Whether `actor` may move the incident channel: approvers only. */
export async function mayMoveIncidentChannel(ctx: ContainContext, actor: Actor): Promise<boolean> {
  try {
    await authorize(ctx, actor, 'approver', 'move the incident channel');
    return true;
  } catch (err) {
    if (err instanceof ContainError && err.code === 'NOT_AUTHORIZED') return false;
    throw err;
  }
}
