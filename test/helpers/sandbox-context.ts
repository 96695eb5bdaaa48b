import { createServer, type Server } from 'node:http';
import { flowApi } from '../../sandbox/flow-api';
import { exchangeApi, mountExchange } from '../../sandbox/exchange-api';
import { exchangeClientFromConfig } from '../../src/exchange/client';
import { GraphEmulator } from '../../sandbox/graph/emulator';
import { localDefaults } from '../../sandbox/local-env';
import { loadConfig } from '../../src/config';
import type { ContainContext } from '../../src/context';
import { createFlowClient } from '../../src/powerautomate/client';
import { createGraph } from '../../src/graph/client';
import { policyFromConfig } from '../../src/incidents/policy';
import { createLogger } from '../../src/log';
import { MemoryResultStore, MemoryWorkQueue } from '../../src/store/memory';
import { MemoryIncidentStore } from '../../src/store/memory-store';

export interface SandboxContext {
  ctx: ContainContext;
  emulator: GraphEmulator;
  store: MemoryIncidentStore;
  queue: MemoryWorkQueue;
  /** Graph round trips so far (log entries that are not sub-requests of a batch). */
  roundTrips(): number;
  close(): Promise<void>;
}

/**
 * A use case's context without Azurite: the sandbox tenant's Graph and Power Automate API on a loopback port (the
 * real client, pacing and all), the memory store, queue and result store, and the local stack's settings.
 */
export async function sandboxContext(env: Record<string, string> = {}): Promise<SandboxContext> {
  const emulator = new GraphEmulator();
  mountExchange(emulator);
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const body = Buffer.concat(chunks).toString();
    const r = url.pathname.startsWith('/sandbox/flow/')
      ? flowApi(emulator, req.method!, url)
      : url.pathname.startsWith('/sandbox/exchange/')
        ? await exchangeApi(emulator, req.method!, url, headers, body)
        : await emulator.handle(
            req.method!,
            url.pathname.slice('/sandbox/graph'.length) + url.search,
            headers,
            body,
            `${url.origin}/sandbox/graph`,
          );
    if (r.disconnect) return void req.socket.destroy();
    res
      .writeHead(r.status, ('headers' in r ? r.headers : undefined) ?? { 'content-type': 'application/json' })
      .end(r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const config = loadConfig({
    ...localDefaults(port),
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    CONTAIN_LOG_LEVEL: 'silent',
    ...env,
  });
  const store = new MemoryIncidentStore();
  const queue = new MemoryWorkQueue();
  const ctx: ContainContext = {
    config,
    graph: createGraph({ baseUrl: config.graph.baseUrl }),
    flows: config.powerAutomate
      ? createFlowClient({ baseUrl: config.powerAutomate.apiUrl, environment: config.powerAutomate.environment })
      : undefined,
    exchange: exchangeClientFromConfig(config),
    store,
    queue,
    results: new MemoryResultStore(),
    policy: policyFromConfig(config),
    log: createLogger({ level: 'silent' }),
    now: () => new Date(),
  };
  return {
    ctx,
    emulator,
    store,
    queue,
    roundTrips: () => emulator.requests().filter((r) => !r.batchId).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The context with some of its store's methods replaced (a worker dying at one write, a race at one read) and every
 * other method the store's own.
 */
export function withStore(s: SandboxContext, replace: Partial<MemoryIncidentStore>): ContainContext {
  const store = new Proxy(s.store, {
    get: (t, p) => (Object.hasOwn(replace, p) ? replace[p as keyof MemoryIncidentStore] : (Reflect.get(t, p) as () => unknown).bind(t)),
  });
  return { ...s.ctx, store };
}

/** The context whose store fails to remember anything under `scope`, as a worker dying right there. */
export function dyingAt(s: SandboxContext, scope: string): ContainContext {
  return withStore(s, {
    remember: (sc: string, key: string, value: unknown) =>
      sc === scope ? Promise.reject(new Error('worker died')) : s.store.remember(sc, key, value),
  });
}
