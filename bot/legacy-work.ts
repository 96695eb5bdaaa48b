import { z } from 'zod';
import { parseCommand } from '../src/commands';
import type { Logger } from '../src/log';
import { buttonVerbSchema } from '../src/views/buttons';
import type { ConversationMessage } from '../src/store/work-queue';
import { threadRef } from './core/surface';
import { errorView } from './errors';

/**
 * Queue messages in the shape releases before the platform-neutral work messages wrote them, so that work queued
 * just before an upgrade still runs after it. Safe to delete once no such release runs anywhere.
 */
const legacySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('teams-command'),
    key: z.string(),
    text: z.string().max(1000),
    actor: z.object({ id: z.string(), aadObjectId: z.string().optional(), name: z.string() }),
    thread: z.record(z.string(), z.string()),
  }),
  z.object({
    type: z.literal('slack-command'),
    key: z.string(),
    text: z.string().max(1000),
    actor: z.object({ userId: z.string(), teamId: z.string(), enterpriseId: z.string().optional(), name: z.string() }),
    channel: z.string(),
    threadTs: z.string().optional(),
  }),
  z.object({
    type: z.literal('slack-action'),
    key: z.string(),
    verb: buttonVerbSchema,
    value: z.string().max(255),
    actor: z.object({ userId: z.string(), teamId: z.string(), enterpriseId: z.string().optional(), name: z.string() }),
    channel: z.string(),
    messageTs: z.string(),
  }),
]);

/** The current message for an old one (commands parsed now, as the worker used to); undefined for anything else. */
export function legacyWorkMessage(raw: unknown, log: Logger): ConversationMessage | undefined {
  let value = raw;
  try {
    if (typeof raw === 'string') value = JSON.parse(raw.trim().startsWith('{') ? raw : Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const old = legacySchema.safeParse(value);
  if (!old.success) return undefined;
  const m = old.data;
  if (m.type === 'slack-action') {
    const thread = threadRef({ teamId: m.actor.teamId, enterpriseId: m.actor.enterpriseId, channel: m.channel });
    return {
      type: 'button',
      surface: 'slack',
      key: m.key,
      thread,
      actor: { id: m.actor.userId, name: m.actor.name },
      press: { verb: m.verb, ref: m.value },
      message: m.messageTs,
    };
  }
  const from =
    m.type === 'teams-command'
      ? { surface: 'teams', key: m.key, thread: m.thread, actor: m.actor }
      : {
          surface: 'slack',
          key: m.key,
          thread: threadRef({ teamId: m.actor.teamId, enterpriseId: m.actor.enterpriseId, channel: m.channel, threadTs: m.threadTs }),
          actor: { id: m.actor.userId, name: m.actor.name },
        };
  try {
    return { type: 'command', ...from, command: parseCommand(m.text) };
  } catch (err) {
    return { type: 'reply', ...from, view: errorView(err, log) };
  }
}
