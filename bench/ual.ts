/**
 * bench:ual: unified-audit-log exports (Purview CSV and Management Activity JSON) of a busy tenant (5,000 users,
 * offices, homes and phones; mail access with message ids, sends, files, searches, many flows, consents and inbox
 * rules), with attacks planted among them: device code token replay, stolen sessions, attack-tool clients, each
 * attacker reading hundreds of messages, searching, downloading and sending (about 2.5% of the records). Times
 * `contain analyze` on each in a fresh process, with its peak RSS, and checks the findings against the plant:
 * every attack record found, no ordinary record among the findings, the same findings from CSV and JSON. A quiet
 * export of 50,000 ordinary records measures how many findings ordinary activity produces.
 * Targets: 1M records under 30 s and 400 MB peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { record } from './common';

const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const QUIET = Number(process.env.BENCH_QUIET ?? 50_000);
const OUT = join(__dirname, 'out');
const USERS = 5000;
const DOMAIN = 'contoso.example';
const BASE = Date.parse('2026-11-16T00:00:00Z');
const DAY = 86_400_000;
const EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0';

/** A deterministic pseudo-random sequence, so every size and format hides the same kind of attacks the same way. */
function rng(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

type Rec = Record<string, unknown> & { Id: string; CreationTime: string; Operation: string; UserId: string; RecordType: number };

const iso = (t: number) => new Date(t).toISOString().slice(0, 19);
const upn = (u: number) => `user${u}@${DOMAIN}`;
const office = (u: number) => `203.0.113.${u % 20}`;
const home = (u: number) => `198.18.${u >> 8}.${u & 255}`;
const phone = (u: number) => `100.64.${u >> 8}.${u & 255}`;
/** A day's sign-in session: one on the laptop (office or home), another on the phone. */
const session = (u: number, t: number, onPhone = false) =>
  `5e55${String(u).padStart(4, '0')}-0000-4000-8${onPhone ? 'f' : '0'}0-${String(Math.floor((t - BASE) / DAY)).padStart(12, '0')}`;
const device = (u: number) => [
  { Name: 'Id', Value: `d1ce${String(u).padStart(4, '0')}-0000-4000-8000-000000000001` },
  { Name: 'DisplayName', Value: `PC-${u}` },
  { Name: 'IsCompliant', Value: 'True' },
  { Name: 'TrustType', Value: 'Azure AD joined' },
];

/** One ordinary record of a busy tenant. */
function ordinary(i: number, random: () => number): Rec {
  const u = Math.floor(random() * USERS);
  const t = BASE + Math.floor(random() * 7 * DAY);
  const where = random();
  const ip = where < 0.7 ? office(u) : where < 0.95 ? home(u) : phone(u);
  const ua = where < 0.95 ? `Client=OWA;${EDGE}` : 'Outlook-iOS/2.0';
  const base = { Id: `r-${i}`, CreationTime: iso(t), UserId: upn(u), ResultStatus: 'Succeeded' };
  const sid = session(u, t, where >= 0.95);
  const exchange = { ClientIPAddress: ip, ClientInfoString: ua, AppAccessContext: { AADSessionId: sid } };
  const op = random();
  if (op < 0.45) {
    const sync = random() < 0.05;
    return {
      ...base,
      RecordType: 50,
      Operation: 'MailItemsAccessed',
      Workload: 'Exchange',
      ...exchange,
      OperationProperties: [{ Name: 'MailAccessType', Value: sync ? 'Sync' : 'Bind' }],
      Folders: [{ Path: '\\Inbox', ...(sync ? {} : { FolderItems: [{ InternetMessageId: `<m${i}@${DOMAIN}>` }] }) }],
    };
  }
  if (op < 0.55)
    return {
      ...base,
      RecordType: 15,
      Operation: 'UserLoggedIn',
      Workload: 'AzureActiveDirectory',
      ClientIP: ip,
      ExtendedProperties: [
        { Name: 'UserAgent', Value: EDGE },
        { Name: 'RequestType', Value: 'OAuth2:Authorize' },
      ],
      ...(where < 0.95 ? { DeviceProperties: device(u) } : {}),
    };
  if (op < 0.63)
    return {
      ...base,
      RecordType: 2,
      Operation: 'Send',
      Workload: 'Exchange',
      ...exchange,
      Item: { InternetMessageId: `<s${i}@${DOMAIN}>`, Subject: 'Re: weekly sync' },
    };
  if (op < 0.79)
    return {
      ...base,
      RecordType: 6,
      Operation: random() < 0.7 ? 'FileAccessed' : 'FileDownloaded',
      Workload: 'SharePoint',
      ClientIP: ip,
      UserAgent: EDGE,
      ObjectId: `https://contoso.sharepoint.com/sites/team${u % 50}/Shared Documents/doc${i % 997}.docx`,
      AppAccessContext: { AADSessionId: sid },
    };
  if (op < 0.84) return { ...base, RecordType: 6, Operation: 'FileModified', Workload: 'SharePoint', ClientIP: ip, UserAgent: EDGE };
  if (op < 0.87)
    return { ...base, RecordType: 132, Operation: 'SearchQueryInitiatedExchange', Workload: 'Exchange', ...exchange, QueryText: 'budget' };
  if (op < 0.95)
    return { ...base, RecordType: 2, Operation: random() < 0.5 ? 'SoftDelete' : 'MoveToDeletedItems', Workload: 'Exchange', ...exchange };
  if (op < 0.975) return { ...base, RecordType: 30, Operation: 'CreateFlow', Workload: 'MicrosoftFlow', ClientIP: ip };
  if (op < 0.99)
    return {
      ...base,
      RecordType: 8,
      Operation: 'Consent to application.',
      Workload: 'AzureActiveDirectory',
      ClientIP: ip,
      Target: [{ ID: 'Zoom', Type: 1 }],
    };
  if (op < 0.997)
    return {
      ...base,
      RecordType: 1,
      Operation: 'New-InboxRule',
      Workload: 'Exchange',
      ClientIP: ip,
      Parameters: [
        { Name: 'Name', Value: 'Newsletters' },
        { Name: 'From', Value: 'news@vendor.example' },
        { Name: 'MoveToFolder', Value: 'Newsletters' },
      ],
    };
  return {
    ...base,
    RecordType: 1,
    Operation: 'Set-Mailbox',
    Workload: 'Exchange',
    ClientIP: ip,
    Parameters: [
      { Name: 'Identity', Value: upn(u) },
      { Name: 'AuditEnabled', Value: 'True' },
    ],
  };
}

/**
 * What one attacker does in one victim's mailbox: the way in (a device code typed at the office, a stolen session,
 * or an attack tool), then hundreds of mail reads, searches, downloads, sent mail, a rule and a consent.
 */
function attack(v: number, victim: number, records: number, random: () => number): Rec[] {
  const kind = v % 3;
  const ip = `45.86.${200 + (v % 50)}.${10 + Math.floor(v / 50)}`;
  const start = BASE + 3 * DAY + Math.floor(random() * 2 * DAY);
  const t = (k: number) => iso(start + 60_000 + k * 20_000);
  const user = upn(victim);
  const own = session(victim, start);
  const s = kind === 1 ? own : `a77a${String(v).padStart(4, '0')}-0000-4000-8000-00000000a77a`;
  const ua =
    kind === 2
      ? 'python-requests/2.31.0'
      : kind === 1
        ? 'Client=OWA;Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'
        : 'Client=REST;Client=RESTSystem;;';
  const id = (k: number) => `attack-${v}-${k}`;
  const out: Rec[] = [];
  if (kind === 0)
    out.push({
      Id: id(0),
      CreationTime: iso(start),
      RecordType: 15,
      Operation: 'UserLoggedIn',
      Workload: 'AzureActiveDirectory',
      UserId: user,
      ClientIP: office(victim),
      ResultStatus: 'Success',
      ExtendedProperties: [
        { Name: 'UserAgent', Value: EDGE },
        { Name: 'RequestType', Value: 'Cmsi:Cmsi' },
      ],
      DeviceProperties: device(victim),
    });
  // The victim at work in the same session, so that a stolen session has the victim's own address in it.
  if (kind === 1)
    out.push({
      Id: `own-${v}`,
      CreationTime: iso(start - 600_000),
      RecordType: 50,
      Operation: 'MailItemsAccessed',
      Workload: 'Exchange',
      UserId: user,
      ClientIPAddress: office(victim),
      ClientInfoString: `Client=OWA;${EDGE}`,
      AppAccessContext: { AADSessionId: own },
      OperationProperties: [{ Name: 'MailAccessType', Value: 'Bind' }],
    });
  out.push({
    Id: id(1),
    CreationTime: t(0),
    RecordType: 15,
    Operation: 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    UserId: user,
    ClientIP: ip,
    ResultStatus: 'Success',
    ExtendedProperties: [{ Name: 'UserAgent', Value: ua.replace(/^Client=[^;]*;/, '') || 'Mozilla/5.0' }],
  });
  for (let k = 2; out.length < records; k++) {
    const exchange = { ClientIPAddress: ip, ClientInfoString: ua, AppAccessContext: { AADSessionId: s } };
    const r = k % 50;
    const base = { Id: id(k), CreationTime: t(k), UserId: user, ResultStatus: 'Succeeded' };
    if (r === 2)
      out.push({
        ...base,
        RecordType: 1,
        Operation: 'New-InboxRule',
        Workload: 'Exchange',
        ClientIP: ip,
        Parameters: [
          { Name: 'Name', Value: '.' },
          { Name: 'MoveToFolder', Value: 'RSS Feeds' },
          { Name: 'MarkAsRead', Value: 'True' },
        ],
      });
    else if (r === 3)
      out.push({ ...base, RecordType: 8, Operation: 'Consent to application.', Workload: 'AzureActiveDirectory', ClientIP: ip });
    else if (r < 6)
      out.push({
        ...base,
        RecordType: 132,
        Operation: 'SearchQueryInitiatedExchange',
        Workload: 'Exchange',
        ...exchange,
        QueryText: ['password', 'invoice', 'bank', 'vpn'][k % 4],
      });
    else if (r < 10)
      out.push({
        ...base,
        RecordType: 6,
        Operation: 'FileDownloaded',
        Workload: 'SharePoint',
        ClientIP: ip,
        UserAgent: ua,
        ObjectId: `https://contoso.sharepoint.com/sites/finance/Shared Documents/f${v}-${k}.xlsx`,
        AppAccessContext: { AADSessionId: s },
      });
    else if (r === 10)
      out.push({
        ...base,
        RecordType: 2,
        Operation: 'Send',
        Workload: 'Exchange',
        ...exchange,
        Item: { InternetMessageId: `<att-${v}-${k}@${DOMAIN}>`, Subject: 'RE: updated bank details' },
      });
    else
      out.push({
        ...base,
        RecordType: 50,
        Operation: 'MailItemsAccessed',
        Workload: 'Exchange',
        ...exchange,
        OperationProperties: [{ Name: 'MailAccessType', Value: 'Bind' }],
        Folders: [
          {
            Path: '\\Inbox',
            FolderItems: [{ InternetMessageId: `<v${v}-${k}a@${DOMAIN}>` }, { InternetMessageId: `<v${v}-${k}b@${DOMAIN}>` }],
          },
        ],
      });
  }
  return out;
}

interface Plant {
  attackIds: Set<string>;
}

async function generate(n: number, attacked: boolean): Promise<{ csv: string; json: string; plant: Plant }> {
  mkdirSync(OUT, { recursive: true });
  const name = `${attacked ? 'busy' : 'quiet'}-${n}`;
  const csv = join(OUT, `ual-${name}.csv`);
  const json = join(OUT, `ual-${name}.json`);
  const c = createWriteStream(csv);
  const j = createWriteStream(json);
  const write = async (s: ReturnType<typeof createWriteStream>, text: string) => {
    if (!s.write(text)) await new Promise<void>((r) => s.once('drain', () => r()));
  };
  await write(c, 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\n');
  await write(j, '[\n');
  const random = rng(42);
  // About 2.5% of the records are the attackers': 500 records per victim, one victim per 20,000 records.
  const victims = attacked ? Math.max(3, Math.round(n / 20_000)) : 0;
  const hidden: Rec[] = [];
  for (let v = 0; v < victims; v++) hidden.push(...attack(v, (v * 97 + 13) % USERS, 500, random));
  const plant: Plant = { attackIds: new Set(hidden.filter((r) => r.Id.startsWith('attack-')).map((r) => r.Id)) };
  const every = hidden.length ? n / hidden.length : Infinity;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const rec = h < hidden.length && i >= Math.floor(h * every) ? hidden[h++] : ordinary(i, random);
    const audit = JSON.stringify(rec);
    await write(c, `${rec.Id},${rec.CreationTime}Z,${rec.RecordType},${rec.Operation},${rec.UserId},"${audit.replace(/"/g, '""')}",,\n`);
    await write(j, (i ? ',\n' : '') + audit);
  }
  await write(j, '\n]\n');
  await Promise.all([new Promise<void>((r) => c.end(() => r())), new Promise<void>((r) => j.end(() => r()))]);
  return { csv, json, plant };
}

interface ChildResult {
  code: number;
  ms: number;
  /** CPU time of the analysing process (user + system): what the wall time would be on an idle core. */
  cpuMs: number;
  maxRssMb: number;
  records: number;
  findings: string[];
  context: number;
  activity: { mailRead: number; searches: number; files: number; mailSent: number };
}

function runChild(file: string, script = join(__dirname, 'ual-child.js')): ChildResult {
  const r = spawnSync(process.execPath, [script, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim()) as ChildResult;
}

async function main(): Promise<void> {
  const rows: (string | number)[][] = [
    [
      'records',
      'data',
      'format',
      'file MB',
      'wall s',
      'CPU s',
      'records/s (wall)',
      'peak RSS MB',
      'findings',
      'attack found',
      'ordinary in findings',
      'context',
    ],
  ];
  const notes: string[] = [];
  const load: number[] = [];
  const keep = !!process.env.BENCH_KEEP;
  for (const [n, attacked] of [...(QUIET ? [[QUIET, false] as const] : []), ...SIZES.map((s) => [s, true] as const)]) {
    const { csv, json, plant } = await generate(n, attacked);
    const sets: string[] = [];
    for (const [format, file] of [
      ['csv', csv],
      ['json', json],
    ] as const) {
      load.push(loadavg()[0]);
      const o = runChild(file);
      const ids = o.findings.map((f) => f.slice(f.indexOf(':') + 1));
      const found = ids.filter((id) => plant.attackIds.has(id)).length;
      const ordinaryFlagged = ids.filter((id) => id.startsWith('r-')).length;
      rows.push([
        n,
        attacked ? 'busy, attacked' : 'busy, quiet',
        format,
        (statSync(file).size / 2 ** 20).toFixed(0),
        (o.ms / 1000).toFixed(1),
        (o.cpuMs / 1000).toFixed(1),
        Math.round(n / (o.ms / 1000)),
        o.maxRssMb.toFixed(0),
        o.findings.length,
        attacked ? `${found}/${plant.attackIds.size}` : '-',
        ordinaryFlagged,
        o.context,
      ]);
      sets.push(JSON.stringify(o.findings));
      // BENCH_BASELINE: another build's child script (same output shape) on the largest files, for a ratio.
      if (process.env.BENCH_BASELINE && attacked && n === Math.max(...SIZES)) {
        load.push(loadavg()[0]);
        const b = runChild(file, process.env.BENCH_BASELINE);
        const bIds = b.findings.map((f) => f.slice(f.indexOf(':') + 1));
        rows.push([
          n,
          `attacked, ${process.env.BENCH_BASELINE_NAME ?? 'baseline'}`,
          format,
          '',
          (b.ms / 1000).toFixed(1),
          (b.cpuMs / 1000).toFixed(1),
          Math.round(n / (b.ms / 1000)),
          b.maxRssMb.toFixed(0),
          b.findings.length,
          `${bIds.filter((id) => plant.attackIds.has(id)).length}/${plant.attackIds.size}`,
          bIds.filter((id) => id.startsWith('r-')).length,
          '-',
        ]);
      }
      if (format === 'csv' && attacked)
        notes.push(
          `${n} records: the attackers read ${o.activity.mailRead} messages, ran ${o.activity.searches} distinct searches, opened ${o.activity.files} files, sent ${o.activity.mailSent} mails (attackerActivity).`,
        );
      if (!keep) unlinkSync(file);
    }
    notes.push(`${n} records (${attacked ? 'attacked' : 'quiet'}): CSV and JSON findings ${sets[0] === sets[1] ? 'identical' : 'DIFFER'}.`);
    if (sets[0] !== sets[1]) process.exitCode = 1;
  }
  record(`bench:ual (busy tenant: ${QUIET ? `${QUIET} quiet, ` : ''}${SIZES.join(' and ')} with attacks)`, rows, [
    "Targets: 1M records under 30 s and 400 MB peak RSS, on findings-heavy data (about 2.5% of records are attackers' reading, searching, downloading and sending).",
    `Machine load while measuring (1-minute load average, 2 cores): ${Math.min(...load).toFixed(1)} to ${Math.max(...load).toFixed(1)}; the machine is shared, so read the ratios rather than the seconds.`,
    ...notes,
    'Two streaming passes per file (learn, then judge); the second parses only the rows of users, addresses and operations that can matter. Memory holds per-user, per-address and per-session state, the findings and what the attacker touched, not the records.',
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
