import type { Activity, ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../../src/config';
import type { ThreadRef } from '../../src/incidents/model';
import { threadRef } from '../core/surface';

/** What Contain keeps of a Teams conversation (an incident's thread, a queued command's): enough to reply proactively. */
const teamsThreadSchema = z.object({
  serviceUrl: z.string(),
  conversationId: z.string(),
  tenantId: z.string().optional(),
  botId: z.string(),
  botName: z.string().optional(),
  channelId: z.string(),
  /** channel, groupChat or personal: replies need it to address the conversation. */
  conversationType: z.string().optional(),
  /** The containment card's activity id, for updateActivity. */
  cardActivityId: z.string().optional(),
});
export type TeamsThread = z.infer<typeof teamsThreadSchema>;

/** The field of a Teams thread that keeps the containment card's activity id. */
export const TEAMS_CARD_FIELD = 'cardActivityId';

/** A Teams thread as stored or queued; throws on anything Contain did not write. */
export const asTeamsThread = (ref: ThreadRef): TeamsThread => teamsThreadSchema.parse(ref);

/**
 * The conversation id of the thread a reply belongs in. A channel message's conversation id carries
 * ";messageid=<root>" when it is in a thread; a root post without it gets its own id appended so the incident's
 * replies stay in one thread.
 */
export function threadConversationId(a: Partial<Activity>): string {
  const id = a.conversation?.id ?? '';
  if (a.conversation?.conversationType === 'channel' && !id.includes(';messageid=') && a.id) return `${id};messageid=${a.id}`;
  return id;
}

/** The thread an inbound activity belongs to. */
export function teamsThread(a: Partial<Activity>): Record<string, string> {
  return threadRef({
    serviceUrl: a.serviceUrl ?? '',
    conversationId: threadConversationId(a),
    tenantId: a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
    botId: a.recipient?.id ?? '',
    botName: a.recipient?.name,
    channelId: a.channelId ?? 'msteams',
    conversationType: a.conversation?.conversationType ?? 'channel',
  });
}

/** The channel a Teams thread is in: its conversation id without the thread's root message. */
export const teamsChannelOf = (ref: ThreadRef): string => String(ref.conversationId ?? '').split(';')[0];

/**
 * The channel an activity came from (a conversationUpdate when Contain is added to a team): its own conversation id,
 * without any thread, so that a post there starts a new thread.
 */
export function teamsChannel(a: Partial<Activity>): Record<string, string> {
  const channel = (a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
  return { ...teamsThread(a), conversationId: channel ?? String(a.conversation?.id ?? '').split(';')[0] };
}

/**
 * A channel named in CONTAIN_INCIDENT_CHANNEL that Contain was never added to in this deployment's memory: Teams'
 * public service URL (the sandbox's connector locally) and Contain's bot id. Adding Contain to it once gives the
 * exact service URL, which is then used instead.
 */
export function configuredChannel(config: Config, conversationId: string): Record<string, string> {
  const serviceUrl =
    config.mode === 'local' ? `http://127.0.0.1:${config.port}/sandbox/connector/` : 'https://smba.trafficmanager.net/teams/';
  return threadRef({
    serviceUrl,
    conversationId,
    tenantId: config.teams.appTenantId,
    botId: `28:${config.teams.appId}`,
    botName: 'Contain',
    channelId: 'msteams',
    conversationType: 'channel',
  });
}

export function referenceOf(t: TeamsThread): Partial<ConversationReference> {
  return {
    channelId: t.channelId,
    serviceUrl: t.serviceUrl,
    bot: { id: t.botId, name: t.botName ?? 'Contain' },
    conversation: {
      id: t.conversationId,
      isGroup: (t.conversationType ?? 'channel') !== 'personal',
      conversationType: t.conversationType ?? 'channel',
      tenantId: t.tenantId,
      name: '',
    },
  };
}
