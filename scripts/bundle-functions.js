#!/usr/bin/env node
// Bundles the Function App with esbuild for a fast cold start: one ES module per trigger (functions/*.ts ->
// dist/bundle/functions/*.mjs), each a few hundred bytes that register the function, and code-split chunks
// (dist/bundle/functions/chunks/) that a handler imports on its first invocation. A Slack request therefore loads
// Bolt and never botbuilder, a Teams request the reverse, and nothing reads node_modules at run time: the staged
// package (scripts/package-functions.js) is self-contained and runs from a read-only package (WEBSITE_RUN_FROM_PACKAGE).
// Writes dist/bundle/meta.json (esbuild's metafile): the tests and bench:cold read which chunk holds what.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Modules the Function App never runs, replaced by a stub that throws if anything ever constructs or calls it. Contain
 * hands Bolt its own receiver (bot/slack/receiver.ts), so Bolt's HTTP, Express, Socket Mode and Lambda receivers, the
 * body parser behind them and the OAuth install flow are dead code that @slack/bolt's index loads eagerly (about a
 * third of a Slack cold start). Only imports made from inside @slack/bolt are replaced.
 */
const BOLT_UNUSED =
  /^(express|raw-body|@slack\/socket-mode|@slack\/oauth|\.\/receivers\/(ExpressReceiver|SocketModeReceiver|AwsLambdaReceiver|HTTPReceiver)|\.\/(ExpressReceiver|SocketModeReceiver|AwsLambdaReceiver|HTTPReceiver))$/;

const stubUnused = {
  name: 'contain-unused-modules',
  setup(build) {
    build.onResolve({ filter: BOLT_UNUSED }, (args) => {
      if (!/node_modules[\\/]@slack[\\/]bolt[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, namespace: 'contain-unused' };
    });
    build.onLoad({ filter: /.*/, namespace: 'contain-unused' }, (args) => ({
      loader: 'js',
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not in Contain's Function App bundle (scripts/bundle-functions.js)`)}); };
module.exports = new Proxy(function unused() {}, { get: (t, k) => (k === '__esModule' ? false : module.exports), construct: fail, apply: fail });`,
    }));
  },
};

/**
 * zod's messages in every language it knows, which zod's namespace export keeps in the bundle although Contain never
 * changes zod's locale (English is set from its own module): a third of the Slack route's code. Only English stays.
 */
const zodEnglishOnly = {
  name: 'contain-zod-english',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(path.dirname(args.importer), '..', 'locales', 'en-only.js'), namespace: 'contain-zod' };
    });
    build.onLoad({ filter: /.*/, namespace: 'contain-zod' }, (args) => ({
      loader: 'js',
      resolveDir: path.dirname(args.path),
      contents: "export { default as en } from './en.js';\n",
    }));
  },
};

/** The trigger files the Functions host loads (package.json "main"); helpers live in functions/lib/. */
function entryPoints(root) {
  const dir = path.join(root, 'functions');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Bundle every trigger into `outDir`/functions; resolves to esbuild's metafile (also written to `outDir`/meta.json). */
async function bundleFunctions(options = {}) {
  const root = options.root ?? path.join(__dirname, '..');
  const outDir = options.outDir ?? path.join(root, 'dist', 'bundle');
  const esbuild = require('esbuild');
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entryPoints(root),
    outdir: path.join(outDir, 'functions'),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true, // dynamic import() -> a chunk loaded on first use: each route pays only for its own code
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ES module builds of dependencies where they have one (smaller after tree shaking), CommonJS otherwise.
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true, // error names and stack frames in Application Insights stay readable
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    // The Functions worker provides @azure/functions-core at run time (it intercepts require of that name).
    external: ['@azure/functions-core'],
    // CommonJS dependencies inside ES modules still call require() for Node built-ins.
    banner: { js: "import { createRequire as __containRequire } from 'node:module'; const require = __containRequire(import.meta.url);" },
    plugins: [stubUnused, zodEnglishOnly],
    metafile: true,
    logLevel: options.logLevel ?? 'warning',
  });
  fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify(result.metafile));
  fs.writeFileSync(path.join(outDir, 'functions', 'THIRD-PARTY-NOTICES.txt'), notices(root, result.metafile));
  return result.metafile;
}

/** The licence of every package whose code is in the bundle: minified code drops the headers, the notices must ship. */
function notices(root, metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (/^contain-[a-z]+:/.test(input)) continue; // this script's own stand-ins
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const parts = [];
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(path.join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? fs.readFileSync(path.join(root, dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'see the package'}`;
    parts.push(`${pkg.name} ${pkg.version}\n${'-'.repeat(40)}\n${text}\n`);
  }
  return `Contain's Function App bundle includes the following packages.\n\n${parts.join('\n')}`;
}

module.exports = { bundleFunctions, BOLT_UNUSED };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name) => (argv.includes(name) ? path.resolve(argv[argv.indexOf(name) + 1]) : undefined);
  bundleFunctions({ root: arg('--root'), outDir: arg('--out') }).then(
    (meta) => {
      const entries = Object.keys(meta.outputs).filter((f) => f.endsWith('.mjs') && !f.includes('/chunks/')).length;
      const bytes = Object.entries(meta.outputs)
        .filter(([f]) => f.endsWith('.mjs'))
        .reduce((n, [, o]) => n + o.bytes, 0);
      console.log(`Function App bundle: ${entries} triggers, ${(bytes / 1024 / 1024).toFixed(1)} MB of modules in dist/bundle/functions`);
    },
    (err) => {
      console.error(`bundle-functions: ${err.message}`);
      process.exit(1);
    },
  );
}
