import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../src/log';

/** The queue workers of the local stack, each in its own process, restarted when one dies as the Functions host does. */
export interface WorkerSupervisor {
  /** Process ids of the workers now running. */
  pids(): number[];
  /** SIGKILL every worker (a kill fault) and wait for them to die; the supervisor starts new ones, as the host would. */
  killAll(): Promise<void>;
  /** Send a signal to one worker (SIGSTOP/SIGCONT in tests that let a lease run out under a live worker). */
  signal(index: number, signal: NodeJS.Signals): void;
  /** Resolves once every worker has said it is ready. */
  ready(): Promise<void>;
  /** How many workers have been started in all, restarts included. */
  started(): number;
  /** Start one more supervised worker; returns its index. */
  add(): number;
  stop(): Promise<void>;
}

/** The worker entry point: TypeScript through our transpile-only hook when running from sources, else the build. */
function workerCommand(): string[] {
  const ts = join(__dirname, 'worker-process.ts');
  if (__filename.endsWith('.ts') && existsSync(ts)) return ['-r', join(__dirname, '..', 'scripts', 'ts-register.js'), ts];
  return [join(__dirname, 'worker-process.js')];
}

/** Start `count` worker processes with this environment and keep them running until stop(). */
export function superviseWorkers(options: {
  count: number;
  env: NodeJS.ProcessEnv;
  log: Logger;
  restartDelayMs?: number;
}): WorkerSupervisor {
  const slots: (ChildProcess | undefined)[] = new Array(options.count).fill(undefined);
  const readiness: Promise<void>[] = [];
  let stopping = false;
  let started = 0;
  const start = (i: number) => {
    started++;
    const child = spawn(process.execPath, workerCommand(), { env: options.env, stdio: ['pipe', 'pipe', 'inherit'] });
    slots[i] = child;
    readiness[i] = new Promise<void>((resolve) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        // The worker's structured log lines go where the stack's own go.
        process.stdout.write(d);
        if (out.length < 4096) out += d.toString();
        if (out.includes('worker ready')) resolve();
      });
      child.once('exit', () => resolve());
    });
    child.once('exit', (code, signal) => {
      if (slots[i] === child) slots[i] = undefined;
      if (stopping) return;
      options.log.warn('worker process exited; starting another', { pid: child.pid, code, signal });
      setTimeout(() => !stopping && start(i), options.restartDelayMs ?? 100).unref();
    });
  };
  for (let i = 0; i < options.count; i++) start(i);
  return {
    pids: () => slots.filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null).map((c) => c.pid!),
    killAll: async () => {
      const live = slots.filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null);
      const exits = live.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
      live.forEach((c) => c.kill('SIGKILL'));
      await Promise.all(exits);
    },
    signal: (i, sig) => slots[i]?.kill(sig),
    ready: async () => void (await Promise.all(readiness)),
    started: () => started,
    add: () => {
      slots.push(undefined);
      start(slots.length - 1);
      return slots.length - 1;
    },
    async stop() {
      stopping = true;
      await Promise.all(
        slots.map(
          (c) =>
            c &&
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGCONT');
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 3000).unref();
            }),
        ),
      );
    },
  };
}
