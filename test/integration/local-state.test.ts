import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack';
import { prepareStateDir, stateFiles } from '../../sandbox/local-state';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { createLogger } from '../../src/log';
import { waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json } from '../helpers/teams';

const ROOT = join(__dirname, '..', '..');
const CONV = '19:soc-incidents@thread.tacv2;messageid=1';
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The stack as `npm start` makes it (its own Azurite, data in `dir`), minus the timers. */
const start = (dir: string) =>
  startLocalStack({
    port: 0,
    pollMs: 50,
    sweepMs: 0,
    alertPollMs: 0,
    stateDir: dir,
    env: { CONTAIN_STORAGE_PREFIX: 'kept' },
    log: createLogger({ level: 'silent' }),
  });

const postTo = (url: string, activity: Record<string, unknown>) =>
  fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
/** An activity pointed at the stack on `url` (the helpers take a LocalStack; a child process has only its URL). */
const at = (url: string) => ({ url }) as LocalStack;

/** Say something in the incident channel of the stack at `url` and wait for the reply card holding `needle`. */
async function say(url: string, words: string, needle: string): Promise<string> {
  const before = new Set(
    ((await (await fetch(`${url}/sandbox/connector/activities`)).json()) as { activityId: string }[]).map((r) => r.activityId),
  );
  await postTo(url, channelMention(at(url), PEOPLE.riley, words));
  return waitFor(
    async () => {
      const all = (await (await fetch(`${url}/sandbox/connector/activities`)).json()) as Parameters<typeof cardsOf>[0][];
      const hit = all.find((x) => x.op !== 'update' && !before.has(x.activityId) && json(cardsOf(x)).includes(needle));
      return hit && json(cardsOf(hit));
    },
    { what: `"${needle}" after "${words}"`, timeoutMs: 30_000 },
  );
}

/** contain alice, approve all as another approver, wait until the report shows the changes made. */
async function containAlice(url: string): Promise<string> {
  const card = await say(url, 'contain alice', '"verb":"approve-all"');
  const incidentId = /"ref":"(INC-\d{8}-\d{4})"/.exec(card)![1];
  await postTo(url, executeInvoke(at(url), PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
  await waitFor(async () => (await (await fetch(`${url}/api/incidents/${incidentId}/report`)).text()).includes('| action.succeeded |'), {
    what: 'actions done',
    timeoutMs: 30_000,
  });
  // The changes are sent in rounds: wait until the tenant stops changing (and no Graph request is in flight).
  let last = '';
  await waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 400));
      const now = JSON.stringify(await tenant(url));
      const same = now === last;
      last = now;
      return same;
    },
    { what: 'the tenant to settle', timeoutMs: 30_000 },
  );
  return incidentId;
}

const tenant = async (url: string) =>
  (await (await fetch(`${url}/sandbox/state`)).json()) as { users: { id: string; signInSessionsValidFromDateTime: string }[] };
const alice = (t: Awaited<ReturnType<typeof tenant>>) => t.users.find((u) => u.id === SEED_IDS.alice)!;

describe('npm start keeps its state (Azurite data and the sandbox tenant) across restarts', () => {
  let dir: string;
  let stack: LocalStack | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contain-state-'));
  });
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  test('stopped and started again on the same folder: status shows the incident, the tenant keeps its changes; --fresh starts clean', async () => {
    stack = await start(dir);
    expect(stack.restored).toBe(false);
    const incidentId = await containAlice(stack.url);
    const changed = await tenant(stack.url);
    await stack.stop(); // as on Ctrl+C
    stack = undefined;

    stack = await start(dir);
    expect(stack.restored).toBe(true);
    expect(await say(stack.url, `status ${incidentId}`, incidentId)).toContain('Alice Aoki');
    expect(await tenant(stack.url)).toEqual(changed);
    await stack.stop();
    stack = undefined;

    prepareStateDir(dir, { fresh: true }); // npm start -- --fresh
    stack = await start(dir);
    expect(stack.restored).toBe(false);
    expect(alice(await tenant(stack.url)).signInSessionsValidFromDateTime).not.toBe(alice(changed).signInSessionsValidFromDateTime);
    expect(await say(stack.url, `status ${incidentId}`, incidentId)).toMatch(/no longer exists|not found|No incident/i);
  }, 120_000);

  test('after a crash (SIGKILL of npm start), the incident and the tenant are there on the next start; Azurite did not outlive it', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', CONTAIN_LOG_LEVEL: 'silent', CONTAIN_STORAGE_PREFIX: 'kept' };
    delete env.STORAGE_CONNECTION_STRING;
    const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'sandbox/main.ts', '--state-dir', dir], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let azurite: number | undefined;
    try {
      const url = await waitFor(() => /running \(local mode, sandbox tenant\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1], {
        timeoutMs: 60_000,
        what: 'npm start to be up',
      });
      azurite = Number(/Azurite \(pid (\d+)\)/.exec(stderr)![1]);
      const incidentId = await containAlice(url);
      const changed = await tenant(url);
      child.kill('SIGKILL');
      await waitFor(() => !alive(azurite!), { timeoutMs: 15_000, what: 'Azurite to save and exit after its stack died' });
      expect(existsSync(stateFiles(dir).tenant)).toBe(true);

      stack = await start(dir);
      expect(stack.restored).toBe(true);
      expect(await say(stack.url, `status ${incidentId}`, incidentId)).toContain('Alice Aoki');
      expect(await tenant(stack.url)).toEqual(changed);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (azurite && alive(azurite)) process.kill(azurite, 'SIGKILL');
    }
  }, 150_000);
});
