import { z } from 'zod';

import { buttonVerbSchema } from '../views/buttons';

/** A unit of work for the worker. `key` makes a message idempotent: the worker checks state before acting. */

const slackActor = z.object({ userId: z.string(), teamId: z.string(), enterpriseId: z.string().optional(), name: z.string() });

export const workMessageSchema = z.discriminatedUnion('type', [
  /** Run approved actions of one incident; several ids run as one batched unit (snapshot, act, verify). */
  z.object({ type: z.literal('execute'), incidentId: z.string(), actionIds: z.array(z.string()).min(1).max(100), key: z.string() }),
  /** A Teams message command, acknowledged already; the worker replies proactively into the thread. */
  z.object({
    type: z.literal('teams-command'),
    key: z.string(),
    text: z.string().max(1000),
    actor: z.object({ id: z.string(), aadObjectId: z.string().optional(), name: z.string() }),
    thread: z.object({ serviceUrl: z.string(), conversationId: z.string(), tenantId: z.string().optional(), botId: z.string(), botName: z.string().optional(), channelId: z.string(), conversationType: z.string().optional() }),
  }),
  /** A Slack slash command or mention, acknowledged already; the raw text is parsed again by the worker. */
  z.object({ type: z.literal('slack-command'), key: z.string(), text: z.string().max(1000), actor: slackActor, channel: z.string(), threadTs: z.string().optional() }),
  /** A Slack button press, acknowledged already. `value` is the button's opaque reference. */
  z.object({ type: z.literal('slack-action'), key: z.string(), verb: buttonVerbSchema, value: z.string().max(255), actor: slackActor, channel: z.string(), messageTs: z.string(), responseUrl: z.string().optional() }),
]);
export type WorkMessage = z.infer<typeof workMessageSchema>;

/** Where use cases hand work to the worker: Queue Storage (src/store/queue-storage.ts) or memory in tests. */
export interface WorkQueue {
  /** Enqueue one message (validated first); `delaySeconds` keeps it invisible that long. */
  send(message: WorkMessage, options?: { delaySeconds?: number; signal?: AbortSignal }): Promise<void>;
}

/** Decode a queue message body (base64 JSON, or plain JSON as the Functions host hands it over after decoding). */
export function decodeWorkMessage(input: unknown): WorkMessage | undefined {
  let value = input;
  if (typeof value === 'string') {
    const text = value.trim().startsWith('{') ? value : Buffer.from(value, 'base64').toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const r = workMessageSchema.safeParse(value);
  return r.success ? r.data : undefined;
}
