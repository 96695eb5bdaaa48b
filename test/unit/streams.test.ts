import { Readable } from 'node:stream';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvRows, field, type CsvRow } from '../../src/investigate/formats/csv-stream';
import { jsonArrayItems } from '../../src/investigate/formats/json-stream';

/** A stream that hands the text over in the given chunk sizes, so that rows and strings break across chunks. */
function chunked(text: string, sizes: number[]): Readable {
  const parts: string[] = [];
  let i = 0;
  for (let k = 0; i < text.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]);
    parts.push(text.slice(i, i + n));
    i += n;
  }
  return Readable.from(parts);
}

async function rows(text: string, sizes: number[], wide?: number): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of csvRows(chunked(text, sizes), wide === undefined ? undefined : () => wide))
    for (const r of batch as CsvRow[]) out.push(r.fields.map((_, i) => field(r, i)!));
  return out;
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);

describe('CSV rows', () => {
  test('quoted JSON with escaped quotes, CRLF, a BOM, a line break inside quotes, empty lines', async () => {
    const text =
      '\uFEFFRecordId,CreationDate,Operation,AuditData,Extra\r\nr1,2026-11-23,Send,"{""Id"":""r1"",""Subject"":""a, b""}",\r\n\r\nr2,2026-11-23,Send,"{""Body"":""two\nlines""}",x\n';
    const want = [
      ['RecordId', 'CreationDate', 'Operation', 'AuditData', 'Extra'],
      ['r1', '2026-11-23', 'Send', '{"Id":"r1","Subject":"a, b"}', ''],
      ['r2', '2026-11-23', 'Send', '{"Body":"two\nlines"}', 'x'],
    ];
    for (const sizes of [[1], [3, 7], [10_000]]) {
      expect(await rows(text, sizes)).toEqual(want);
      expect(await rows(text, sizes, 3)).toEqual(want);
    }
  });

  test('the fast path and the full parser read every file as csv-parse does', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '"', '""', ',', '\n', '\r\n', '{"a":"b"}', 'x"y', 'x",y\nz', '",', '"\n', 'a\n,b"'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (table, sizes, crlf) => {
          const text =
            ['a,b,AuditData,d', ...table.map((r) => r.map(csvCell).join(','))].join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
          const want = (parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]).filter(
            (r) => r.length > 1 || r[0] !== '',
          );
          expect(await rows(text, sizes)).toEqual(want);
          expect(await rows(text, sizes, 2)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('JSON array items', () => {
  test('strings with escaped quotes and backslashes, broken across chunks anywhere', async () => {
    const items = [{ a: 'x"y\\', b: ['[', '{', ']'] }, { c: '\\"', d: { e: '\\\\"}' } }, { f: 'ünï"cødé' }];
    const text = JSON.stringify(items, null, 1);
    for (const sizes of [[1], [2, 5], [7], [64 * 1024]]) {
      const out: unknown[] = [];
      for await (const x of jsonArrayItems(chunked(text, sizes))) out.push(x);
      expect(out).toEqual(items);
    }
  });

  test('any array of objects reads back item by item', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }),
        async (items, sizes) => {
          const text = JSON.stringify(items);
          const out: unknown[] = [];
          for await (const x of jsonArrayItems(chunked(text, sizes))) out.push(x);
          expect(out).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
