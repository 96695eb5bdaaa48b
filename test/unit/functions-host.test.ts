import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../src/config';
import { localDefaults } from '../../sandbox/local-env';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const functionFiles = readdirSync(join(root, 'functions')).filter((f) => f.endsWith('.ts'));

/**
 * What the Azure Functions Node worker gives @azure/functions v4 as `@azure/functions-core`: registerFunction with the
 * function's metadata (name, bindings) and registerHook. Standing in for the worker shows what `func start` and Azure
 * would register from each file, without Core Tools (a downloaded binary, not installable here).
 */
type Metadata = {
  name: string;
  bindings: Record<
    string,
    {
      type: string;
      direction: string;
      route?: string;
      methods?: string[];
      authLevel?: string;
      queueName?: string;
      connection?: string;
      schedule?: string;
    }
  >;
};
const mockRegistered: Metadata[] = [];
const mockHooks: string[] = [];
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    registerFunction: (metadata: Metadata) => {
      mockRegistered.push(metadata);
      return { dispose: () => undefined };
    },
    registerHook: (name: string) => {
      mockHooks.push(name);
      return { dispose: () => undefined };
    },
    log: () => undefined,
  }),
  { virtual: true },
);

/** Load one functions/ file in a fresh module registry and return what it registered with the worker. */
function registrations(file: string): { functions: Metadata[]; hooks: string[] } {
  mockRegistered.length = 0;
  mockHooks.length = 0;
  jest.isolateModules(() => {
    require(join(root, 'functions', file)); // eslint-disable-line @typescript-eslint/no-require-imports
  });
  return { functions: [...mockRegistered], hooks: [...mockHooks] };
}

describe('the Functions host finds every function (func start, Azure)', () => {
  test('package.json main is a glob matching where `npm run build` writes every functions/*.ts', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { extends: string; include: string[] };
    const base = JSON.parse(read(build.extends)) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(build.include).toContain('functions');
    const main = (JSON.parse(read('package.json')) as { main: string }).main;
    const glob = new RegExp(`^${main.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    for (const file of functionFiles) {
      const emitted = join(base.compilerOptions.outDir, relative(base.compilerOptions.rootDir, join('functions', file)))
        .replace(/\.ts$/, '.js')
        .split('\\')
        .join('/');
      expect(emitted).toMatch(glob);
    }
  });

  test('every functions/*.ts registers through app.http, app.storageQueue, app.timer or an app hook', () => {
    const empty = functionFiles.filter((f) => {
      const r = registrations(f);
      return r.functions.length === 0 && r.hooks.length === 0;
    });
    expect(empty).toEqual([]);
  });

  test('the host sees the routes, queue and timer that infra, host.json and the docs name', () => {
    const all = functionFiles.flatMap((f) => registrations(f).functions);
    const triggers = Object.fromEntries(
      all.map((m) => [m.name, Object.values(m.bindings).find((b) => b.direction === 'in' && /Trigger$/.test(b.type))!]),
    );
    expect(Object.keys(triggers).sort()).toEqual([
      'alerts',
      'health',
      'incident-report',
      'results',
      'slack-events',
      'sweeper',
      'teams-messages',
      'worker',
    ]);
    expect(triggers['teams-messages']).toMatchObject({ type: 'httpTrigger', route: 'messages', methods: ['POST'], authLevel: 'anonymous' });
    expect(triggers['slack-events']).toMatchObject({ type: 'httpTrigger', route: 'slack/events' });
    expect(triggers['incident-report']).toMatchObject({ type: 'httpTrigger', authLevel: 'function' });
    expect(triggers.health).toMatchObject({ type: 'httpTrigger', route: 'health', methods: ['GET'], authLevel: 'function' });
    // The queue main.bicep creates, on the storage connection the Function App and local.settings.json configure.
    expect(triggers.worker).toMatchObject({ type: 'queueTrigger', queueName: 'contain-work', connection: 'AzureWebJobsStorage' });
    expect(read('infra/main.bicep')).toContain("resource work 'queues' = { name: 'contain-work' }");
    expect(triggers.sweeper).toMatchObject({ type: 'timerTrigger', schedule: '0 */1 * * * *' });
    expect(triggers.alerts).toMatchObject({ type: 'timerTrigger', schedule: '0 */1 * * * *' });
    expect(registrations('startup.ts').hooks).toEqual(['appStart', 'appTerminate']);
  });
});

describe('local.settings.json.example (func start against the sandbox of npm start)', () => {
  const settings = JSON.parse(read('local.settings.json.example')) as { IsEncrypted: boolean; Values: Record<string, string> };

  test('is what Core Tools expects: unencrypted, the node worker, Azurite for AzureWebJobsStorage', () => {
    expect(settings.IsEncrypted).toBe(false);
    expect(settings.Values).toMatchObject({ FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
  });

  test('points Contain at the sandbox tenant exactly as npm start does (port 3978)', () => {
    const defaults = localDefaults(3978);
    const shared = Object.keys(settings.Values).filter((k) => k in defaults);
    expect(shared.length).toBeGreaterThan(8);
    for (const k of shared) expect([k, settings.Values[k]]).toEqual([k, defaults[k]]);
    // Every sandbox default is there but PORT (npm start's own server; func start serves on 7071).
    expect(Object.keys(defaults).filter((k) => !(k in settings.Values))).toEqual(['PORT']);
  });

  test('is a configuration Contain starts with, storage from AzureWebJobsStorage', () => {
    const config = loadConfig(settings.Values);
    expect(config.mode).toBe('local');
    expect(config.graph.baseUrl).toBe('http://127.0.0.1:3978/sandbox/graph');
    expect(config.storage.connectionString).toBe('UseDevelopmentStorage=true');
    expect(config.links.baseUrl).toBe('http://localhost:7071');
  });

  test('local.settings.json itself is git-ignored (it may hold real settings)', () => {
    expect(read('.gitignore').split('\n')).toContain('local.settings.json');
  });
});
