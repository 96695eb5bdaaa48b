import { loadConfig, type Config } from './config';
import type { ContainContext } from './context';
import { createCredential } from './graph/auth';
import { createGraph } from './graph/client';
import { createFlowClient } from './powerautomate/client';
import { exchangeClientFromConfig } from './exchange/client';
import { policyFromConfig } from './incidents/policy';
import { createLogger, type Logger } from './log';
import { TableIncidentStore } from './store/table-store';
import { StorageWorkQueue } from './store/queue-storage';
import { BlobResultStore } from './store/result-store';
import { keylessEndpoints } from './store/connection';
import { countRetry } from './telemetry';

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
      onRetry: (e) => {
        log.info('graph retry', { attempt: e.attempt, status: e.status, delayMs: e.delayMs, path: new URL(e.url).pathname });
        countRetry({ status: e.status, batch: false });
      },
    });
  const flows =
    overrides.flows ??
    (config.powerAutomate
      ? createFlowClient({
          baseUrl: config.powerAutomate.apiUrl,
          environment: config.powerAutomate.environment,
          credential,
          clientId: config.graph.clientId,
        })
      : undefined);
  const keyless = keylessEndpoints(config.storage.connectionString);
  const storageCredential = keyless
    ? (credential ?? (await createCredential({ kind: 'managedIdentity', clientId: process.env.AZURE_CLIENT_ID })))
    : undefined;
  const now = overrides.now ?? (() => new Date());
  const { connectionString, prefix } = config.storage;
  return {
    config,
    graph,
    flows,
    exchange: 'exchange' in overrides ? overrides.exchange : exchangeClientFromConfig(config, credential),
    store:
      overrides.store ??
      (keyless
        ? TableIncidentStore.fromEndpoint(keyless.table, prefix, storageCredential!, now)
        : TableIncidentStore.fromConnectionString(connectionString, prefix, now)),
    queue:
      overrides.queue ??
      (keyless
        ? StorageWorkQueue.fromEndpoint(keyless.queue, prefix, storageCredential!)
        : StorageWorkQueue.fromConnectionString(connectionString, prefix)),
    results:
      overrides.results ??
      (keyless
        ? BlobResultStore.fromEndpoint(keyless.blob, prefix, storageCredential!)
        : BlobResultStore.fromConnectionString(connectionString, prefix)),
    policy: overrides.policy ?? policyFromConfig(config),
    log,
    now,
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
