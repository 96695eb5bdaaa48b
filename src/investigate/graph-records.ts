import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { LogRecord } from './record';

/**
 * Read a Graph log collection (sign-ins, directory audit) as records. A source Contain may not read (unlicensed,
 * forbidden, not answering) does not fail the command: the records read so far come back with the error, for the
 * caller to turn into a note. Anything else is thrown.
 */
export async function readGraphRecords(
  ctx: Pick<ContainContext, 'graph'>,
  path: string,
  options: {
    version: 'v1.0' | 'beta';
    what: string;
    map: (item: Record<string, unknown>) => LogRecord | undefined;
    max?: number;
    signal?: AbortSignal;
    onRecord?: (count: number) => void | Promise<void>;
  },
): Promise<{ records: LogRecord[]; unreadable?: ContainError }> {
  const records: LogRecord[] = [];
  try {
    for await (const item of ctx.graph.list<Record<string, unknown>>(path, {
      version: options.version,
      max: options.max,
      signal: options.signal,
      what: options.what,
    })) {
      const r = options.map(item);
      if (!r) continue;
      records.push(r);
      await options.onRecord?.(records.length);
    }
  } catch (err) {
    if (err instanceof ContainError && err.code.startsWith('GRAPH_')) return { records, unreadable: err };
    throw err;
  }
  return { records };
}
