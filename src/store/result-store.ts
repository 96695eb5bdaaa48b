import type { ContainerClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';

/** The renderings of a full result kept for download: data, document, and the timeline picture where there is one. */
export type ResultFormat = 'json' | 'md' | 'svg';

/** The renderings of one result, as they are kept. */
export type ResultFiles = { json: string; md: string; svg?: string };

/** Full investigation, scope and hunt results behind the links on cards: a card shows the top findings, this keeps all. */
export interface ResultStore {
  /** Keep the renderings of one result under its id. */
  put(id: string, files: ResultFiles, options?: { signal?: AbortSignal }): Promise<void>;
  /** One rendering, or undefined when there is no such result. */
  get(id: string, format: ResultFormat, options?: { signal?: AbortSignal }): Promise<{ body: Buffer; contentType: string } | undefined>;
}

export const CONTENT_TYPE: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};

/** Results in blob storage: blobs rather than table rows because a tenant-wide hunt can exceed a table entity's 1 MB. */
export class BlobResultStore implements ResultStore {
  private ready?: Promise<ContainerClient>;

  /** `open` builds the client on first use: @azure/storage-blob stays out of cold starts that never need it. */
  constructor(private readonly open: () => Promise<ContainerClient>) {}

  /** Identity-based access: the blob service endpoint and a token credential. */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential): BlobResultStore {
    return new BlobResultStore(
      async () => new (await import('@azure/storage-blob')).ContainerClient(`${endpoint}/${prefix}-results`, credential),
    );
  }

  static fromConnectionString(connectionString: string, prefix: string): BlobResultStore {
    return new BlobResultStore(
      async () => new (await import('@azure/storage-blob')).ContainerClient(connectionString, `${prefix}-results`),
    );
  }

  private container(): Promise<ContainerClient> {
    this.ready ??= (async () => {
      const c = await this.open();
      await c.createIfNotExists();
      return c;
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw new ContainError('STORE_ERROR', 'Could not reach result storage.', { cause: err, transient: true });
    });
    return this.ready;
  }

  async put(id: string, files: ResultFiles, options: { signal?: AbortSignal } = {}): Promise<void> {
    const c = await this.container();
    await Promise.all(
      (Object.keys(files) as ResultFormat[]).map((f) => {
        const data = Buffer.from(files[f]!, 'utf8');
        return c
          .getBlockBlobClient(`${id}.${f}`)
          .uploadData(data, { blobHTTPHeaders: { blobContentType: CONTENT_TYPE[f] }, abortSignal: options.signal });
      }),
    );
  }

  async get(
    id: string,
    format: ResultFormat,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ body: Buffer; contentType: string } | undefined> {
    const c = await this.container();
    try {
      return {
        body: await c.getBlockBlobClient(`${id}.${format}`).downloadToBuffer(undefined, undefined, { abortSignal: options.signal }),
        contentType: CONTENT_TYPE[format],
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new ContainError('STORE_ERROR', 'Could not read the result.', { cause: err, transient: true });
    }
  }
}
