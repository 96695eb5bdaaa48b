import Module from 'node:module';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * A stand-in for the Azure Functions Node worker, the way it loads an app: it provides `@azure/functions-core` (by
 * intercepting require of that name, as the worker does), loads every entry file of the app (package.json "main"),
 * records what @azure/functions registers, and invokes a function through the registered programming model with the
 * RPC-shaped input the host sends. bench:cold and the bundle tests use it to run bundled and unbundled builds the
 * same way Azure would; Core Tools (`func`) is a downloaded binary that cannot be installed here.
 */
export interface FunctionsHost {
  /** Registered function names, in registration order. */
  names(): string[];
  /** Hooks registered with the worker (appStart, ...). */
  hooks(): string[];
  /** Run the registered hooks of one kind, as the worker does at app start ("appStart") and shutdown ("appTerminate"). */
  runHooks(name: 'appStart' | 'appTerminate'): Promise<void>;
  /** Invoke an HTTP-triggered function; resolves to the status and body the host would send. */
  http(
    name: string,
    request: { method: string; url: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; body: string; headers: Record<string, string> }>;
  /** Invoke a queue-triggered function with the message as the host hands it over (base64 decoded, JSON parsed when it is JSON). */
  queue(name: string, message: string): Promise<void>;
}

interface RpcBinding {
  type: string;
  direction: string;
}
interface Registered {
  metadata: { name: string; bindings: Record<string, RpcBinding> };
  handler: (...args: unknown[]) => unknown;
}
interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: Registered['handler']): Promise<unknown>;
  getResponse(
    context: unknown,
    result: unknown,
  ): Promise<{
    returnValue?: { http?: { statusCode?: string; headers?: Record<string, string>; body?: { bytes?: Uint8Array; string?: string } } };
  }>;
}
interface ProgrammingModel {
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

/** A real dynamic import: TypeScript's CommonJS output would turn `import()` into require(), which cannot load .mjs. */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

type HookCallback = (coreContext: { hookData: Record<string, unknown>; appHookData: Record<string, unknown> }) => unknown;
let installed:
  { functions: Map<string, Registered>; hooks: { name: string; callback: HookCallback }[]; model?: ProgrammingModel } | undefined;

/** Install `@azure/functions-core` for this process (once) and load the app's entry files, CommonJS or ES modules. */
export async function loadFunctionsApp(files: string[]): Promise<FunctionsHost> {
  const state = (installed ??= installCore());
  for (const file of files) {
    if (file.endsWith('.mjs')) await importModule(pathToFileURL(file).href);
    else require(file); // eslint-disable-line @typescript-eslint/no-require-imports
  }
  const registered = (name: string) => {
    const fn = state.functions.get(name);
    if (!fn) throw new Error(`No function named ${name}; registered: ${[...state.functions.keys()].join(', ')}`);
    if (!state.model) throw new Error('@azure/functions never set its programming model');
    const trigger = Object.entries(fn.metadata.bindings).find(([, b]) => /Trigger$/.test(b.type))!;
    return { fn, model: state.model, triggerName: trigger[0] };
  };
  const invoke = async (name: string, data: unknown) => {
    const { fn, model, triggerName } = registered(name);
    const coreCtx = {
      invocationId: randomUUID(),
      metadata: fn.metadata,
      request: { inputData: [{ name: triggerName, data }], triggerMetadata: {} },
      state: undefined,
      log: () => undefined,
    };
    const invocation = model.getInvocationModel(coreCtx);
    const { context, inputs } = await invocation.getArguments();
    const result = await invocation.invokeFunction(context, inputs, fn.handler);
    return invocation.getResponse(context, result);
  };
  return {
    names: () => [...state.functions.keys()],
    hooks: () => state.hooks.map((h) => h.name),
    async runHooks(name) {
      for (const h of state.hooks.filter((x) => x.name === name)) await h.callback({ hookData: {}, appHookData: {} });
    },
    async http(name, request) {
      const rpc = await invoke(name, {
        http: {
          method: request.method,
          url: request.url,
          headers: request.headers ?? {},
          body: request.body === undefined ? undefined : { string: request.body },
          query: {},
          params: {},
        },
      });
      const http = rpc.returnValue?.http;
      const body = http?.body?.bytes ? Buffer.from(http.body.bytes).toString('utf8') : (http?.body?.string ?? '');
      return { status: Number(http?.statusCode ?? 200), body, headers: http?.headers ?? {} };
    },
    async queue(name, message) {
      await invoke(name, { string: message });
    },
  };
}

function installCore(): NonNullable<typeof installed> {
  const state: NonNullable<typeof installed> = { functions: new Map(), hooks: [] };
  const core = {
    version: '3.10.1',
    hostVersion: '4.1040.0',
    setProgrammingModel: (model: ProgrammingModel) => void (state.model = model),
    getProgrammingModel: () => state.model,
    registerFunction: (metadata: Registered['metadata'], handler: Registered['handler']) => {
      state.functions.set(metadata.name, { metadata, handler });
      return { dispose: () => state.functions.delete(metadata.name) };
    },
    registerHook: (name: string, callback: HookCallback) => {
      const hook = { name, callback };
      state.hooks.push(hook);
      return { dispose: () => void state.hooks.splice(state.hooks.indexOf(hook), 1) };
    },
    log: () => undefined,
    Disposable: class {
      dispose(): void {}
    },
  };
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply: (target, self, args: [string]) => (args[0] === '@azure/functions-core' ? core : Reflect.apply(target, self, args)),
  });
  return state;
}
