import type { Activity, ConversationReference } from 'botbuilder';
import { z } from 'zod';
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
