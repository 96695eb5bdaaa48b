import { createLogger } from '../src/log';
import { startWorkerLoop } from './worker-loop';

/**
 * The queue worker alone, in its own process, configured by the environment (the same variables as the stack).
 * The local stack supervises it (sandbox/worker-supervisor.ts); kill faults SIGKILL it mid-action to prove that a new
 * worker resumes without repeating or skipping anything.
 */
const log = createLogger({
  level: (process.env.CONTAIN_LOG_LEVEL as never) || 'info',
  fields: { app: 'contain-worker', pid: process.pid },
});
const loop = startWorkerLoop({ pollMs: 50, log });
process.stdout.write('worker ready\n');
const stop = () => void loop.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The supervisor holds our stdin open: when it dies, however it dies, the pipe closes and so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
