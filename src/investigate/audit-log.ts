import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { fromGraphError } from '../graph/errors';
import { sleep } from '../graph/retry';
import { fromAuditQueryRecord } from './formats/graph';
import type { LogRecord } from './record';

/** What to ask the unified audit log for (Audit Log Query API filters). */
export interface AuditLogFilter {
  /** Shown in Purview > Audit, where a query that outlives the wait can still be opened. */
  displayName: string;
  start: string;
  end: string;
  users?: string[];
  operations?: string[];
  recordTypes?: string[];
  ips?: string[];
}

/** One progress report while the query runs. */
export interface AuditLogProgress {
  queryId: string;
  status: string;
  elapsedMs: number;
}

export interface AuditLogOptions {
  signal?: AbortSignal;
  /** Called when the status changes and then at most every `progressEveryMs` (default 60 s) while it runs. */
  onProgress?: (p: AuditLogProgress) => void | Promise<void>;
  progressEveryMs?: number;
  /** Records read at most; the rest is left in Purview. */
  max?: number;
  /** A query an earlier run created for the same filter: polled instead of creating another, unless it is gone or failed. */
  existingQueryId?: string;
  /** Told the id of a query this run created, so a later run can pick it up. */
  onCreated?: (queryId: string) => void | Promise<void>;
}

interface AuditLogQuery {
  id: string;
  status: 'notStarted' | 'running' | 'succeeded' | 'failed' | 'cancelled' | string;
  approximateReturnedRecordCount?: number;
}

/**
 * Run one Audit Log Query API query: create it, poll with backoff (config.investigate: first interval, growing 1.5x
 * to 6x that, until the timeout), then page its records as normalised LogRecords. A query still running at the
 * timeout is not cancelled: it stays in Purview under its display name, and the error says so.
 */
export async function* auditLogRecords(
  ctx: Pick<ContainContext, 'graph' | 'config'>,
  filter: AuditLogFilter,
  options: AuditLogOptions = {},
): AsyncGenerator<LogRecord> {
  const { auditPollMs, auditTimeoutMs } = ctx.config.investigate;
  const body = {
    '@odata.type': '#microsoft.graph.security.auditLogQuery',
    displayName: filter.displayName,
    filterStartDateTime: filter.start,
    filterEndDateTime: filter.end,
    ...(filter.users?.length ? { userPrincipalNameFilters: filter.users } : {}),
    ...(filter.operations?.length ? { operationFilters: filter.operations } : {}),
    ...(filter.recordTypes?.length ? { recordTypeFilters: filter.recordTypes } : {}),
    ...(filter.ips?.length ? { ipAddressFilters: filter.ips } : {}),
  };
  const poll = (id: string) =>
    ctx.graph.get<AuditLogQuery>(`/security/auditLog/queries/${encodeURIComponent(id)}`, {
      signal: options.signal,
      what: 'polling the unified audit log query',
    });
  const reuse = async (id: string | undefined): Promise<AuditLogQuery | undefined> => {
    if (!id) return undefined;
    try {
      const q = await poll(id);
      return q.status === 'failed' || q.status === 'cancelled' ? undefined : q;
    } catch (err) {
      if (err instanceof ContainError && err.code === 'GRAPH_NOT_FOUND') return undefined;
      throw err;
    }
  };
  const create = async (): Promise<AuditLogQuery> => {
    const q = await ctx.graph.post<AuditLogQuery>('/security/auditLog/queries', body, {
      signal: options.signal,
      // A second query after a lost answer costs Purview time, not correctness: worth it over failing the command.
      idempotent: true,
      what: 'creating the unified audit log query',
    });
    await options.onCreated?.(q.id);
    return q;
  };
  let query = (await reuse(options.existingQueryId)) ?? (await create());
  const started = Date.now();
  const every = options.progressEveryMs ?? 60_000;
  let delay = auditPollMs;
  let reported = { status: '', at: 0 };
  const report = async () => {
    const now = Date.now();
    if (query.status === reported.status && now - reported.at < every) return;
    reported = { status: query.status, at: now };
    await options.onProgress?.({ queryId: query.id, status: query.status, elapsedMs: now - started });
  };
  while (query.status !== 'succeeded') {
    if (query.status === 'failed' || query.status === 'cancelled')
      throw new ContainError(
        'GRAPH_ERROR',
        `The unified audit log query ${query.status === 'failed' ? 'failed in Purview' : 'was cancelled'}; search Purview > Audit for "${filter.displayName}" or export the log and run contain analyze.`,
        { details: { queryId: query.id } },
      );
    if (Date.now() - started + delay > auditTimeoutMs)
      throw new ContainError(
        'GRAPH_UNAVAILABLE',
        `The unified audit log query was still ${query.status === 'notStarted' ? 'queued' : query.status} after ${Math.round(auditTimeoutMs / 60_000) || 1} min. It keeps running in Purview > Audit as "${filter.displayName}": run investigate again in a few minutes to pick it up, or open it there.`,
        { details: { queryId: query.id }, transient: true },
      );
    await report();
    await sleep(delay, options.signal).catch((err: unknown) => {
      throw fromGraphError(err, 'waiting for the unified audit log query');
    });
    delay = Math.min(Math.round(delay * 1.5), auditPollMs * 6);
    query = await poll(query.id);
  }
  await report();
  for await (const raw of ctx.graph.list<Record<string, unknown>>(`/security/auditLog/queries/${encodeURIComponent(query.id)}/records`, {
    signal: options.signal,
    max: options.max,
    what: 'reading unified audit log records',
  })) {
    const r = fromAuditQueryRecord(raw);
    if (r) yield r;
  }
}
