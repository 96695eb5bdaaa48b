import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../src/investigate/analyze';
import { bareIp, toUtc, type LogRecord } from '../../src/investigate/record';
import { readRecords } from '../../src/investigate/reader';
import { runAnalyze } from '../../src/cli/analyze';

const dir = join(__dirname, '..', 'fixtures', 'logs');
const f = (name: string) => join(dir, name);
const ATT4 = '152.42.161.220';
const ATT6 = '240b:10:32c1:ab00:857:889:3734:e93';

async function all(file: string, tz = 0): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readRecords(file, { tzOffsetMinutes: tz })) out.push(r);
  return out;
}

describe('normalising', () => {
  test.each([
    ['152.42.161.220:51234', '152.42.161.220'],
    [`[${ATT6}]:443`, ATT6],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:DB8::1', '2001:db8::1'],
    ['', null],
  ])('bare IP of %s', (input, want) => expect(bareIp(input)).toBe(want));

  test('times: ISO without offset is UTC; US export dates are local to the exporter', () => {
    expect(toUtc('2026-11-23T17:52:10')).toBe('2026-11-23T17:52:10.000Z');
    expect(toUtc('2026-11-23T17:52:10.0000000Z')).toBe('2026-11-23T17:52:10.000Z');
    expect(toUtc('11/24/2026 2:52:10 AM', 9 * 60)).toBe('2026-11-23T17:52:10.000Z');
    expect(toUtc('11/23/2026 12:05:00 PM', 0)).toBe('2026-11-23T12:05:00.000Z');
    expect(toUtc('11/23/2026 12:05:00 AM', 0)).toBe('2026-11-23T00:05:00.000Z');
  });

  test('bareIp never throws and never keeps a port on IPv4', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        expect(bareIp(`${ip}:${port}`)).toBe(ip);
        expect(bareIp(`[${ip}]:${port}`)).toBe(ip);
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => void bareIp(s)));
  });
});

describe('every export format reads to the same records', () => {
  test.each(['ual-classic.csv', 'ual-purview.csv', 'management-activity.json', 'audit-query-records.json'])('%s', async (name) => {
    const records = await all(f(name));
    expect(records).toHaveLength(10);
    const rule = records.find((r) => r.id === 'a1f0c0de-0001-4000-8000-000000000001')!;
    expect(rule).toMatchObject({
      source: 'ual',
      time: '2026-11-23T17:52:10.000Z',
      user: 'alice.aoki@contoso.example',
      ip: ATT4,
      operation: 'New-InboxRule',
    });
    expect(rule.details).toMatchObject({ Name: '.', MoveToFolder: 'Deleted Items', MarkAsRead: true });
    expect(records.find((r) => r.id.endsWith('0003'))!.ip).toBe(ATT6); // bracketed IPv6 with a port
  });

  test('Graph sign-ins as a page with value, and as a bare array', async () => {
    const page = await all(f('signins-page1.json'));
    const rest = await all(f('signins-page2.json'));
    expect(page).toHaveLength(5);
    expect(rest).toHaveLength(3);
    expect(page[1]).toMatchObject({
      source: 'signin',
      ip: ATT4,
      app: 'OfficeHome',
      deviceId: '',
      sessionId: '5e551000-0000-4000-8000-00000000a1ce',
      country: 'SG',
    });
  });

  test('directory audits and advanced-hunting EmailEvents', async () => {
    expect((await all(f('directory-audits.json')))[0]).toMatchObject({
      source: 'directoryAudit',
      operation: 'User registered security info',
      ip: ATT4,
    });
    const mails = await all(f('hunting-emailevents.json'));
    expect(mails.map((m) => m.user)).toEqual(['alice.aoki@contoso.example', 'bob.brown@contoso.example', 'carol.chen@contoso.example']);
    expect(mails[0]).toMatchObject({ source: 'emailEvent', id: 'n0-0000-4000-8000-000000000000' });
  });

  test('a CSV whose AuditData lacks CreationTime uses the local-time CreationDate with --tz', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'contain-'));
    const file = join(tmp, 'local.csv');
    writeFileSync(
      file,
      '\uFEFFCreationDate,UserIds,Operations,AuditData\r\n"11/24/2026 2:52:10 AM",a@x.example,Send,"{""Id"":""r1"",""Operation"":""Send"",""UserId"":""a@x.example"",""ClientIP"":""1.2.3.4:80""}"\r\n',
    );
    expect((await all(file, 9 * 60))[0]).toMatchObject({ time: '2026-11-23T17:52:10.000Z', ip: '1.2.3.4' });
  });
});

describe('detections', () => {
  const files = ['ual-classic.csv', 'signins-page1.json', 'signins-page2.json', 'directory-audits.json', 'hunting-emailevents.json'].map(f);
  let result: Awaited<ReturnType<typeof analyze>>;
  beforeAll(async () => {
    result = await analyze(files.map((file) => () => readRecords(file)));
  });
  const cat = (id: string) => result.findings.find((x) => x.id === id)?.category;

  test('the attack is found, each finding with a reason', () => {
    expect(result.records).toBe(25);
    expect(cat('a1f0c0de-0001-4000-8000-000000000001')).toBe('inbox-rule');
    expect(cat('5191a000-0000-4000-8000-000000000002')).toBe('aitm-session');
    expect(cat('5191a000-0000-4000-8000-000000000003')).toBe('aitm-session');
    expect(cat('a1f0c0de-0001-4000-8000-000000000002')).toBe('collection'); // pivot: mail read in the stolen session, from the rule's IP
    expect(cat('a1f0c0de-0001-4000-8000-000000000003')).toBe('collection'); // pivot: stolen session
    expect(cat('a1f0c0de-0001-4000-8000-00000000000a')).toBe('mail-sent'); // Send from the attacker's address
    expect(cat('a1f0c0de-0001-4000-8000-000000000009')).toBe('flow-created');
    expect(cat('Directory_att_01')).toBe('mfa-registration');
    expect(cat('Directory_att_05')).toBe('device-registration');
    expect(result.findings.find((x) => x.id === 'Directory_att_05')).toMatchObject({
      verdict: 'malicious',
      reason: 'device "DESKTOP-7Q2V9KD" registered for alice.aoki@contoso.example from 152.42.161.220',
    });
    for (const x of result.findings) expect(x.reason.length).toBeGreaterThan(15);
    expect(result.iocs.ips).toEqual(expect.arrayContaining([ATT4, ATT6]));
    expect(result.iocs.sessionIds).toEqual(['5e551000-0000-4000-8000-00000000a1ce']);
  });

  test('a session used from several networks says which (beta sign-ins carry the ASN; 0 means unknown)', () => {
    const f = result.findings.find((x) => x.id === '5191a000-0000-4000-8000-000000000002')!;
    expect(f.reason).toContain('in 3 networks (AS14061, AS17676, AS64500)');
    expect(f.reason).toContain('(152.42.161.220, AS14061)');
    expect(result.findings.find((x) => x.id === '5191a000-0000-4000-8000-000000000006')?.reason ?? '').not.toMatch(/AS0\b/);
  });

  test('benign activity of the same users is not flagged', () => {
    for (const id of [
      'Directory_leg_02',
      'a1f0c0de-0001-4000-8000-000000000004',
      'a1f0c0de-0001-4000-8000-000000000005',
      'a1f0c0de-0001-4000-8000-000000000006',
      '5191a000-0000-4000-8000-000000000001',
      '5191a000-0000-4000-8000-000000000004',
      '5191a000-0000-4000-8000-000000000005',
      '5191a000-0000-4000-8000-000000000008',
    ])
      expect(cat(id)).toBeUndefined();
    expect(result.iocs.ips).not.toContain('203.0.113.10');
    expect(result.iocs.ips).not.toContain('198.51.100.21');
  });

  test('a consent initiated from a Microsoft service address, by a user nobody compromised, is context, not a finding', () => {
    expect(cat('a1f0c0de-0001-4000-8000-000000000008')).toBeUndefined();
    const ms = result.context.find((x) => x.id === 'a1f0c0de-0001-4000-8000-000000000008')!;
    expect(ms).toMatchObject({ verdict: 'info', category: 'consent', user: 'bob.brown@contoso.example' });
    expect(ms.reason).toMatch(/Microsoft service address/);
    expect(result.iocs.ips).not.toContain('20.190.130.5');
  });

  test('the phishing mail before the compromise and its other copies are findings, by NetworkMessageId', () => {
    const mail = result.findings.filter((x) => x.source === 'emailEvent');
    expect(mail.map((x) => [x.id, x.user, x.verdict])).toEqual([
      ['n0-0000-4000-8000-000000000000', 'alice.aoki@contoso.example', 'malicious'],
      ['n1-0000-4000-8000-000000000000', 'bob.brown@contoso.example', 'suspicious'],
      ['n2-0000-4000-8000-000000000000', 'carol.chen@contoso.example', 'suspicious'],
    ]);
    expect(mail[0].reason).toMatch(/look-alike sender: sharepoint-files\.example carries a brand name/);
  });

  test('harmful user agents, successes and failures counted apart', () => {
    expect(result.userAgentCounts.sort((a, b) => a.userAgent.localeCompare(b.userAgent))).toEqual([
      { userAgent: 'axios', success: 1, failure: 0 },
      { userAgent: 'python-requests', success: 0, failure: 1 },
    ]);
  });

  test('--user narrows to one person', async () => {
    const bob = await analyze(
      files.map((file) => () => readRecords(file)),
      { user: 'bob.brown@contoso.example' },
    );
    expect(new Set(bob.findings.map((x) => x.user))).toEqual(new Set(['bob.brown@contoso.example']));
  });
});

describe('contain analyze (CLI contract)', () => {
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runAnalyze(
      args,
      (s) => (out += s),
      (s) => (err += s),
    );
    return { code, out, err };
  };

  test('--format json prints one object with records, findings and iocs', async () => {
    const r = await run([f('management-activity.json'), f('signins-page1.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(Object.keys(o)).toEqual(['records', 'findings', 'iocs', 'context', 'attackerActivity']);
    expect(o.records).toBe(15);
    expect(Object.keys(o.findings[0]).sort()).toEqual(['category', 'id', 'ip', 'reason', 'source', 'time', 'user', 'verdict']);
    expect(Object.keys(o.iocs).sort()).toEqual(['ips', 'sessionIds', 'userAgents']);
    expect(Object.keys(o.attackerActivity).sort()).toEqual(['byActor', 'files', 'foldersSynced', 'mailRead', 'mailSent', 'searches']);
    for (const c of o.context) expect(c.verdict).toBe('info');
  });

  test('an unreadable file exits 2 naming it and why; the other files are still analysed', async () => {
    const r = await run([f('broken.json'), f('not-a-log.txt'), f('nope.csv'), f('ual-purview.csv'), '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.json: invalid JSON/);
    expect(r.err).toMatch(/not-a-log\.txt: not a format/);
    expect(r.err).toMatch(/nope\.csv: no such file/);
    expect(JSON.parse(r.out).records).toBe(10);
  });

  test('bad options get the usage', async () => {
    await expect(run(['--format', 'xml', f('ual-purview.csv')])).rejects.toThrow(/json, table or markdown/);
    await expect(run([])).rejects.toThrow(/Usage: contain analyze/);
  });
});

describe('volume thresholds', () => {
  const rec = (i: number, op: string, user = 'carol.chen@contoso.example'): LogRecord => ({
    id: `v${op}${i}`,
    source: 'ual',
    time: `2026-11-23T${String(8 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000Z`,
    user,
    ip: '198.51.100.25',
    operation: op,
    details: {},
  });
  const run = (records: LogRecord[]) =>
    analyze([
      async function* () {
        yield* records;
      },
    ]);

  test('50 deletions in a day are one context entry (a clear-out is normal); 49 are none', async () => {
    const fifty = await run(Array.from({ length: 50 }, (_, i) => rec(i, i % 2 ? 'SoftDelete' : 'MoveToDeletedItems')));
    expect(fifty.findings).toEqual([]);
    expect(fifty.context.map((c) => c.category)).toEqual(['mass-delete']);
    expect(fifty.context[0].reason).toMatch(/50 deletions by carol.chen@contoso.example on 2026-11-23/);
    const fortyNine = await run(Array.from({ length: 49 }, (_, i) => rec(i, 'HardDelete')));
    expect([...fortyNine.findings, ...fortyNine.context]).toHaveLength(0);
  });

  test('10 SendAs in a day are noted', async () => {
    const r = await run(Array.from({ length: 10 }, (_, i) => rec(i, 'SendAs')));
    expect(r.context.map((f) => f.category)).toEqual(['sendas-burst']);
  });

  test("a burst during the attacker's window on the mailbox, from an address that is not the user's, is a finding", async () => {
    const attack: LogRecord = {
      id: 'tool',
      source: 'signin',
      time: '2026-11-23T07:50:00.000Z',
      user: 'carol.chen@contoso.example',
      ip: '45.155.205.99',
      operation: 'SignIn',
      userAgent: 'python-requests/2.31',
      success: true,
      logon: true,
      details: {},
    };
    const r = await run([attack, ...Array.from({ length: 50 }, (_, i) => ({ ...rec(i, 'HardDelete'), ip: '198.51.100.99' }))]);
    expect(r.findings.map((f) => f.category)).toEqual(['harmful-user-agent', 'mass-delete']);
  });
});
