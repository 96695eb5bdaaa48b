/**
 * Child process for test/unit/bundle.test.ts: load a Function App build the way the Functions worker does
 * (sandbox/functions-host.ts), answer the HTTP requests given as JSON in argv[3], stop the app (appTerminate hooks);
 * prints one JSON line with the answers and the npm packages this process required from node_modules.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { loadFunctionsApp } from '../../sandbox/functions-host';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const requests = JSON.parse(process.argv[3]) as {
    fn: string;
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: string;
  }[];
  const host = await loadFunctionsApp(
    readdirSync(dir)
      .filter((f) => /\.m?js$/.test(f))
      .map((f) => join(dir, f)),
  );
  const answers = [];
  for (const r of requests) answers.push(await host.http(r.fn, r));
  await host.runHooks('appTerminate'); // as the worker does when the app stops: telemetry sends what it holds
  const marker = `${sep}node_modules${sep}`;
  const required = [
    ...new Set(
      Object.keys(require.cache)
        .filter((k) => k.includes(marker))
        .map((k) =>
          k
            .split(marker)
            .pop()!
            .split(sep)
            .slice(0, k.split(marker).pop()!.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  ];
  process.stdout.write(`${JSON.stringify({ names: host.names(), answers, required })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
