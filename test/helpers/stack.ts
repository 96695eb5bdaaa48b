import { randomBytes } from 'node:crypto';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../sandbox/local-stack';
import { createLogger } from '../../src/log';
import { getContext } from '../../src/runtime';
import type { Action } from '../../src/incidents/model';

/** A local stack with its own storage prefix (tables and queue) on the run's shared Azurite. */
export async function startTestStack(env: Record<string, string> = {}, options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  return startLocalStack({
    port: 0,
    pollMs: 50,
    sweepMs: 0,
    alertPollMs: 0,
    env: { CONTAIN_STORAGE_PREFIX: prefix, ...env },
    log: createLogger({ level: (process.env.CONTAIN_LOG_LEVEL as never) ?? 'silent' }),
    ...options,
  });
}

/** Poll until `fn` returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Graph calls that change something: sub-requests count by their own method; the $batch envelope and read-only POSTs do not. */
export function mutatingCalls(stack: LocalStack): { method: string; path: string; status: number; batchId?: string }[] {
  return stack.emulator
    .requests()
    .filter((r) => r.method !== 'GET' && !r.path.endsWith('/checkMemberObjects') && !r.path.endsWith('/$batch'));
}

/** HTTP round trips to Graph: log entries that are not sub-requests of a batch. */
export function roundTrips(stack: LocalStack, since = 0): number {
  return stack.emulator
    .requests()
    .slice(since)
    .filter((r) => !r.batchId).length;
}

/**
 * An incident's actions once the worker is done with them: none approved, running or sending any more, and every
 * change that was made also read back (a change is recorded as soon as Graph answers; its read-back comes a round later).
 */
export function settled(incidentId: string, options: { timeoutMs?: number } = {}): Promise<Action[]> {
  return waitFor(
    async () => {
      const all = await (await getContext()).store.listActions(incidentId);
      return all.every(
        (a) => !['approved', 'running', 'sending'].includes(a.state) && (a.state !== 'succeeded' || a.result?.verified !== undefined),
      )
        ? all
        : undefined;
    },
    { what: 'actions to finish', timeoutMs: options.timeoutMs ?? 30_000 },
  );
}
