import type { ContainContext } from '../context';
import type { Actor, ThreadRef } from './model';

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

/** The channel Contain was last added to on this platform, if any. */
export async function storedIncidentChannel(ctx: Pick<ContainContext, 'store'>, platform: string): Promise<ThreadRef | undefined> {
  return (await ctx.store.recall<Stored>(SCOPE, platform))?.value.channel;
}
