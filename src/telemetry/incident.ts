import type { ContainContext } from '../context';
import { recordApprovalsWaiting, recordTimeToContain, telemetryOn, traceCarrier, withSpan, type TraceCarrier } from './index';
import { trace } from '@opentelemetry/api';

const SCOPE = 'trace';
const UNFINISHED = new Set(['approved', 'running', 'sending']);

/**
 * Keep the active trace as the incident's (the trace of the chat message that opened it), so the approvals and the
 * execution that come later in other requests join that one trace. Only while telemetry is on: it costs a row.
 */
export async function rememberIncidentTrace(ctx: ContainContext, incidentId: string): Promise<void> {
  if (!telemetryOn()) return;
  trace.getActiveSpan()?.setAttribute('contain.incident_id', incidentId);
  const carrier = traceCarrier();
  if (carrier)
    await ctx.store
      .remember(SCOPE, incidentId, carrier)
      .catch((err: unknown) => ctx.log.warn('could not keep the incident trace', { incidentId, err }));
}

/**
 * Run `fn` as a span of the incident's trace, linked to the request that caused it (a button press is its own
 * request, with its own trace): what `fn` queues carries the incident's trace on to the worker and to Graph.
 */
export async function inIncidentTrace<T>(ctx: ContainContext, incidentId: string, name: string, fn: () => Promise<T>): Promise<T> {
  if (!telemetryOn()) return fn();
  const kept = await ctx.store.recall<TraceCarrier>(SCOPE, incidentId).catch(() => undefined);
  if (!kept) return fn();
  return withSpan(name, { parent: kept.value, links: [traceCarrier()], attributes: { 'contain.incident_id': incidentId } }, () => fn());
}

/**
 * After the worker ran an incident's approved actions: once nothing approved is left and something succeeded,
 * record the time from opening to now as the incident's time to contain (once per incident).
 */
export async function observeContainment(ctx: ContainContext, incidentId: string): Promise<void> {
  if (!telemetryOn()) return;
  const [incident, actions] = await Promise.all([ctx.store.getIncident(incidentId), ctx.store.listActions(incidentId)]);
  if (!incident || incident.dryRun || actions.some((a) => UNFINISHED.has(a.state)) || !actions.some((a) => a.state === 'succeeded')) return;
  if (!(await ctx.store.claim('time-to-contain', incidentId))) return;
  const seconds = (ctx.now().getTime() - Date.parse(incident.createdAt)) / 1000;
  recordTimeToContain(seconds, {
    outcome: actions.every((a) => a.state === 'succeeded' || a.state === 'skipped') ? 'contained' : 'partly',
  });
}

/** The approvals waiting right now (every minute, from the sweeper): how many, and how long the oldest has waited. */
export async function observeApprovals(ctx: ContainContext): Promise<void> {
  if (!telemetryOn()) return;
  const now = ctx.now();
  const waiting = await ctx.store.findActions({ state: 'proposed', before: { field: 'proposedAt', time: now.toISOString() } });
  const oldest = waiting.reduce((min, a) => Math.min(min, Date.parse(a.proposedAt)), now.getTime());
  recordApprovalsWaiting(waiting.length, Math.max(0, (now.getTime() - oldest) / 1000));
}
