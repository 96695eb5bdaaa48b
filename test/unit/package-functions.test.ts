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
    for (const f of ['package.json', 'host.json']) writeFileSync(join(dir, f), readFileSync(join(root, f)));
    // A bundle as scripts/bundle-functions.js leaves it, and the tsc output the package must not take.
    mkdirSync(join(dir, 'dist', 'bundle', 'functions', 'chunks'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'bundle', 'functions', 'worker.mjs'), 'import "./chunks/c.mjs";\n');
    writeFileSync(join(dir, 'dist', 'bundle', 'functions', 'chunks', 'c.mjs'), '// chunk\n');
    writeFileSync(join(dir, 'dist', 'bundle', 'functions', 'THIRD-PARTY-NOTICES.txt'), 'licences\n');
    writeFileSync(join(dir, 'dist', 'bundle', 'meta.json'), '{}');
    for (const d of ['functions', 'sandbox']) {
      mkdirSync(join(dir, 'dist', d), { recursive: true });
      writeFileSync(join(dir, 'dist', d, 'x.js'), `// ${d}\n`);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('stages host.json, the bundle (triggers, chunks, licences) and a package.json whose main finds the triggers: no node_modules, no dependencies', () => {
    const r = spawnSync(process.execPath, [script, '--root', dir, '--no-bundle', '--zip'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = join(dir, 'dist', 'functionapp');
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as {
      main: string;
      scripts?: unknown;
      dependencies?: unknown;
      engines: unknown;
    };
    expect(pkg.main).toBe('dist/functions/*.mjs');
    expect(pkg.dependencies).toBeUndefined(); // the bundle needs nothing from node_modules
    expect(pkg.scripts).toBeUndefined(); // nothing runs on the host at deploy time
    expect(pkg.engines).toEqual(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines);
    expect(existsSync(join(out, 'node_modules'))).toBe(false);
    const zip = unzipSync(readFileSync(join(dir, 'dist', 'functionapp.zip')));
    expect(Object.keys(zip).sort()).toEqual([
      'dist/functions/THIRD-PARTY-NOTICES.txt',
      'dist/functions/chunks/c.mjs',
      'dist/functions/worker.mjs',
      'host.json',
      'package.json',
    ]);
    expect(JSON.parse(Buffer.from(zip['host.json']).toString())).toEqual(JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')));
  });

  test('the staged main matches every trigger file and none of the chunks (the host would register a chunk as an app file)', () => {
    const glob = (main: string) => new RegExp(`^${main.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    spawnSync(process.execPath, [script, '--root', dir, '--no-bundle'], { encoding: 'utf8' });
    const main = glob((JSON.parse(readFileSync(join(dir, 'dist', 'functionapp', 'package.json'), 'utf8')) as { main: string }).main);
    expect('dist/functions/worker.mjs').toMatch(main);
    expect('dist/functions/chunks/c.mjs').not.toMatch(main);
  });

  test('refuses to stage without a bundle, saying how to make one', () => {
    rmSync(join(dir, 'dist', 'bundle'), { recursive: true });
    const r = spawnSync(process.execPath, [script, '--root', dir, '--no-bundle'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bundle-functions');
  });

  test('npm run package:functions bundles, then stages and zips', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['package:functions']).toBe('node scripts/package-functions.js --zip');
    expect(readFileSync(script, 'utf8')).toContain("require('./bundle-functions').bundleFunctions");
  });
});
