import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { LogRecord } from './record';
import { fromAuditData } from './formats/ual';
import { fromAuditQueryRecord, fromDirectoryAudit, fromEmailEvent, fromEmailUrl, fromSignIn } from './formats/graph';
import { jsonArrayTexts } from './formats/json-stream';
import { csvRows, field as csvField } from './formats/csv-stream';

/**
 * Which audit rows a pass needs, asked with the fields an export carries outside the record (the CSV columns, the
 * JSON envelope) before the record itself is parsed: the analyzer's second pass skips the rows that cannot matter.
 */
export type RowFilter = (row: { user: string; operation: string }) => boolean;

export interface ReadOptions {
  /** UTC offset (minutes) of local-time CSV dates. */
  tzOffsetMinutes?: number;
  filter?: RowFilter;
}

export type FileFormat =
  'ual-csv' | 'management-activity-json' | 'audit-query-json' | 'signin-json' | 'directory-audit-json' | 'hunting-json';

type Mapper = (item: Record<string, unknown>) => LogRecord | undefined;

/** Which mapper fits a JSON item, judged by its keys (PascalCase or camelCase). */
function mapperFor(item: Record<string, unknown>): { format: FileFormat; map: Mapper } | undefined {
  const has = (k: string) => k in item;
  if (has('auditData') || has('auditLogRecordType')) return { format: 'audit-query-json', map: fromAuditQueryRecord };
  if (has('CreationTime') && (has('Operation') || has('Workload')))
    return { format: 'management-activity-json', map: (i) => fromAuditData(i) };
  if (has('activityDisplayName')) return { format: 'directory-audit-json', map: fromDirectoryAudit };
  if (has('createdDateTime') && (has('ipAddress') || has('appDisplayName'))) return { format: 'signin-json', map: fromSignIn };
  if (has('Url') && has('NetworkMessageId') && !has('RecipientEmailAddress')) return { format: 'hunting-json', map: fromEmailUrl };
  if (has('NetworkMessageId') || has('RecipientEmailAddress')) return { format: 'hunting-json', map: fromEmailEvent };
  return undefined;
}

export class UnreadableFile extends Error {}

/** The first bytes of a file, BOM removed. */
async function head(path: string, bytes = 65536): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } finally {
    await fh.close();
  }
}

/**
 * Records of one exported file, streamed: Purview/Search-UnifiedAuditLog CSV (AuditData JSON inside a CSV field),
 * Management Activity API JSON, Graph audit-query records, Graph sign-ins and directory audits (a page with `value`
 * or a bare array), advanced-hunting results (`schema` + `results`). The format is told by content, not by name.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<LogRecord> {
  for await (const batch of readRecordBatches(path, options)) yield* batch;
}

/** The same records a chunk of the file at a time: what the analyzer reads, a million records at a time being common. */
export async function* readRecordBatches(path: string, options: ReadOptions = {}): AsyncGenerator<LogRecord[]> {
  let text: string;
  try {
    text = await head(path);
  } catch (err) {
    throw new UnreadableFile((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  const first = text.trimStart()[0];
  if (first === '[' || first === '{') {
    yield* readJson(path, first, options);
    return;
  }
  const header = text.split(/\r?\n/, 1)[0];
  if (/(^|,)"?AuditData"?(,|$)/i.test(header)) {
    yield* readUalCsv(path, options.tzOffsetMinutes ?? 0, options.filter);
    return;
  }
  throw new UnreadableFile(
    'not a format Contain knows (expected a UAL CSV export with an AuditData column, or Graph / Management Activity / advanced-hunting JSON)',
  );
}

async function* readUalCsv(path: string, tz: number, filter?: RowFilter): AsyncGenerator<LogRecord[]> {
  let col: Record<'audit' | 'id' | 'time' | 'user' | 'operation', number> | undefined;
  const columns = (header: string[]) => {
    const h = header.map((c) => c.trim().toLowerCase());
    const at = (...names: string[]) => h.findIndex((x) => names.some((n) => x === n.toLowerCase()));
    col = {
      audit: at('AuditData'),
      id: at('RecordId', 'Id'),
      time: at('CreationDate', 'CreationTime'),
      user: at('UserIds', 'UserId'),
      operation: at('Operations', 'Operation'),
    };
    return col.audit;
  };
  let line = 0;
  for await (const rows of csvRows(createReadStream(path, { encoding: 'utf8' }), columns)) {
    const out: LogRecord[] = [];
    for (const row of rows) {
      if (++line === 1) continue;
      const c = col!;
      const get = (i: number) => (i >= 0 ? csvField(row, i) : undefined);
      const user = get(c.user);
      const operation = get(c.operation);
      if (filter && user && operation && !filter({ user: user.toLowerCase(), operation })) continue;
      let audit: Record<string, unknown>;
      try {
        audit = JSON.parse(get(c.audit) || '{}');
      } catch {
        throw new UnreadableFile(`row ${line}: the AuditData field is not valid JSON`);
      }
      const rec = fromAuditData(audit, { id: get(c.id), time: get(c.time), user, operation }, tz);
      if (rec) out.push(rec);
    }
    if (out.length) yield out;
  }
}

/** The user and operation of a Management Activity record or an audit-query envelope, read from its text. */
const CHEAP: Partial<Record<FileFormat, [RegExp, RegExp]>> = {
  'management-activity-json': [/"UserId"\s*:\s*"([^"\\]*)"/, /"Operation"\s*:\s*"([^"\\]*)"/],
  'audit-query-json': [/"userPrincipalName"\s*:\s*"([^"\\]*)"/, /"operation"\s*:\s*"([^"\\]*)"/],
};

async function* readJson(path: string, first: string, options: ReadOptions): AsyncGenerator<LogRecord[]> {
  let batches: AsyncIterable<(string | unknown)[]> | Iterable<unknown[]>;
  if (first === '[') batches = jsonArrayTexts(createReadStream(path, { encoding: 'utf8' }));
  else {
    // A Graph page ({"value": [...]}) or hunting result ({"schema", "results"}): pages are small by design.
    if ((await stat(path)).size > 512 * 1024 * 1024)
      throw new UnreadableFile('a single JSON object over 512 MB; export it as a JSON array instead');
    const { readFile } = await import('node:fs/promises');
    const doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, '')) as Record<string, unknown>;
    batches = [(doc.value ?? doc.results ?? doc.Results ?? [doc]) as unknown[]];
  }
  let mapper: ReturnType<typeof mapperFor>;
  try {
    for await (const batch of batches) {
      const out: LogRecord[] = [];
      for (const raw of batch) {
        if (typeof raw === 'string' && mapper && options.filter) {
          const cheap = CHEAP[mapper.format];
          const user = cheap?.[0].exec(raw)?.[1];
          const operation = cheap?.[1].exec(raw)?.[1];
          if (user && operation && !options.filter({ user: user.toLowerCase(), operation })) continue;
        }
        const item = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
        if (!item || typeof item !== 'object') continue;
        mapper ??= mapperFor(item as Record<string, unknown>);
        if (!mapper) throw new UnreadableFile('JSON records of a kind Contain does not know');
        const rec = mapper.map(item as Record<string, unknown>);
        if (rec) out.push(rec);
      }
      if (out.length) yield out;
    }
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`invalid JSON: ${(err as Error).message}`);
  }
}
