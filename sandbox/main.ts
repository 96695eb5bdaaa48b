import { ContainError } from '../src/errors';
import { createLogger } from '../src/log';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startLocalStack } from './local-stack';
import { DEFAULT_STATE_DIR, prepareStateDir } from './local-state';

/**
 * `npm start`: the whole of Contain on 127.0.0.1 with the sandbox tenant; Ctrl+C stops it, Azurite included. Its state
 * (Azurite's data: incidents, approvals, results; and the sandbox tenant) lives in .contain-local/ and survives a
 * restart or a crash; `npm start -- --fresh` starts clean, `--state-dir <dir>` keeps it elsewhere.
 */
async function main(): Promise<void> {
  const log = createLogger({ level: (process.env.CONTAIN_LOG_LEVEL as never) || 'info', fields: { app: 'contain-local' } });
  const argv = process.argv.slice(2);
  // dist/sandbox/main.js after a build, sandbox/main.ts when run through ts-register: the checkout is the folder with package.json.
  const root = [join(__dirname, '..'), join(__dirname, '..', '..')].find((d) => existsSync(join(d, 'package.json')))!;
  const stateDir = argv.includes('--state-dir') ? resolve(argv[argv.indexOf('--state-dir') + 1]) : join(root, DEFAULT_STATE_DIR);
  prepareStateDir(stateDir, { fresh: argv.includes('--fresh') });
  // The worker runs in its own supervised process, as under the Functions host, so that the sandbox's kill faults work
  // from the playground; CONTAIN_LOCAL_WORKER=inline keeps it in this process.
  const stack = await startLocalStack({ log, stateDir, worker: process.env.CONTAIN_LOCAL_WORKER ? undefined : 'process' });
  const lines = [
    '',
    `Contain is running (local mode, sandbox tenant) on ${stack.url}`,
    `  Playground           ${stack.url}/`,
    `  Teams endpoint       POST ${stack.url}/api/messages`,
    `  Sandbox Graph        ${stack.url}/sandbox/graph/v1.0/users`,
    `  Graph request log    GET  ${stack.url}/sandbox/requests`,
    `  Fault injection      POST ${stack.url}/sandbox/faults   (DELETE to clear)`,
    `  Throttling budgets   GET/PUT ${stack.url}/sandbox/budgets   (published Graph limits, on)`,
    `  Scenario at scale    POST ${stack.url}/sandbox/scenario {"phishRecipients":100,"compromised":5}`,
    `  Incident of any size POST ${stack.url}/sandbox/scenario {"user":"alice.aoki@contoso.example","extra":{"inboxRules":10,"methods":10,"devices":10,"apps":10,"flows":10}}`,
    `  Alerts               POST ${stack.url}/sandbox/alerts {"userId":"alice.aoki@contoso.example","source":"defender","title":"Possible AiTM phishing attempt"}`,
    `  Reset the tenant     POST ${stack.url}/sandbox/reset`,
    `  Contain's app        GET/PUT ${stack.url}/sandbox/app   (permissions, directory roles)`,
    `  Tenant prerequisites GET/PUT ${stack.url}/sandbox/tenant   (message-trace principal, Power Platform, licences)`,
    `  Bot replies          GET  ${stack.url}/sandbox/connector/activities   (refused ones: /refusals; size limit: GET/PUT /limits)`,
    ...(stack.azuritePid ? [`  Storage              Azurite (pid ${stack.azuritePid}); it stops with this process`] : []),
    `  State                ${relative(process.cwd(), stateDir) || '.'}/ (${stack.restored ? 'restored: incidents, approvals and the tenant as you left them' : 'new'}); npm start -- --fresh starts clean`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stderr.write(lines.join('\n'));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping Contain...\n`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ContainError) process.stderr.write(`${err.userMessage}\n`);
  else process.stderr.write(`Contain failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
