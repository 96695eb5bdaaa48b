import type { ContainerClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';

/** The renderings of a full result kept for download: data, document, and the timeline picture where there is one. */
export type ResultFormat = 'json' | 'md' | 'svg';

const CONTENT_TYPE: Record<ResultFormat, string> = { json: 'application/json; charset=utf-8', md: 'text/markdown; charset=utf-8', svg: 'image/svg+xml; charset=utf-8' };

/**
 * Full investigation, scope and hunt results in blob storage: a card shows the top findings, the blob holds all of
 * them. Blobs rather than table rows because a tenant-wide hunt can exceed a table entity's 1 MB.
 */
export class ResultStore {
  private ready?: Promise<ContainerClient>;

  /** `open` builds the client on first use: @azure/storage-blob stays out of cold starts that never need it. */
  constructor(private readonly open: () => Promise<ContainerClient>) {}

  /** Identity-based access: the blob service endpoint and a token credential. */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential): ResultStore {
    return new ResultStore(async () => new (await import('@azure/storage-blob')).ContainerClient(`${endpoint}/${prefix}-results`, credential));
  }

  static fromConnectionString(connectionString: string, prefix: string): ResultStore {
    return new ResultStore(async () => new (await import('@azure/storage-blob')).ContainerClient(connectionString, `${prefix}-results`));
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

  /** Keep the renderings of one result under its id. */
  async put(id: string, files: { json: string; md: string; svg?: string }): Promise<void> {
    const c = await this.container();
    await Promise.all(
      (Object.keys(files) as ResultFormat[]).map((f) => {
        const data = Buffer.from(files[f]!, 'utf8');
        return c.getBlockBlobClient(`${id}.${f}`).uploadData(data, { blobHTTPHeaders: { blobContentType: CONTENT_TYPE[f] } });
      }),
    );
  }

  /** One rendering, or undefined when there is no such result. */
  async get(id: string, format: ResultFormat): Promise<{ body: Buffer; contentType: string } | undefined> {
    const c = await this.container();
    try {
      return { body: await c.getBlockBlobClient(`${id}.${format}`).downloadToBuffer(), contentType: CONTENT_TYPE[format] };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new ContainError('STORE_ERROR', 'Could not read the result.', { cause: err, transient: true });
    }
  }
}
