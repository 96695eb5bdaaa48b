import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { carrierOfMessage, failSpan, SpanKind, telemetryOn, telemetryStarted, withSpan, type TraceCarrier } from '../../src/telemetry';

let starting: Promise<boolean> | undefined;

/** Hosts whose ingestion endpoint means "a collector on this machine" (tests, a local OpenTelemetry collector). */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * Start OpenTelemetry with the Azure Monitor exporter (traces and metrics to Application Insights) when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set, once per process. Without it nothing is loaded: the SDK is imported
 * here only, on the first invocation that finds the setting, so a cold start without telemetry never pays for it.
 * `options.exporter` adds exporter settings (tests trust their loopback collector's certificate with `tlsOptions`).
 */
export function startTelemetry(
  env: NodeJS.ProcessEnv = process.env,
  options: { exporter?: AzureMonitorOpenTelemetryOptions['azureMonitorExporterOptions'] } = {},
): Promise<boolean> {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return Promise.resolve(false);
  starting ??= (async () => {
    const ingestion = /(?:^|;)\s*IngestionEndpoint=([^;]+)/i.exec(connectionString)?.[1];
    const local = !!ingestion && LOOPBACK.test(new URL(ingestion).hostname);
    // The SDK's own usage statistics go to Microsoft's endpoints, never from a machine whose collector is local.
    if (local)
      for (const k of [
        'APPLICATIONINSIGHTS_STATSBEAT_DISABLED',
        'APPLICATION_INSIGHTS_NO_STATSBEAT',
        'APPLICATIONINSIGHTS_SDKSTATS_DISABLED',
      ])
        env[k] ??= 'true';
    // Application Insights' cloud role: the Function App's name in Azure (the SDK detects it), "contain" elsewhere.
    if (!env.WEBSITE_SITE_NAME) env.OTEL_SERVICE_NAME ??= 'contain';
    const { useAzureMonitor } = await import('@azure/monitor-opentelemetry');
    useAzureMonitor({
      azureMonitorExporterOptions: {
        credential: await entraCredential(env),
        ...options.exporter,
        connectionString,
        disableOfflineStorage: local,
      },
      // Incidents are rare and each trace is the record of one: keep them all (no rate-limited sampling).
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: false,
      // Contain makes its own spans (invocations, queue hand-offs, every Graph request with its request-id); automatic
      // HTTP and Azure SDK spans would repeat them, and could not see into the bundled build anyway.
      instrumentationOptions: {
        http: { enabled: false },
        azureSdk: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
        bunyan: { enabled: false },
        winston: { enabled: false },
      },
    });
    telemetryStarted();
    return true;
  })().catch((err: unknown) => {
    // Telemetry never stops Contain: say so once, and carry on without it.
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'telemetry could not start; continuing without it',
        error: String((err as Error)?.message ?? err),
      }),
    );
    return false;
  });
  return starting;
}

/**
 * With key ingestion off (infra/main.bicep), Application Insights takes telemetry signed by Entra ID only. The Function
 * App names its identity the way the Functions host reads it: APPLICATIONINSIGHTS_AUTHENTICATION_STRING
 * "ClientId=<client id>;Authorization=AAD" (a user-assigned managed identity; without ClientId, the system-assigned one).
 */
async function entraCredential(env: NodeJS.ProcessEnv): Promise<import('@azure/core-auth').TokenCredential | undefined> {
  const auth = Object.fromEntries(
    (env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')
      .split(';')
      .map((kv) => kv.split('=').map((x) => x.trim()))
      .filter(([k, v]) => k && v)
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
  if (auth.authorization?.toUpperCase() !== 'AAD') return undefined;
  const { ManagedIdentityCredential } = await import('@azure/identity');
  return auth.clientid ? new ManagedIdentityCredential({ clientId: auth.clientid }) : new ManagedIdentityCredential();
}

/** Export what is buffered now (tests; the appTerminate hook), without waiting for the exporter's next interval. */
export async function flushTelemetry(): Promise<void> {
  if (!telemetryOn()) return;
  const { trace, metrics } = await import('@opentelemetry/api');
  const flushable = (p: unknown) => p as { forceFlush?: () => Promise<void>; getDelegate?: () => unknown };
  const tracer = flushable(trace.getTracerProvider());
  await flushable(tracer.getDelegate?.() ?? tracer).forceFlush?.();
  await flushable(metrics.getMeterProvider()).forceFlush?.();
}

/** Stop the SDK (flushing what it holds): the appTerminate hook, and tests. */
export async function stopTelemetry(): Promise<void> {
  if (!starting || !(await starting)) return;
  starting = undefined;
  await (await import('@azure/monitor-opentelemetry')).shutdownAzureMonitor();
}

/** The host's trace context for this invocation (its request telemetry), if it gave one. */
function hostCarrier(context: InvocationContext): TraceCarrier | undefined {
  const traceparent = context.traceContext?.traceParent;
  return traceparent
    ? { traceparent, ...(context.traceContext?.traceState ? { tracestate: context.traceContext.traceState } : {}) }
    : undefined;
}

type HttpHandler = (req: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** An HTTP function as a server span under the host's request, with the status it answered. */
export function tracedHttp(name: string, handler: HttpHandler): HttpHandler {
  return async (req, context) => {
    if (!(await startTelemetry())) return handler(req, context);
    const attributes = {
      'faas.trigger': 'http',
      'faas.invocation_id': context.invocationId,
      'http.request.method': req.method,
      'url.path': new URL(req.url).pathname,
    };
    return withSpan(name, { kind: SpanKind.SERVER, parent: hostCarrier(context), attributes }, async (span) => {
      const res = await handler(req, context);
      const status = res.status ?? 200;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) failSpan(span, { code: String(status), message: `HTTP ${status}` });
      return res;
    });
  };
}

/**
 * A queue function as a consumer span that continues the trace the message carries (the chat message that queued
 * it, or the incident's), linked to the host's own trace for the delivery.
 */
export function tracedQueue(
  name: string,
  handler: (message: unknown, context: InvocationContext) => Promise<void>,
): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    if (!(await startTelemetry())) return handler(message, context);
    const carried = carrierOfMessage(message);
    const m = (typeof message === 'object' && message ? message : {}) as { type?: unknown; incidentId?: unknown };
    // Application Insights names a consumer's request after this attribute (a server span's own name otherwise).
    const attributes = {
      'ai.operation.name': name,
      'faas.trigger': 'pubsub',
      'faas.invocation_id': context.invocationId,
      'messaging.destination.name': 'contain-work',
      'contain.work.type': String(m.type ?? 'unknown'),
      ...(typeof m.incidentId === 'string' ? { 'contain.incident_id': m.incidentId } : {}),
    };
    return withSpan(
      name,
      { kind: SpanKind.CONSUMER, parent: carried ?? hostCarrier(context), links: carried ? [hostCarrier(context)] : [], attributes },
      () => handler(message, context),
    );
  };
}

/** A timer function as a span of its own. */
export function tracedTimer(
  name: string,
  handler: (timer: Timer, context: InvocationContext) => Promise<void>,
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (timer, context) => {
    if (!(await startTelemetry())) return handler(timer, context);
    return withSpan(
      name,
      {
        kind: SpanKind.INTERNAL,
        parent: hostCarrier(context),
        attributes: { 'faas.trigger': 'timer', 'faas.invocation_id': context.invocationId },
      },
      () => handler(timer, context),
    );
  };
}
