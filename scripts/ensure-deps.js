#!/usr/bin/env node
// Dependency-free pre-script for `npm start` and `npm test`: a fresh clone has no node_modules, and a
// newcomer should not need a third command. Installs exactly what package-lock.json pins.
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');

function needsInstall() {
  if (!existsSync(marker)) return true;
  // npm rewrites node_modules/.package-lock.json on every install; an older one means the lockfile moved on.
  const lock = join(root, 'package-lock.json');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000 && lockChanged(lock);
}

function lockChanged(lock) {
  try {
    const want = JSON.parse(readFileSync(lock, 'utf8')).packages || {};
    const have = JSON.parse(readFileSync(marker, 'utf8')).packages || {};
    return Object.keys(want).some((k) => k !== '' && (!have[k] || have[k].version !== want[k].version) && !want[k].optional);
  } catch {
    return true;
  }
}

if (needsInstall()) {
  const useCi = existsSync(join(root, 'package-lock.json'));
  const args = useCi ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  process.stderr.write(`contain: node_modules missing or stale, running npm ${args[0]} (one time)...\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`contain: npm ${args[0]} failed (exit ${r.status}). Check your network access to the npm registry.\n`);
    process.exit(r.status || 1);
  }
}
