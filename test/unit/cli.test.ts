import { join } from 'node:path';
import { main } from '../../src/cli/main';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('contain CLI', () => {
  test('--help lists every command', async () => {
    const r = await capture(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['find', 'config', 'doctor', 'report', 'investigate', 'hunt user-agents', 'analyze'])
      expect(r.out).toContain(`contain ${c}`);
  });

  test('analyze is wired to the analyzer; an unknown command exits 2 with the help', async () => {
    const ok = await capture(['analyze', join(__dirname, '..', 'fixtures', 'logs', 'ual-purview.csv'), '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).records).toBe(10);
    const bad = await capture(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "frobnicate"');
  });

  test('bad usage of investigate and hunt exits 2 without touching a tenant', async () => {
    expect((await capture(['investigate'])).code).toBe(2);
    expect((await capture(['hunt', 'user-agents', '--days', '900'])).code).toBe(2);
    expect((await capture(['doctor', '--format', 'yaml'])).code).toBe(2);
  });

  test('investigate, hunt and report read the chat grammar: the same durations, options and answers as in a channel', async () => {
    const bad = await capture(['investigate', 'alice', '--since', '48x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since needs a duration such as 7d or 48h');
    expect((await capture(['investigate', 'alice', '--since', '91d'])).err).toContain('--since must be between 1 and 90 days');
    expect((await capture(['investigate', '<@U0ALICE>'])).err).toContain('Mentions only work in chat');
    expect((await capture(['hunt', 'user-agents', '--since', '7d'])).err).toContain('Unknown option --since for "hunt"');
    const report = await capture(['report', 'alice']);
    expect(report.code).toBe(2);
    expect(report.err).toContain('Usage: contain report INC-YYYYMMDD-NNNN');
  });
});
