/** Structured JSON logging: one line per event, a correlation id on every line, secrets redacted. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also carry these fields (use it for correlationId, incidentId). */
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

const SECRET_KEY = /pass(word)?|secret|token|authorization|signature|cookie|credential/i;

/** Replace values under secret-looking keys, recursively; generated passwords must never reach a log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'boolean' ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err) };
  const e = err as Error & { code?: unknown; details?: unknown };
  return { error: { name: e.name, message: e.message, code: e.code, details: redact(e.details), stack: e.stack } };
}

/** Create a logger writing JSON lines to `sink` (stdout by default). */
export function createLogger(options: { level?: LogLevel; sink?: LogSink; fields?: Record<string, unknown> } = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? ((line: string) => process.stdout.write(line + '\n'));
  const base = options.fields ?? {};
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    const { err, ...rest } = fields ?? {};
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...base,
      ...(redact(rest) as object),
      ...(err ? errorFields(err) : {}),
    };
    sink(JSON.stringify(record));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level, sink, fields: { ...base, ...fields } }),
  };
}
