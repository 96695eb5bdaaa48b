import type { QueueClient } from '@azure/storage-queue';
import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';
import { traceCarrier } from '../telemetry';
import { decodeWorkMessage, workMessageSchema, type WorkMessage, type WorkQueue } from './work-queue';

export interface ReceivedMessage {
  message: WorkMessage | undefined;
  raw: string;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

/** The Queue Storage queue the worker triggers on. Messages are base64 JSON, the Functions host's default encoding. */
export class StorageWorkQueue implements WorkQueue {
  private ready?: Promise<void>;
  private queueClient?: QueueClient;

  /** `open` builds the client on first use (@azure/storage-queue costs ~100 ms to load). */
  constructor(
    private readonly open: () => Promise<QueueClient>,
    readonly name: string,
  ) {}

  /** Identity-based access: the queue service endpoint and a token credential. */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential): StorageWorkQueue {
    return new StorageWorkQueue(
      async () => new (await import('@azure/storage-queue')).QueueClient(`${endpoint}/${prefix}-work`, credential),
      `${prefix}-work`,
    );
  }

  static fromConnectionString(connectionString: string, prefix: string): StorageWorkQueue {
    return new StorageWorkQueue(
      async () => new (await import('@azure/storage-queue')).QueueClient(connectionString, `${prefix}-work`),
      `${prefix}-work`,
    );
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

  async send(message: WorkMessage, options: { delaySeconds?: number; signal?: AbortSignal } = {}): Promise<void> {
    await this.ensure();
    // The trace context rides beside the validated message: the worker continues the trace (src/telemetry).
    const text = Buffer.from(JSON.stringify({ ...workMessageSchema.parse(message), ...traceCarrier() })).toString('base64');
    await this.client.sendMessage(text, { visibilityTimeout: options.delaySeconds, abortSignal: options.signal });
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
