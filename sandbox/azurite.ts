import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      if (child.exitCode !== null) return reject(new Error(`Azurite exited with code ${child.exitCode}`));
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`Azurite did not open port ${port} within ${timeoutMs} ms`));
        else setTimeout(tryOnce, 100);
      });
    };
    tryOnce();
  });
}

/**
 * Runs Azurite's own entry point (argv[1]) in a process that exits as soon as its stdin closes. The parent holds the
 * other end of that pipe, and the operating system closes it whenever the parent ends (Ctrl+C, a crash, SIGKILL), so
 * Azurite never outlives the stack that started it.
 */
const EXIT_WITH_PARENT =
  "process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume(); require(process.argv[1]);";

/**
 * The same for Azurite with data on disk: when the pipe closes it shuts down as on Ctrl+C (Azurite saves its
 * databases on SIGINT), and exits at the latest a few seconds later.
 */
const SAVE_AND_EXIT_WITH_PARENT =
  "const bye = () => { process.emit('SIGINT'); setTimeout(() => process.exit(0), 5000).unref(); }; process.stdin.on('end', bye).on('error', bye).resume(); require(process.argv[1]);";

/**
 * Start Azurite from node_modules on free loopback ports: in memory, or with its data in `location` (kept across
 * starts: `npm start`'s state folder). stop() stops it (and removes an in-memory workspace), and it exits by itself,
 * saving what it holds, when this process ends in any way.
 */
export async function startAzurite(options: { silent?: boolean; location?: string } = {}): Promise<AzuriteHandle> {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const persistent = options.location !== undefined;
  const location = options.location ?? mkdtempSync(join(tmpdir(), 'contain-azurite-'));
  if (persistent) mkdirSync(location, { recursive: true });
  const entry = require.resolve('azurite/dist/src/azurite.js');
  const storage = persistent ? ['--location', location] : ['--inMemoryPersistence'];
  const args = [
    '-e',
    persistent ? SAVE_AND_EXIT_WITH_PARENT : EXIT_WITH_PARENT,
    entry,
    ...storage,
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
    '--blobPort',
    String(blobPort),
    '--queuePort',
    String(queuePort),
    '--tablePort',
    String(tablePort),
  ];
  if (options.silent !== false) args.push('--silent');
  const child = spawn(process.execPath, args, { cwd: location, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()).slice(-2000));
  try {
    await Promise.all([waitForPort(queuePort, 20_000, child), waitForPort(tablePort, 20_000, child)]);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const base = 'http://127.0.0.1';
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${base}:${blobPort}/${ACCOUNT};QueueEndpoint=${base}:${queuePort}/${ACCOUNT};TableEndpoint=${base}:${tablePort}/${ACCOUNT};`;
  return {
    connectionString,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          if (!persistent) rmSync(location, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.stdin?.end(); // in memory: exits at once; on disk: saves its databases first
        setTimeout(() => child.kill('SIGKILL'), persistent ? 8000 : 3000).unref();
      }),
  };
}
