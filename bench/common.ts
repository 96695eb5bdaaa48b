import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../sandbox/local-stack';
import { createLogger } from '../src/log';

/** A local stack for benchmarks: logs off, its own storage prefix, Azurite started if none is given. */
export async function benchStack(env: Record<string, string> = {}): Promise<LocalStack> {
  process.env.CONTAIN_LOG_LEVEL = 'silent';
  return startLocalStack({
    port: 0,
    pollMs: 20,
    sweepMs: 0,
    alertPollMs: 0,
    env: { CONTAIN_STORAGE_PREFIX: `b${Date.now().toString(36)}`, ...env },
    log: createLogger({ level: 'silent' }),
  });
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Print a table and append it, with date and machine, to bench/RESULTS.md (not in CI smoke runs). */
export function record(title: string, rows: (string | number)[][], notes: string[] = []): void {
  const header = rows[0].map(String);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  const table = [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
  process.stdout.write(`\n${title}\n${table}\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  if (process.env.BENCH_SMOKE) return;
  const file = join(__dirname, 'RESULTS.md');
  if (!existsSync(file))
    writeFileSync(
      file,
      '# Benchmark results\n\nAppended by `npm run bench:*`; each run records date and machine. Ratios are measured side by side in one run.\n',
    );
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  appendFileSync(
    file,
    `\n## ${title}\n\n${new Date().toISOString()} · ${machine}\n\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`,
  );
}

export async function until<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POST a Teams activity (message or invoke) to the stack's real /api/messages, in the given channel thread. */
export function postTeams(stack: LocalStack, extra: Record<string, unknown>, conversationId = '19:bench@thread.tacv2'): Promise<Response> {
  const a = {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: `${stack.url}/sandbox/connector/`,
    recipient: { id: '28:contain', name: 'Contain' },
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true },
    ...extra,
  };
  return fetch(`${stack.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
}
