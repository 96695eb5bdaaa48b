import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/investigate/analyze';
import { readRecords } from '../../src/investigate/reader';

/**
 * The held-out cases (test/fixtures/logs/cases/held-out.ts), written before the detections were tuned and first run
 * at the end. That first run found 15 of 24 attacker records with 5 false findings; two gaps were closed after it (a
 * device registered right after a device code sign-in, a phone browser's session crossing networks), so these cases
 * are no longer unseen. They stay as regression tests, with the one miss still open written down here.
 */
const ROOT = join(__dirname, '..', 'fixtures', 'logs', 'held-out');
const KNOWN_MISSES: Record<string, string[]> = {
  // The lure came from a partner's own (compromised) mailbox, linking to the tenant's name under a hosting domain:
  // no look-alike sender, no device code link, no verdict. Not found.
  'ho-dc-home': ['e7a1-hodchome-4000-8000-00000000011c'],
};

describe.each(readdirSync(ROOT))('%s', (name) => {
  test('attacker records found (but the known misses), no benign record among the findings, no own address an indicator', async () => {
    const dir = join(ROOT, name);
    const files = readdirSync(dir)
      .filter((f) => f !== 'expected.json')
      .map((f) => join(dir, f));
    const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      attack: string[];
      benign: string[];
      neverIoc: string[];
      attackerIps: string[];
    };
    const r = await analyze(files.map((f) => () => readRecords(f)));
    const found = new Set(r.findings.map((f) => f.id));
    expect(e.attack.filter((id) => !found.has(id))).toEqual(KNOWN_MISSES[name] ?? []);
    expect(r.findings.filter((f) => !e.attack.includes(f.id)).map((f) => `${f.category} ${f.id}`)).toEqual([]);
    expect(r.iocs.ips.filter((ip) => e.neverIoc.includes(ip))).toEqual([]);
    expect(r.iocs.ips.sort()).toEqual([...e.attackerIps].sort());
  });
});
