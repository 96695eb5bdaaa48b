import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { countThrottled, failSpan, SpanKind, withSpan } from '../telemetry';
import { budgetOf } from './pacing';

/** A path segment that names a resource, property or action ("users", "mailFolders", "microsoft.graph.user", "$batch"). */
const WORD = /^(\$?[a-z][A-Za-z]*(\.[A-Za-z]+)*|v1\.0|beta)$/;

/**
 * A Graph path with object ids, addresses, mailbox rule and folder ids replaced by {id}: span names must not carry
 * who was looked up, and must stay few ("GET /v1.0/users/{id}/authentication/methods"). Keys in parentheses go too.
 */
export function templatePath(pathname: string): string {
  return pathname
    .split('/')
    .map((seg) => (seg === '' || WORD.test(seg) ? seg : /^[A-Za-z]+\(/.test(seg) ? seg.replace(/\(.*\)$/, '({key})') : '{id}'))
    .join('/');
}

/**
 * Graph client middleware, innermost: every HTTP attempt to Graph is a client span named by its method and templated
 * path, carrying Graph's `request-id` (what Microsoft support asks for) and the `client-request-id` Contain sends,
 * so an operator can follow one incident from the chat message to each Graph request. Counts 429s by budget.
 */
export class TracingMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly baseUrl: string) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const path = templatePath(url.pathname.slice(new URL(this.baseUrl).pathname.replace(/\/$/, '').length));
    const headers = new Headers(context.options?.headers as HeadersInit | undefined);
    // Graph echoes client-request-id in its answer and logs; a request Contain sends is findable by it.
    const clientRequestId = headers.get('client-request-id') ?? randomUUID();
    headers.set('client-request-id', clientRequestId);
    context.options = { ...context.options, headers };
    await withSpan(
      `${method} ${path}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': url.hostname,
          'url.template': path,
          'graph.client_request_id': clientRequestId,
        },
      },
      async (span) => {
        await this.next!.execute(context); // a dropped connection or timeout throws: withSpan marks the span failed
        const res = context.response!;
        span.setAttributes({ 'http.response.status_code': res.status, 'graph.request_id': res.headers.get('request-id') ?? '' });
        if (res.status >= 400) failSpan(span, { code: String(res.status), message: `HTTP ${res.status}` });
        if (res.status === 429) countThrottled({ service: budgetOf(method, path.replace(/^\/(v1\.0|beta)/, '')), batch: false });
      },
    );
  }
}
