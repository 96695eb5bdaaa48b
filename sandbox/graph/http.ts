import type { AfterFault } from './faults';
import { matches, parseFilter } from './odata-filter';

/** What the emulator's routes work with: a call, its answer, Graph's error shapes, and collections as Graph pages them. */
export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** The caller gets no answer: the connection is dropped, or the worker process that sent it is killed first. */
  disconnect?: 'drop' | 'kill';
}

export interface LoggedRequest {
  method: string;
  path: string;
  query?: string;
  /** What the caller was answered; 0 when it got no answer (dropped connection, killed worker). */
  status: number;
  time: string;
  batchId?: string;
  /** True when the service carried the request out (a change made, a read served), whatever the caller was told. */
  applied: boolean;
}

export interface Call {
  method: string;
  version: 'v1.0' | 'beta';
  /** Path below the version, e.g. /users/abc. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  /** http://host:port/sandbox/graph, for absolute nextLinks. */
  base: string;
}

export type Handler = (call: Call, m: RegExpExecArray) => EmulatorResponse;

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers:
    body === undefined
      ? headers
      : {
          'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
          ...headers,
        },
  body,
});

/** Graph's error body: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}. */
export function errorBody(code: string, message: string, requestId: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId },
    },
  };
}

/** The @odata.context of `what` (an entity set, an entity, a type), as Graph names it in its answers. */
export const odataContext = (c: Pick<Call, 'base' | 'version'>, what: string) => `${c.base}/${c.version}/$metadata#${what}`;

export const notFound = (what: string) =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

export function select(obj: object, q: URLSearchParams, defaults?: string[]): Record<string, unknown> {
  const sel = q.get('$select');
  const keys = sel ? sel.split(',').map((s) => s.trim()) : defaults;
  const src = obj as Record<string, unknown>;
  if (!keys) return { ...src };
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in src) out[k] = src[k];
  return out;
}

/** The answer a fault gives in place of the service's own. */
export function faultResponse(
  f: Pick<AfterFault, 'status' | 'retryAfter' | 'code' | 'message' | 'disconnect'>,
  requestId: string,
): EmulatorResponse {
  if (f.disconnect || f.status === undefined || f.status === 0) return { status: 0, headers: {}, disconnect: f.disconnect ?? 'drop' };
  return json(f.status, errorBody(f.code, f.message, requestId), f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {});
}

export function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** $filter, $select, $top, $count and $skiptoken paging with absolute nextLinks, as Graph collections do. */
export function collection<T extends object>(c: Call, path: string, all: T[], o: { defaultTop?: number } = {}): EmulatorResponse {
  const filter = c.query.get('$filter');
  let items = filter ? all.filter((x) => matches(parseFilter(filter), x)) : all;
  const wantsCount = c.query.get('$count') === 'true';
  if (wantsCount && c.headers['consistencylevel'] !== 'eventual' && path === '/users')
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      "$count is not currently supported without the 'ConsistencyLevel: eventual' header.",
    );
  const total = items.length;
  const top = Math.min(Number(c.query.get('$top') ?? o.defaultTop ?? 100), 999);
  if (!Number.isInteger(top) || top < 1) throw new GraphHttpError(400, 'Request_BadRequest', "Invalid value for '$top'.");
  const skip = Number(c.query.get('$skiptoken') ?? '0');
  items = items.slice(skip, skip + top);
  const body: Record<string, unknown> = { '@odata.context': `${c.base}/${c.version}/$metadata#${path.slice(1)}` };
  if (wantsCount) body['@odata.count'] = total;
  body.value = items.map((x) => select(x, c.query, path === '/users' ? USER_DEFAULT : undefined));
  if (skip + top < total) {
    const next = new URLSearchParams(c.query);
    next.set('$skiptoken', String(skip + top));
    body['@odata.nextLink'] = `${c.base}/${c.version}${path}?${next.toString().replace(/%24/g, '$')}`;
  }
  return json(200, body);
}

/** The sandbox object whose Graph `id` this is, or Graph's 404. */
export function byId<T extends { data: Record<string, unknown> }>(items: T[], id: string): T {
  const found = items.find((x) => x.data.id === id);
  if (!found) throw notFound(id);
  return found;
}
