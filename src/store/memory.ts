import { CONTENT_TYPE, type ResultFiles, type ResultFormat, type ResultStore } from './result-store';
import { workMessageSchema, type WorkMessage, type WorkQueue } from './work-queue';

/** The work queue in memory: messages are validated as Queue Storage's are, and kept in order for whoever drains them. */
export class MemoryWorkQueue implements WorkQueue {
  private readonly messages: WorkMessage[] = [];

  async send(message: WorkMessage, options: { delaySeconds?: number; signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    this.messages.push(workMessageSchema.parse(structuredClone(message)));
  }

  /** Everything sent since the last call, oldest first; the queue is empty afterwards. */
  take(): WorkMessage[] {
    return this.messages.splice(0);
  }
}

/** Results in memory, with the blob store's content types. */
export class MemoryResultStore implements ResultStore {
  private readonly files = new Map<string, string>();

  async put(id: string, files: ResultFiles, options: { signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    for (const f of Object.keys(files) as ResultFormat[]) if (files[f] !== undefined) this.files.set(`${id}.${f}`, files[f]!);
  }

  async get(
    id: string,
    format: ResultFormat,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ body: Buffer; contentType: string } | undefined> {
    options.signal?.throwIfAborted();
    const body = this.files.get(`${id}.${format}`);
    return body === undefined ? undefined : { body: Buffer.from(body, 'utf8'), contentType: CONTENT_TYPE[format] };
  }
}
