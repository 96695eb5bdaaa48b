import type { QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import { ContainError } from '../errors';
import type { TokenCredential } from '@azure/core-auth';

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

export interface ReceivedMessage {
  message: WorkMessage | undefined;
  raw: string;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

/** The queue the worker triggers on. Messages are base64 JSON, the Functions host's default encoding. */
export class WorkQueue {
  private ready?: Promise<void>;
  private queueClient?: QueueClient;

  /** `open` builds the client on first use (@azure/storage-queue costs ~100 ms to load). */
  constructor(
    private readonly open: () => Promise<QueueClient>,
    readonly name: string,
  ) {}

  /** Identity-based access: the queue service endpoint and a token credential. */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential): WorkQueue {
    return new WorkQueue(async () => new (await import('@azure/storage-queue')).QueueClient(`${endpoint}/${prefix}-work`, credential), `${prefix}-work`);
  }

  static fromConnectionString(connectionString: string, prefix: string): WorkQueue {
    return new WorkQueue(async () => new (await import('@azure/storage-queue')).QueueClient(connectionString, `${prefix}-work`), `${prefix}-work`);
  }

  /** The SDK client (after ensure()). */
  get client(): QueueClient {
    if (!this.queueClient) throw new Error('WorkQueue used before ensure()');
    return this.queueClient;
  }

  ensure(): Promise<void> {
    this.ready ??= (async () => {
      this.queueClient ??= await this.open();
      await this.queueClient.createIfNotExists();
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw new ContainError('STORE_ERROR', 'Could not reach the work queue.', { cause: err, transient: true });
    });
    return this.ready;
  }

  async send(message: WorkMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    await this.ensure();
    const text = Buffer.from(JSON.stringify(workMessageSchema.parse(message))).toString('base64');
    await this.client.sendMessage(text, { visibilityTimeout: options.delaySeconds });
  }

  /** Receive up to `max` messages, hidden from other receivers for `visibilitySeconds`. */
  async receive(max = 8, visibilitySeconds = 30): Promise<ReceivedMessage[]> {
    await this.ensure();
    const r = await this.client.receiveMessages({ numberOfMessages: max, visibilityTimeout: visibilitySeconds });
    return r.receivedMessageItems.map((m) => ({
      message: decodeWorkMessage(m.messageText),
      raw: m.messageText,
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
    }));
  }

  async delete(m: Pick<ReceivedMessage, 'messageId' | 'popReceipt'>): Promise<void> {
    await this.ensure();
    try {
      await this.client.deleteMessage(m.messageId, m.popReceipt);
    } catch (err) {
      // Already deleted or the pop receipt moved on (visibility expired and another receiver took it): fine.
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 400) return;
      throw err;
    }
  }
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
