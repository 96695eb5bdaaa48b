/**
 * bench:cold: a fresh Node process to the first answered request, per route (Slack, Teams, worker), for the compiled
 * app (dist/functions, node_modules) and the esbuild bundle (scripts/bundle-functions.js, what package:functions
 * deploys), against a bare @azure/functions handler, interleaved in one run. Each process loads the app as the
 * Functions worker does (every entry file, through sandbox/functions-host.ts) and answers one request.
 * Targets: the bundled Slack route at most 2x the bare handler and never loading botbuilder (the Teams route never
 * loading Bolt). A bundled route runs from a copy of the bundle without the other platform's chunks, so a route that
 * needed them would fail instead of answering.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../sandbox/azurite';
import { record } from './common';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleFunctions } = require('../scripts/bundle-functions.js') as {
  bundleFunctions: (o?: { outDir?: string }) => Promise<Metafile>;
};

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const root = join(__dirname, '..');
const PLATFORM = { botbuilder: /node_modules\/(botbuilder|botframework)/, bolt: /node_modules\/@slack\/bolt\// };

/** A copy of the bundle without the chunks that hold any of `platforms`' code. */
function without(meta: Metafile, bundleDir: string, platforms: (keyof typeof PLATFORM)[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'contain-cold-'));
  cpSync(join(bundleDir, 'functions'), dir, { recursive: true });
  for (const [out, o] of Object.entries(meta.outputs)) {
    if (!out.endsWith('.mjs') || !Object.keys(o.inputs).some((i) => platforms.some((p) => PLATFORM[p].test(i)))) continue;
    rmSync(join(dir, out.slice(out.indexOf('functions/') + 'functions/'.length)), { force: true });
  }
  return dir;
}

async function main(): Promise<void> {
  const bundleDir = join(root, 'dist', 'bundle');
  const meta = await bundleFunctions({ outDir: bundleDir });
  const azurite = await startAzurite();
  const pruned = {
    slack: without(meta, bundleDir, ['botbuilder']),
    teams: without(meta, bundleDir, ['bolt']),
    worker: without(meta, bundleDir, ['botbuilder', 'bolt']),
  };
  try {
    const env = {
      ...process.env,
      CONTAIN_MODE: 'local',
      CONTAIN_LOG_LEVEL: 'silent',
      GRAPH_BASE_URL: 'http://127.0.0.1:9/graph',
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      CONTAIN_STORAGE_PREFIX: 'cold',
      SLACK_SIGNING_SECRET: 'cold-secret',
      SLACK_BOT_TOKEN: 'xoxb-cold',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    };
    const runs: [build: string, route: string, dir: string][] = [['bare', 'bare', '']];
    for (const route of ['slack', 'teams', 'worker'] as const)
      runs.push(['unbundled', route, join(root, 'dist', 'functions')], ['bundled', route, pruned[route]]);
    const results: Record<string, { ms: number[]; botbuilder: boolean; bolt: boolean; status?: number }> = {};
    // Interleave so that machine noise hits every variant alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [build, route, dir] of runs) {
        const r = spawnSync(process.execPath, [join(__dirname, 'cold-child.js'), build, route, dir], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${build} ${route}: ${r.stderr}`);
        const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; botbuilder: boolean; bolt: boolean; status?: number };
        const key = `${build} ${route}`;
        // A bundle loads nothing from node_modules: what it can load is decided by the chunks left in its copy.
        const loads =
          build === 'bundled' ? { botbuilder: route === 'teams', bolt: route === 'slack' } : { botbuilder: out.botbuilder, bolt: out.bolt };
        results[key] ??= { ms: [], ...loads, status: out.status };
        results[key].ms.push(out.ms);
      }
    }
    const bare = median(results['bare bare'].ms);
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const row = (route: string) => {
      const [u, b] = [results[`unbundled ${route}`], results[`bundled ${route}`]];
      return [
        route,
        median(u.ms).toFixed(0),
        (median(u.ms) / bare).toFixed(2),
        median(b.ms).toFixed(0),
        (median(b.ms) / bare).toFixed(2),
        (median(u.ms) / median(b.ms)).toFixed(2),
        `${yes(u.botbuilder)} / ${yes(b.botbuilder)}`,
        `${yes(u.bolt)} / ${yes(b.bolt)}`,
        `${u.status} / ${b.status}`,
      ];
    };
    record(
      `bench:cold (median of ${RUNS} fresh processes per route and build)`,
      [
        [
          'route',
          'unbundled ms',
          'x bare',
          'bundled ms',
          'x bare',
          'bundled speed-up',
          'loads botbuilder (unbundled / bundled)',
          'loads @slack/bolt',
          'status',
        ],
        ['bare handler', bare.toFixed(0), '1.00', '', '', '', 'no', 'no', String(results['bare bare'].status)],
        ...['slack', 'teams', 'worker'].map(row),
      ],
      [
        'Targets: the bundled Slack route at most 2x the bare handler and never loading botbuilder; the Teams route never loading Bolt.',
        'Each process loads every entry file of its build as the Functions worker does (sandbox/functions-host.ts), then answers one request; times are from process start (performance.now()).',
        'Bundled routes run from a copy of dist/bundle without the other platform\'s chunks (the worker without both), so "no" means the route answered without them. The worker request reads one row from Azurite.',
      ],
    );
  } finally {
    for (const dir of Object.values(pruned)) rmSync(dir, { recursive: true, force: true });
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
