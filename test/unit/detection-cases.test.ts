import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalysisResult } from '../../src/investigate/analyze';
import { readRecords } from '../../src/investigate/reader';

/**
 * The written cases (test/fixtures/logs/cases/build.ts): every record a responder would mark is a finding, every
 * benign look-alike stays out of the findings, the victims' own addresses are never indicators, and what the attacker
 * touched is listed. The answer keys sit next to the logs (expected.json).
 */
const ROOT = join(__dirname, '..', 'fixtures', 'logs', 'cases');
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

interface Expected {
  attack: string[];
  benign: string[];
  neverIoc: string[];
  attackerIps: string[];
  activity: { mailRead: string[]; searches: string[]; files: string[]; mailSent: string[] };
}

async function run(name: string): Promise<{ r: AnalysisResult; e: Expected }> {
  const dir = join(ROOT, name);
  const files = readdirSync(dir)
    .filter((f) => f !== 'expected.json')
    .map((f) => join(dir, f));
  const r = await analyze(files.map((f) => () => readRecords(f)));
  return { r, e: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected };
}

test('there are device code, AiTM/BEC and ordinary cases', () => {
  expect(cases).toEqual(expect.arrayContaining(['dc-graph', 'dc-broker', 'dc-ual', 'aitm-bec', 'ordinary']));
});

describe.each(cases)('%s', (name) => {
  let r: AnalysisResult;
  let e: Expected;
  beforeAll(async () => {
    ({ r, e } = await run(name));
  });

  test('every attacker record is a finding, with a reason', () => {
    const found = new Set(r.findings.map((f) => f.id));
    expect(e.attack.filter((id) => !found.has(id))).toEqual([]);
    for (const f of r.findings) expect(f.reason.length).toBeGreaterThan(20);
  });

  test('no benign look-alike is a finding, and nothing outside the answer key is', () => {
    expect(r.findings.filter((f) => e.benign.includes(f.id)).map((f) => `${f.category} ${f.id}: ${f.reason}`)).toEqual([]);
    expect(r.findings.filter((f) => !e.attack.includes(f.id)).map((f) => `${f.category} ${f.id}: ${f.reason}`)).toEqual([]);
  });

  test("the victims' own addresses are never indicators; the attacker's are", () => {
    expect(r.iocs.ips.filter((ip) => e.neverIoc.includes(ip))).toEqual([]);
    expect(r.iocs.ips).toEqual(expect.arrayContaining(e.attackerIps));
  });

  test('what the attacker touched: mail read, searches, files, mail sent', () => {
    const a = r.attackerActivity;
    expect(a.mailRead).toEqual(expect.arrayContaining(e.activity.mailRead));
    expect(a.searches).toEqual(expect.arrayContaining(e.activity.searches));
    expect(a.files).toEqual(expect.arrayContaining(e.activity.files));
    expect(a.mailSent).toEqual(expect.arrayContaining(e.activity.mailSent));
    // Nothing the victims did themselves is listed as the attacker's.
    for (const x of a.byActor) expect(e.neverIoc).not.toContain(x.ip);
  });

  test('context entries are notable, never compromise', () => {
    for (const c of r.context) expect(c.verdict).toBe('info');
    expect(r.context.filter((c) => e.attack.includes(c.id))).toEqual([]);
  });
});

test('device code phishing: the grant is initial access, the office address that typed the code is not an indicator', async () => {
  const { r } = await run('dc-graph');
  const grant = r.findings.find((f) => f.category === 'device-code-phishing')!;
  expect(grant).toMatchObject({ verdict: 'malicious', user: 'mika.sato@tailspin.example', ip: '203.0.113.40' });
  expect(grant.reason).toMatch(
    /the code was entered from 203\.0\.113\.40 \(the user's own address.*the tokens were then used from 45\.86\.200\.15/,
  );
  expect(r.iocs.ips).toEqual(['45.86.200.15']);
  expect(r.findings.filter((f) => f.category === 'token-replay')).toHaveLength(3);
  // The admin's consent and the colleague's flow from the company network are context.
  expect(r.context.map((c) => c.category).sort()).toEqual(['consent', 'flow-created']);
});

test('a meeting room joined by device code at the office is context; the refused attempt before a compromise is a finding', async () => {
  const { r } = await run('dc-broker');
  expect(r.context.find((c) => c.category === 'device-code')?.reason).toMatch(/Microsoft Teams.*only from the user's own addresses/);
  expect(r.findings.find((f) => f.category === 'device-code-denied')).toMatchObject({
    user: 'jonas.weber@fabrikam.example',
    verdict: 'suspicious',
  });
  // The attacker's second address shares no session: the device registered from the first one gives it away.
  expect(r.findings.find((f) => f.ip === '185.225.73.12')?.reason).toMatch(/a device registered during the intrusion/);
});

test("BEC: payment mail and a look-alike recipient during the window are findings by NetworkMessageId; the victim's ordinary replies are not", async () => {
  const { r } = await run('dc-ual');
  const bec = r.findings.filter((f) => f.category === 'bec-mail');
  expect(bec.map((f) => f.reason)).toEqual([
    expect.stringMatching(/asks to change bank or payment details/),
    expect.stringMatching(/to a look-alike domain: acme-suppiies\.example imitates acme-supplies\.example/),
  ]);
  expect(bec.every((f) => /^e7a1-/.test(f.id))).toBe(true);
});

test('the ordinary week has no findings', async () => {
  const { r } = await run('ordinary');
  expect(r.findings).toEqual([]);
  expect(r.iocs).toEqual({ ips: [], userAgents: [], sessionIds: [] });
});
