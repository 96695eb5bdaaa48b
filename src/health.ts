import type { TokenCredential } from '@azure/core-auth';
import type { Config } from './config';
import type { ContainContext } from './context';
import { createCredential, GRAPH_SCOPE } from './graph/auth';
import { DOCTOR_TTL_MS, keptDoctor } from './doctor/latest';
import { StorageWorkQueue } from './store/queue-storage';

/** One component of /api/health: whether it works, how long the probe took, and a word on why not (never a secret). */
export interface HealthCheck {
  ok: boolean;
  ms: number;
  /** An error class or code ("RestError 403", "CredentialUnavailableError"), never its message: messages can carry URLs and keys. */
  error?: string;
  note?: string;
}

export interface HealthReport {
  /** ok: everything works; degraded: Contain runs but doctor fails or has not run lately; failing: it cannot work. */
  status: 'ok' | 'degraded' | 'failing';
  mode: 'local' | 'azure';
  at: string;
  checks: { table: HealthCheck; queue: HealthCheck; results: HealthCheck; token: HealthCheck; graph: HealthCheck };
  doctor: { ran: false } | { ran: true; at: string; ok: boolean; stale: boolean; failing: string[]; optionalFailing: string[] };
}

let credential: { config: Config; value: Promise<TokenCredential | undefined> } | undefined;

/** The Graph credential of this configuration, made once (it caches its tokens). */
function graphCredential(config: Config): Promise<TokenCredential | undefined> {
  if (credential?.config !== config) credential = { config, value: createCredential(config.graph.credential) };
  return credential.value;
}

/** What went wrong, as a class and status only. */
function errorWord(err: unknown): string {
  const e = err as { name?: string; code?: unknown; statusCode?: unknown };
  return [
    e?.name ?? 'Error',
    typeof e?.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : undefined,
    typeof e?.statusCode === 'number' ? e.statusCode : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

async function probe(fn: () => Promise<string | void>, timeoutMs: number): Promise<HealthCheck> {
  const started = Date.now();
  try {
    const note = await Promise.race([
      fn(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(Object.assign(new Error('timeout'), { name: 'Timeout' })), timeoutMs).unref(),
      ),
    ]);
    return { ok: true, ms: Date.now() - started, ...(note ? { note } : {}) };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: errorWord(err) };
  }
}

/**
 * Probe what Contain needs, in parallel, each within `timeoutMs`: table, queue and result storage (a real read each),
 * a Graph token from the configured credential (in local mode the sandbox tenant takes none), a Graph read, and the
 * latest `contain doctor` result. Reports no secret, token, connection string or error message.
 */
export async function checkHealth(ctx: ContainContext, options: { timeoutMs?: number } = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const [table, queue, results, token, graph, kept] = await Promise.all([
    probe(async () => void (await ctx.store.recall('health', 'probe')), timeoutMs),
    probe(async () => {
      if (!(ctx.queue instanceof StorageWorkQueue)) return 'in memory';
      await ctx.queue.ensure();
      await ctx.queue.client.getProperties();
    }, timeoutMs),
    probe(async () => void (await ctx.results.get('health-probe', 'json')), timeoutMs),
    probe(async () => {
      const cred = await graphCredential(ctx.config);
      if (!cred) return 'no credential configured: the sandbox tenant takes no token';
      const t = await cred.getToken(GRAPH_SCOPE);
      if (!t) throw Object.assign(new Error('no token'), { name: 'NoToken' });
      return `${ctx.config.graph.credential.kind} token valid for ${Math.max(0, Math.round((t.expiresOnTimestamp - Date.now()) / 60_000))} min`;
    }, timeoutMs),
    probe(async () => void (await ctx.graph.get('/users?$top=1&$select=id', { what: 'the health probe' })), timeoutMs),
    Promise.race([keptDoctor(ctx), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref())]).catch(
      () => undefined,
    ),
  ]);
  const now = ctx.now();
  const doctor: HealthReport['doctor'] = kept
    ? {
        ran: true,
        at: kept.at,
        ok: kept.checks.every((c) => c.ok || c.optional),
        stale: now.getTime() - Date.parse(kept.at) > DOCTOR_TTL_MS,
        failing: kept.checks.filter((c) => !c.ok && !c.optional).map((c) => c.id),
        optionalFailing: kept.checks.filter((c) => !c.ok && c.optional).map((c) => c.id),
      }
    : { ran: false };
  const failing = ![table, queue, results, token, graph].every((c) => c.ok);
  const status = failing ? 'failing' : doctor.ran && doctor.ok && !doctor.stale ? 'ok' : 'degraded';
  return { status, mode: ctx.config.mode, at: now.toISOString(), checks: { table, queue, results, token, graph }, doctor };
}
