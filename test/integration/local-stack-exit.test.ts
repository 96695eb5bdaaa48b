import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/stack';

const ROOT = join(__dirname, '..', '..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start` as a process: Azurite must not outlive it, however it ends. */
describe('the local stack and its Azurite', () => {
  test('SIGKILL of the stack process takes its Azurite with it', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', CONTAIN_LOG_LEVEL: 'silent' };
    delete env.STORAGE_CONNECTION_STRING; // start its own Azurite, as `npm start` does
    const state = mkdtempSync(join(tmpdir(), 'contain-exit-')); // never the checkout's own .contain-local
    const stack = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'sandbox/main.ts', '--state-dir', state], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    stack.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let azurite: number | undefined;
    try {
      azurite = Number(
        await waitFor(() => /Azurite \(pid (\d+)\)/.exec(stderr)?.[1], {
          timeoutMs: 60_000,
          what: "the stack's banner naming Azurite's pid",
        }),
      );
      expect(alive(azurite)).toBe(true);
      stack.kill('SIGKILL');
      await waitFor(() => !alive(azurite!), { timeoutMs: 10_000, what: `Azurite (pid ${azurite}) to exit after its stack was killed` });
    } finally {
      if (stack.exitCode === null) stack.kill('SIGKILL');
      if (azurite && alive(azurite)) process.kill(azurite, 'SIGKILL');
      rmSync(state, { recursive: true, force: true });
    }
  }, 90_000);
});
