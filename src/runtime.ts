import { loadConfig, type Config } from './config';
import type { ContainContext } from './context';
import { createCredential } from './graph/auth';
import { createGraph } from './graph/client';
import { createFlowClient } from './powerautomate/client';
import { policyFromConfig } from './incidents/policy';
import { createLogger, type Logger } from './log';
import { IncidentStore } from './store/incident-store';
import { WorkQueue } from './store/work-queue';
import { ResultStore } from './store/result-store';
import { keylessEndpoints } from './store/connection';

let current: Promise<ContainContext> | undefined;

/** Build the context from a config: Graph client with its credential, store, queue, policy, logger. */
export async function createContext(config: Config, overrides: Partial<ContainContext> = {}): Promise<ContainContext> {
  const log: Logger = overrides.log ?? createLogger({ level: config.logLevel, fields: { app: 'contain' } });
  const credential = await createCredential(config.graph.credential);
  const graph =
    overrides.graph ??
    createGraph({
      baseUrl: config.graph.baseUrl,
      credential,
      pacer: config.graph.pacing ? undefined : false,
      onRetry: (e) => log.info('graph retry', { attempt: e.attempt, status: e.status, delayMs: e.delayMs, path: new URL(e.url).pathname }),
    });
  const flows = overrides.flows ?? (config.powerAutomate ? createFlowClient({ baseUrl: config.powerAutomate.apiUrl, environment: config.powerAutomate.environment, credential, clientId: config.graph.clientId }) : undefined);
  const keyless = keylessEndpoints(config.storage.connectionString);
  const storageCredential = keyless ? (credential ?? (await createCredential({ kind: 'managedIdentity', clientId: process.env.AZURE_CLIENT_ID }))) : undefined;
  return {
    config,
    graph,
    flows,
    store: overrides.store ?? (keyless ? IncidentStore.fromEndpoint(keyless.table, config.storage.prefix, storageCredential!) : IncidentStore.fromConnectionString(config.storage.connectionString, config.storage.prefix)),
    queue: overrides.queue ?? (keyless ? WorkQueue.fromEndpoint(keyless.queue, config.storage.prefix, storageCredential!) : WorkQueue.fromConnectionString(config.storage.connectionString, config.storage.prefix)),
    results: overrides.results ?? (keyless ? ResultStore.fromEndpoint(keyless.blob, config.storage.prefix, storageCredential!) : ResultStore.fromConnectionString(config.storage.connectionString, config.storage.prefix)),
    policy: overrides.policy ?? policyFromConfig(config),
    log,
    now: overrides.now ?? (() => new Date()),
  };
}

/** The process-wide context, created on first use from process.env (Functions instances and the local stack). */
export function getContext(): Promise<ContainContext> {
  current ??= createContext(loadConfig()).catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** Forget the process-wide context (tests, or after configuration changed). */
export function resetContext(): void {
  current = undefined;
}
