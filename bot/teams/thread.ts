import type { Activity, ConversationReference } from 'botbuilder';
import type { TeamsThread } from '../../src/incidents/model';

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

export function teamsThread(a: Partial<Activity>): TeamsThread {
  return {
    serviceUrl: a.serviceUrl ?? '',
    conversationId: threadConversationId(a),
    tenantId: a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
    botId: a.recipient?.id ?? '',
    botName: a.recipient?.name,
    channelId: a.channelId ?? 'msteams',
    conversationType: a.conversation?.conversationType ?? 'channel',
  };
}

export function referenceOf(t: TeamsThread): Partial<ConversationReference> {
  return {
    channelId: t.channelId,
    serviceUrl: t.serviceUrl,
    bot: { id: t.botId, name: t.botName ?? 'Contain' },
    conversation: { id: t.conversationId, isGroup: (t.conversationType ?? 'channel') !== 'personal', conversationType: t.conversationType ?? 'channel', tenantId: t.tenantId, name: '' },
  };
}
