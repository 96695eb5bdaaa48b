#!/usr/bin/env node
// Stages what the Function App runs in dist/functionapp: host.json, the compiled functions/ bot/ cards/ src/ (from
// `npm run build`), a package.json whose `main` is the functions glob, and production node_modules only. azd deploys
// that folder (azure.yaml's prepackage hook runs this); `--zip` also writes dist/functionapp.zip for
// `az functionapp deployment source config-zip` (docs/deploy.md, m365agents.yml). Tests use `--no-install` (no npm ci)
// and `--root <dir>` (another checkout).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const argv = process.argv.slice(2);
const args = new Set(argv);
const root = argv.includes('--root') ? path.resolve(argv[argv.indexOf('--root') + 1]) : path.join(__dirname, '..');
const out = path.join(root, 'dist', 'functionapp');
/** Compiled folders the Functions host needs; sandbox/ (the local tenant) and tests stay out. */
const RUNTIME_DIRS = ['functions', 'bot', 'cards', 'src'];

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const missing = RUNTIME_DIRS.filter((d) => !fs.existsSync(path.join(root, 'dist', d)));
if (missing.length) {
  console.error(`package-functions: dist/${missing.join(', dist/')} missing; run \`npm run build\` first (npm run package:functions does).`);
  process.exit(2);
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'dist'), { recursive: true });
for (const dir of RUNTIME_DIRS) fs.cpSync(path.join(root, 'dist', dir), path.join(out, 'dist', dir), { recursive: true });
fs.copyFileSync(path.join(root, 'host.json'), path.join(out, 'host.json'));
fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(out, 'package-lock.json'));
// devDependencies stay listed so that `npm ci` accepts the lock file; --omit=dev leaves them out of node_modules.
const staged = { name: pkg.name, version: pkg.version, private: true, description: pkg.description, license: pkg.license, main: pkg.main, engines: pkg.engines, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies };
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

if (!args.has('--no-install')) {
  const npm = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit', shell: process.platform === 'win32' });
  if (npm.status !== 0) {
    console.error('package-functions: npm ci --omit=dev failed in dist/functionapp');
    process.exit(npm.status || 1);
  }
}

if (args.has('--zip')) {
  const { zipSync } = require('fflate');
  const files = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files[path.relative(out, full).split(path.sep).join('/')] = fs.readFileSync(full);
    }
  };
  walk(out);
  fs.writeFileSync(path.join(root, 'dist', 'functionapp.zip'), zipSync(files, { level: 6 }));
  console.log(`Function App package: dist/functionapp.zip (${Object.keys(files).length} files)`);
} else {
  console.log('Function App staged in dist/functionapp');
}
