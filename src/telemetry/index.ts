import {
  context,
  metrics,
  trace,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type MeterProvider,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { queueBody } from '../store/queue-body';

/**
 * Contain's telemetry port: spans and metrics through the OpenTelemetry API only. Nothing is recorded until an SDK
 * registers itself (functions/lib/telemetry.ts, when APPLICATIONINSIGHTS_CONNECTION_STRING is set); until then every
 * call here is a cheap no-op. The library never imports an SDK or exporter.
 */
// Asked for at each use: a tracer taken before the SDK registered would stay bound to the API's old proxy, which the
// SDK's start-up replaces.
const tracer = () => trace.getTracer('contain');

/** A trace context as it travels in a queue message or is kept with an incident (W3C Trace Context). */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export { SpanKind };

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Continue this trace instead of the active one (a queued message, an incident's trace). */
  parent?: TraceCarrier | Context;
  /** Traces this work is related to but not part of (the request that caused it, when it joins another trace). */
  links?: (TraceCarrier | SpanContext | undefined)[];
  startTime?: number;
}

/** Run `fn` in a new active span; the span records a thrown error and always ends. */
export async function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent =
    options.parent === undefined ? context.active() : 'traceparent' in options.parent ? contextOf(options.parent) : options.parent;
  const links: Link[] = (options.links ?? []).flatMap((l) => {
    const sc = !l ? undefined : 'traceparent' in l ? parseTraceparent(l) : l;
    return sc && trace.isSpanContextValid(sc) ? [{ context: sc }] : [];
  });
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links, startTime: options.startTime },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** A finished span with known times (a $batch sub-request: it ran inside its envelope). */
export function recordSpan(name: string, startTime: number, endTime: number, attributes: Attributes, failed = false): void {
  const span = tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endTime);
}

/** Mark a span failed with the error's name, code and message (never a request body). */
export function failSpan(span: Span, err: unknown): void {
  const e = err as { name?: string; message?: string; code?: unknown };
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(e?.message ?? err).slice(0, 300) });
  span.setAttribute('error.type', String(e?.code ?? e?.name ?? 'Error'));
}

/** Whether spans are being recorded (an SDK is registered and this trace is sampled): skip telemetry-only reads otherwise. */
export function tracing(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/** The active trace context, to put in a queue message; undefined when nothing is being traced. */
export function traceCarrier(): TraceCarrier | undefined {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  const state = sc.traceState?.serialize();
  return { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}`, ...(state ? { tracestate: state } : {}) };
}

/** The trace context a carrier names, as a parent for new spans (the active context if the carrier is malformed). */
export function contextOf(carrier: TraceCarrier): Context {
  const sc = parseTraceparent(carrier);
  return sc ? trace.setSpanContext(context.active(), sc) : context.active();
}

/** W3C traceparent `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`; undefined when it is not one. */
export function parseTraceparent(carrier: Partial<TraceCarrier> | undefined): SpanContext | undefined {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(carrier?.traceparent?.trim() ?? '');
  if (!m) return undefined;
  const sc: SpanContext = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16), isRemote: true };
  return trace.isSpanContextValid(sc) ? sc : undefined;
}

/** The trace carrier of a queued work message as the host hands it over (object or JSON or base64 JSON text). */
export function carrierOfMessage(message: unknown): TraceCarrier | undefined {
  const v = queueBody(message) as Partial<TraceCarrier> | null | undefined;
  return v && typeof v.traceparent === 'string'
    ? { traceparent: v.traceparent, ...(typeof v.tracestate === 'string' ? { tracestate: v.tracestate } : {}) }
    : undefined;
}

// Metric instruments are made from the meter provider registered at the time: the API has no proxy for meters, so an
// instrument made before the SDK registered would stay a no-op for good.
let instruments: { provider: MeterProvider; make: ReturnType<typeof makeInstruments> } | undefined;
function makeInstruments() {
  const meter = metrics.getMeter('contain');
  return {
    throttled: meter.createCounter('contain.graph.throttled', {
      description: 'Microsoft Graph answers 429 (requests and $batch sub-requests)',
      unit: '{response}',
    }),
    retries: meter.createCounter('contain.graph.retries', {
      description: 'Microsoft Graph requests sent again after a transient failure',
      unit: '{request}',
    }),
    timeToContain: meter.createHistogram('contain.incident.time_to_contain', {
      description: 'From the incident opening to its last approved containment action done',
      unit: 's',
    }),
    waiting: meter.createGauge('contain.approvals.waiting', { description: 'Proposed actions waiting for an approver', unit: '{action}' }),
    oldestWait: meter.createGauge('contain.approvals.oldest_wait', {
      description: 'How long the oldest proposed action has waited',
      unit: 's',
    }),
  };
}
function meter(): ReturnType<typeof makeInstruments> {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider !== provider) instruments = { provider, make: makeInstruments() };
  return instruments.make;
}

/** A 429 from Graph; `service` is the budget it counts against (low cardinality: no ids or addresses). */
export function countThrottled(attributes: { service: string; batch: boolean }): void {
  meter().throttled.add(1, { 'graph.service': attributes.service, 'graph.batch': attributes.batch });
}

/** A Graph request or sub-request about to be sent again. */
export function countRetry(attributes: { status: number | 'network'; batch: boolean }): void {
  meter().retries.add(1, { 'http.response.status_code': String(attributes.status), 'graph.batch': attributes.batch });
}

/** An incident contained: seconds from opening to its last approved action done. */
export function recordTimeToContain(seconds: number, attributes: { outcome: 'contained' | 'partly' }): void {
  meter().timeToContain.record(seconds, { 'contain.outcome': attributes.outcome });
}

/** Proposed actions waiting for a decision right now, and how long the oldest has waited. */
export function recordApprovalsWaiting(count: number, oldestSeconds: number): void {
  meter().waiting.record(count);
  meter().oldestWait.record(oldestSeconds);
}

let sdkStarted = false;

/** Called by the SDK set-up once it has registered (functions/lib/telemetry.ts). */
export function telemetryStarted(): void {
  sdkStarted = true;
}

/** Whether an SDK exports what is recorded here: telemetry-only work (a storage read for a metric) is skipped otherwise. */
export function telemetryOn(): boolean {
  return sdkStarted;
}
