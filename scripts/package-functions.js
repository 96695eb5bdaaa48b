#!/usr/bin/env node
// Stages what the Function App runs in dist/functionapp: host.json, the esbuild bundle of every trigger
// (scripts/bundle-functions.js: dist/functions/*.mjs and their chunks, with the licences of the bundled packages) and a
// package.json whose `main` finds the triggers. Nothing else: no node_modules (the bundle needs none), no npm install on
// the host, nothing written at run time, so it runs from a read-only package (WEBSITE_RUN_FROM_PACKAGE, and Flex
// Consumption always does). azd deploys that folder (azure.yaml's prepackage hook runs this); `--zip` also writes
// dist/functionapp.zip for `az functionapp deployment source config-zip` (docs/deploy.md, m365agents.yml). Tests use
// `--root <dir>` (another checkout) and `--no-bundle` (stage an existing dist/bundle).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Where the Functions host finds the triggers in the staged package; chunks/ is below it and never matched. */
const STAGED_MAIN = 'dist/functions/*.mjs';

async function main() {
  const argv = process.argv.slice(2);
  const args = new Set(argv);
  const root = argv.includes('--root') ? path.resolve(argv[argv.indexOf('--root') + 1]) : path.join(__dirname, '..');
  const out = path.join(root, 'dist', 'functionapp');
  const bundle = path.join(root, 'dist', 'bundle');

  if (!args.has('--no-bundle')) await require('./bundle-functions').bundleFunctions({ root, outDir: bundle });
  if (!fs.existsSync(path.join(bundle, 'functions'))) {
    console.error(
      'package-functions: dist/bundle/functions missing; run `node scripts/bundle-functions.js` first (npm run package:functions does).',
    );
    process.exit(2);
  }

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'dist'), { recursive: true });
  fs.cpSync(path.join(bundle, 'functions'), path.join(out, 'dist', 'functions'), { recursive: true });
  fs.copyFileSync(path.join(root, 'host.json'), path.join(out, 'host.json'));
  // No dependencies and no scripts: the host installs and runs nothing at deploy time.
  const staged = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    license: pkg.license,
    main: STAGED_MAIN,
    engines: pkg.engines,
  };
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

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
}

main().catch((err) => {
  console.error(`package-functions: ${err.message}`);
  process.exit(1);
});
