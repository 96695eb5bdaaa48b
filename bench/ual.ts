/**
 * bench:ual: generate realistic unified-audit-log exports (Purview CSV and Management Activity JSON) of 100k and 1M
 * records with Alice's attack hidden among 300 users' ordinary activity, then time `contain analyze` on each and read
 * its peak RSS in a fresh process. Findings must be the same at both sizes.
 * Targets: 1M records under 30 s, peak RSS under 400 MB and growing less than 1.5x from 100k to 1M.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { record } from './common';

const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const OUT = join(__dirname, 'out');
const ATT4 = '152.42.161.220';
const ATT6 = '240b:10:32c1:ab00:857:889:3734:e93';
const OPS = ['MailItemsAccessed', 'MailItemsAccessed', 'MailItemsAccessed', 'Send', 'FileAccessed', 'FileModified', 'UserLoggedIn', 'SoftDelete', 'MoveToDeletedItems', 'SearchQueryInitiatedExchange'];

/** A deterministic pseudo-random sequence, so both sizes hide the same attack the same way. */
function rng(seed: number) {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function attack(base: number): Record<string, unknown>[] {
  const t = (min: number) => new Date(base + min * 60_000).toISOString().slice(0, 19);
  const A = 'alice.aoki@contoso.example';
  const S = '5e551000-0000-4000-8000-00000000a1ce';
  return [
    { Id: 'attack-0001', CreationTime: t(10), RecordType: 1, Operation: 'New-InboxRule', UserId: A, Workload: 'Exchange', ClientIP: `${ATT4}:51234`, Parameters: [{ Name: 'Name', Value: '.' }, { Name: 'MoveToFolder', Value: 'Deleted Items' }, { Name: 'MarkAsRead', Value: 'True' }] },
    { Id: 'attack-0002', CreationTime: t(11), RecordType: 50, Operation: 'MailItemsAccessed', UserId: A, Workload: 'Exchange', ClientIP: `${ATT4}:51240`, SessionId: S },
    { Id: 'attack-0003', CreationTime: t(12), RecordType: 50, Operation: 'MailItemsAccessed', UserId: A, Workload: 'Exchange', ClientIP: `[${ATT6}]:443`, SessionId: S },
    { Id: 'attack-0004', CreationTime: t(13), RecordType: 8, Operation: 'Consent to application.', UserId: A, Workload: 'AzureActiveDirectory', ClientIP: ATT4, ObjectId: '..' },
    { Id: 'attack-0005', CreationTime: t(40), RecordType: 30, Operation: 'CreateFlow', UserId: A, Workload: 'MicrosoftFlow', ClientIP: ATT4 },
    { Id: 'attack-0006', CreationTime: t(45), RecordType: 2, Operation: 'Send', UserId: A, Workload: 'Exchange', ClientIP: `${ATT4}:51300` },
    { Id: 'attack-0007', CreationTime: t(46), RecordType: 2, Operation: 'HardDelete', UserId: A, Workload: 'Exchange', ClientIP: `[${ATT6}]:443`, SessionId: S },
  ];
}

async function generate(n: number): Promise<{ csv: string; json: string }> {
  mkdirSync(OUT, { recursive: true });
  const csv = join(OUT, `ual-${n}.csv`);
  const json = join(OUT, `ual-${n}.json`);
  const c = createWriteStream(csv);
  const j = createWriteStream(json);
  const write = async (s: ReturnType<typeof createWriteStream>, text: string) => {
    if (!s.write(text)) await new Promise<void>((r) => s.once('drain', () => r()));
  };
  await write(c, 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\n');
  await write(j, '[\n');
  const random = rng(42);
  const base = Date.parse('2026-11-20T00:00:00Z');
  const hidden = attack(base + 3 * 86_400_000);
  const every = Math.floor(n / hidden.length);
  let h = 0;
  for (let i = 0; i < n; i++) {
    let rec: Record<string, unknown>;
    if (i % every === every - 1 && h < hidden.length) rec = hidden[h++];
    else {
      const u = Math.floor(random() * 300);
      const op = OPS[Math.floor(random() * OPS.length)];
      rec = { Id: `r-${i}`, CreationTime: new Date(base + Math.floor(random() * 6 * 86_400_000)).toISOString().slice(0, 19), RecordType: op === 'UserLoggedIn' ? 15 : 50, Operation: op, UserId: `user${u}@contoso.example`, Workload: op.startsWith('File') ? 'SharePoint' : 'Exchange', ClientIP: `198.51.${100 + (u % 20)}.${10 + (u % 200)}:${40000 + (i % 20000)}`, SessionId: `sess-${u}-${Math.floor(i / 5000)}`, ResultStatus: 'Succeeded' };
    }
    const audit = JSON.stringify(rec);
    await write(c, `${rec.Id},${String(rec.CreationTime)}Z,${rec.RecordType},${rec.Operation},${rec.UserId},"${audit.replace(/"/g, '""')}",,\n`);
    await write(j, (i ? ',\n' : '') + audit);
  }
  await write(j, '\n]\n');
  await Promise.all([new Promise<void>((r) => c.end(() => r())), new Promise<void>((r) => j.end(() => r()))]);
  return { csv, json };
}

async function main(): Promise<void> {
  const rows: (string | number)[][] = [['records', 'format', 'file MB', 'seconds', 'records/s', 'peak RSS MB', 'findings']];
  const findingsBySize = new Map<string, string>();
  const rss: Record<string, number> = {};
  for (const n of SIZES) {
    const files = await generate(n);
    for (const [format, file] of Object.entries(files)) {
      const r = spawnSync(process.execPath, [join(__dirname, 'ual-child.js'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(r.stderr);
      const o = JSON.parse(r.stdout.trim());
      rows.push([n, format, (statSync(file).size / 2 ** 20).toFixed(0), (o.ms / 1000).toFixed(1), Math.round(n / (o.ms / 1000)), o.maxRssMb.toFixed(0), o.findings.length]);
      findingsBySize.set(`${n}:${format}`, JSON.stringify(o.findings));
      rss[`${n}:${format}`] = o.maxRssMb;
    }
  }
  const distinct = new Set(findingsBySize.values());
  const [small, large] = [SIZES[0], SIZES[SIZES.length - 1]];
  record(`bench:ual (${SIZES.join(' and ')} records)`, rows, [
    'Targets: 1M records under 30 s; peak RSS under 400 MB and growing less than 1.5x from 100k to 1M; the same findings at every size.',
    `Findings identical across sizes and formats: ${distinct.size === 1 ? 'yes' : `no (${distinct.size} different sets)`}.`,
    `RSS growth ${small} -> ${large}: CSV ${(rss[`${large}:csv`] / rss[`${small}:csv`]).toFixed(2)}x, JSON ${(rss[`${large}:json`] / rss[`${small}:json`]).toFixed(2)}x.`,
    'Two streaming passes over each file (learn, then judge); memory holds per-user and per-session state, not records.',
  ]);
  if (distinct.size !== 1) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
