import { Client, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';
import { TokenMiddleware } from './auth';
import { fromGraphError } from './errors';
import { Pacer, PacingMiddleware } from './pacing';
import { defaultRetryPolicy, RetryMiddleware, SendOnce, type RetryObserver, type RetryPolicy } from './retry';
import { TracingMiddleware } from './tracing';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphCallOptions {
  version?: GraphVersion;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Words for error messages: "looking up the user", "revoking sessions". */
  what?: string;
  /**
   * Safe to send again when its outcome is unknown (5xx, timeout, dropped connection). Default: GET only. A change
   * that may have been made is never resent blindly: only its 429 is retried (Graph refuses those unprocessed).
   */
  idempotent?: boolean;
}

export interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/** The narrow Graph surface the response library uses; one implementation, over @microsoft/microsoft-graph-client. */
export interface Graph {
  get<T>(path: string, options?: GraphCallOptions): Promise<T>;
  post<T>(path: string, body: unknown, options?: GraphCallOptions): Promise<T>;
  patch<T>(path: string, body: unknown, options?: GraphCallOptions): Promise<T>;
  delete(path: string, options?: GraphCallOptions): Promise<void>;
  /** Pages of a collection, following @odata.nextLink lazily. */
  pages<T>(path: string, options?: GraphCallOptions): AsyncIterable<Page<T>>;
  /** Items of a collection across pages; stops after `max` items. */
  list<T>(path: string, options?: GraphCallOptions & { max?: number }): AsyncIterable<T>;
  readonly baseUrl: string;
  /** The published budgets this client spends (pacing.ts); runBatch paces sub-requests with it. */
  readonly pacer?: Pacer;
}

export interface CreateGraphOptions {
  baseUrl: string;
  credential?: TokenCredential;
  retry?: Partial<RetryPolicy>;
  onRetry?: RetryObserver;
  random?: () => number;
  /** Pace requests within Graph's published budgets (default: a new Pacer); false sends as fast as asked. */
  pacer?: Pacer | false;
}

/** Create the Graph client: token only to baseUrl, retries per policy, errors as ContainError. */
export function createGraph(options: CreateGraphOptions): Graph {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const pacer = options.pacer === false ? undefined : (options.pacer ?? new Pacer());
  const chain: Middleware[] = [
    new RetryMiddleware({ ...defaultRetryPolicy, ...options.retry }, options.onRetry, options.random),
    // Inside the retry loop: every attempt counts against Graph's budgets, so every attempt is paced.
    ...(pacer ? [new PacingMiddleware(pacer, baseUrl)] : []),
    new TokenMiddleware(options.credential, baseUrl),
    // Innermost: one span per HTTP attempt, with Graph's request-id (a no-op while no telemetry SDK is registered).
    new TracingMiddleware(baseUrl),
    new HTTPMessageHandler(),
  ];
  const client = Client.initWithMiddleware({ middleware: chain, baseUrl, defaultVersion: 'v1.0' });

  const request = (path: string, o: GraphCallOptions = {}, method = 'GET') => {
    const { version, relative } = splitAbsolute(baseUrl, path, o.version ?? 'v1.0');
    let r = client.api(relative).version(version);
    if (o.headers) r = r.headers(o.headers);
    if (o.signal) r = r.option('signal', o.signal);
    if (!(o.idempotent ?? method === 'GET')) r = r.middlewareOptions([new SendOnce()]);
    return r;
  };
  const call = async <T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      // The Graph client wraps an abort during a request in a GraphError that may no longer say so: the signal does.
      throw fromGraphError(
        signal?.aborted ? Object.assign(new Error(`${what} was cancelled.`, { cause: err }), { name: 'AbortError' }) : err,
        what,
      );
    }
  };

  const graph: Graph = {
    baseUrl,
    pacer,
    get: (path, o) => call(o?.what ?? `GET ${pathOnly(path)}`, () => request(path, o).get(), o?.signal),
    post: (path, body, o) => call(o?.what ?? `POST ${pathOnly(path)}`, () => request(path, o, 'POST').post(body), o?.signal),
    patch: (path, body, o) => call(o?.what ?? `PATCH ${pathOnly(path)}`, () => request(path, o, 'PATCH').patch(body), o?.signal),
    delete: (path, o) => call(o?.what ?? `DELETE ${pathOnly(path)}`, () => request(path, o, 'DELETE').delete(), o?.signal),
    pages: <T>(path: string, o?: GraphCallOptions) => ({
      async *[Symbol.asyncIterator]() {
        let next: string | undefined = path;
        while (next) {
          const page: Page<T> = await graph.get<Page<T>>(next, o);
          yield page;
          next = page['@odata.nextLink'];
        }
      },
    }),
    list: <T>(path: string, o?: GraphCallOptions & { max?: number }) => ({
      async *[Symbol.asyncIterator]() {
        let n = 0;
        for await (const page of graph.pages<T>(path, o)) {
          for (const item of page.value) {
            if (o?.max !== undefined && n >= o.max) return;
            n++;
            yield item;
          }
        }
      },
    }),
  };
  return graph;
}

/**
 * The graph client only understands absolute https nextLinks; the sandbox serves http. Turn an absolute link
 * under our base URL into version + relative path so paging works the same against both.
 */
export function splitAbsolute(baseUrl: string, path: string, fallbackVersion: GraphVersion): { version: string; relative: string } {
  if (/^https?:\/\//i.test(path)) {
    if (!path.startsWith(baseUrl + '/'))
      throw new ContainError('GRAPH_ERROR', `Refusing to follow a Graph link outside ${baseUrl}.`, {
        details: { link: path.slice(0, 200) },
      });
    const rest = path.slice(baseUrl.length + 1);
    const slash = rest.indexOf('/');
    return { version: rest.slice(0, slash), relative: rest.slice(slash) };
  }
  return { version: fallbackVersion, relative: path };
}

function pathOnly(path: string): string {
  return path.split('?')[0];
}
