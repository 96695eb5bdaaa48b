import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { LogRecord } from './record';
import { fromAuditData } from './formats/ual';
import { fromAuditQueryRecord, fromDirectoryAudit, fromEmailEvent, fromEmailUrl, fromSignIn } from './formats/graph';
import { jsonArrayItems } from './formats/json-stream';

export type FileFormat = 'ual-csv' | 'management-activity-json' | 'audit-query-json' | 'signin-json' | 'directory-audit-json' | 'hunting-json';

type Mapper = (item: Record<string, unknown>) => LogRecord | undefined;

/** Which mapper fits a JSON item, judged by its keys (PascalCase or camelCase). */
function mapperFor(item: Record<string, unknown>): { format: FileFormat; map: Mapper } | undefined {
  const has = (k: string) => k in item;
  if (has('auditData') || has('auditLogRecordType')) return { format: 'audit-query-json', map: fromAuditQueryRecord };
  if (has('CreationTime') && (has('Operation') || has('Workload'))) return { format: 'management-activity-json', map: (i) => fromAuditData(i) };
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
    return buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await fh.close();
  }
}

/**
 * Records of one exported file, streamed: Purview/Search-UnifiedAuditLog CSV (AuditData JSON inside a CSV field),
 * Management Activity API JSON, Graph audit-query records, Graph sign-ins and directory audits (a page with `value`
 * or a bare array), advanced-hunting results (`schema` + `results`). The format is told by content, not by name.
 */
export async function* readRecords(path: string, options: { tzOffsetMinutes?: number } = {}): AsyncGenerator<LogRecord> {
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
    yield* readUalCsv(path, options.tzOffsetMinutes ?? 0);
    return;
  }
  throw new UnreadableFile('not a format Contain knows (expected a UAL CSV export with an AuditData column, or Graph / Management Activity / advanced-hunting JSON)');
}

async function* readUalCsv(path: string, tz: number): AsyncGenerator<LogRecord> {
  const parser = createReadStream(path).pipe(parse({ columns: (h: string[]) => h.map((c) => c.trim()), bom: true, relax_column_count: true, skip_empty_lines: true }));
  let line = 1;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    line++;
    let audit: Record<string, unknown>;
    try {
      audit = JSON.parse(row.AuditData ?? row.auditData ?? '{}');
    } catch {
      throw new UnreadableFile(`row ${line}: the AuditData field is not valid JSON`);
    }
    const rec = fromAuditData(audit, { id: row.RecordId ?? row.Id, time: row.CreationDate ?? row.CreationTime, user: row.UserIds ?? row.UserId, operation: row.Operations ?? row.Operation }, tz);
    if (rec) yield rec;
  }
}

async function* readJson(path: string, first: string, _options: { tzOffsetMinutes?: number }): AsyncGenerator<LogRecord> {
  let items: AsyncIterable<unknown> | Iterable<unknown>;
  if (first === '[') items = jsonArrayItems(createReadStream(path, { encoding: 'utf8' }));
  else {
    // A Graph page ({"value": [...]}) or hunting result ({"schema", "results"}): pages are small by design.
    if ((await stat(path)).size > 512 * 1024 * 1024) throw new UnreadableFile('a single JSON object over 512 MB; export it as a JSON array instead');
    const { readFile } = await import('node:fs/promises');
    const doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, '')) as Record<string, unknown>;
    items = (doc.value ?? doc.results ?? doc.Results ?? [doc]) as unknown[];
  }
  let mapper: ReturnType<typeof mapperFor>;
  try {
    for await (const item of items) {
      if (!item || typeof item !== 'object') continue;
      mapper ??= mapperFor(item as Record<string, unknown>);
      if (!mapper) throw new UnreadableFile('JSON records of a kind Contain does not know');
      const rec = mapper.map(item as Record<string, unknown>);
      if (rec) yield rec;
    }
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`invalid JSON: ${(err as Error).message}`);
  }
}
