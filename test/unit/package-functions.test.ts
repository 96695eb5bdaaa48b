import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'package-functions.js');

describe('scripts/package-functions.js (what azd and az deploy to the Function App)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contain-stage-'));
    for (const f of ['package.json', 'package-lock.json', 'host.json']) writeFileSync(join(dir, f), readFileSync(join(root, f)));
    for (const d of ['functions', 'bot', 'cards', 'src', 'sandbox']) {
      mkdirSync(join(dir, 'dist', d), { recursive: true });
      writeFileSync(join(dir, 'dist', d, 'x.js'), `// ${d}\n`);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('stages host.json, the compiled runtime folders (not the sandbox) and a package.json whose main finds the functions', () => {
    const r = spawnSync(process.execPath, [script, '--root', dir, '--no-install', '--zip'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = join(dir, 'dist', 'functionapp');
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { main: string; scripts?: unknown; dependencies: Record<string, string> };
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main).toBe(rootPkg.main);
    expect(pkg.dependencies).toEqual(rootPkg.dependencies);
    expect(pkg.scripts).toBeUndefined(); // nothing runs on the host at deploy time
    expect(existsSync(join(out, 'dist', 'sandbox'))).toBe(false);
    const zip = unzipSync(readFileSync(join(dir, 'dist', 'functionapp.zip')));
    expect(Object.keys(zip).sort()).toEqual(['dist/bot/x.js', 'dist/cards/x.js', 'dist/functions/x.js', 'dist/src/x.js', 'host.json', 'package-lock.json', 'package.json']);
    expect(JSON.parse(Buffer.from(zip['host.json']).toString())).toEqual(JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')));
  });

  test('refuses to stage before `npm run build`, saying so', () => {
    rmSync(join(dir, 'dist', 'functions'), { recursive: true });
    const r = spawnSync(process.execPath, [script, '--root', dir, '--no-install'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('npm run build');
  });
});
