/**
 * bench:cold: fresh Node process to first handled request, per route (Slack, Teams, worker), against a bare
 * @azure/functions handler in the same run. Also checks that each route loads only its own platform package.
 * Targets: the Slack route does not load botbuilder, the Teams route does not load Bolt; each under 2x bare.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startAzurite } from '../sandbox/azurite';
import { record } from './common';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const azurite = await startAzurite();
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
    const routes = ['bare', 'slack', 'teams', 'worker'];
    const results: Record<string, { ms: number[]; botbuilder: boolean; bolt: boolean; status?: number }> = {};
    // Interleave routes so that machine noise hits all of them alike.
    for (let i = 0; i < RUNS; i++) {
      for (const route of routes) {
        const r = spawnSync(process.execPath, [join(__dirname, 'cold-child.js'), route], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${route}: ${r.stderr}`);
        const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
        results[route] ??= { ms: [], botbuilder: out.botbuilder, bolt: out.bolt, status: out.status };
        results[route].ms.push(out.ms);
      }
    }
    const bare = median(results.bare.ms);
    record(`bench:cold (median of ${RUNS} fresh processes per route)`, [
      ['route', 'median ms to first response', 'x bare handler', 'loads botbuilder', 'loads @slack/bolt', 'status'],
      ...routes.map((r) => [r, median(results[r].ms).toFixed(0), (median(results[r].ms) / bare).toFixed(2), results[r].botbuilder ? 'yes' : 'no', results[r].bolt ? 'yes' : 'no', results[r].status ?? '']),
    ], [
      'Targets: the Slack route does not load botbuilder; the Teams route does not load Bolt; each route under 2x the bare handler.',
      'Times include Node start-up (measured with performance.now() from process start). The worker request reads one row from Azurite.',
    ]);
  } finally {
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
