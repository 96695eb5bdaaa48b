import { telemetryOn } from '../../src/telemetry';

/**
 * Metrics that need a storage read, taken only while telemetry is on: after the worker ran an incident's actions,
 * its time to contain; after the sweeper, the approvals waiting. A failure here is logged and never fails the function.
 */
export async function observeWork(message: unknown): Promise<void> {
  const m = message as { type?: unknown; incidentId?: unknown } | null;
  if (!telemetryOn() || typeof m !== 'object' || m?.type !== 'execute' || typeof m.incidentId !== 'string') return;
  const incidentId = m.incidentId;
  const [{ getContext }, { observeContainment }] = await Promise.all([import('../../src/runtime'), import('../../src/telemetry/incident')]);
  const ctx = await getContext();
  await observeContainment(ctx, incidentId).catch((err: unknown) => ctx.log.warn('could not measure time to contain', { incidentId, err }));
}

/** The sweeper's minute: how many approvals wait, and the oldest's age. */
export async function observeApprovalsWaiting(): Promise<void> {
  if (!telemetryOn()) return;
  const [{ getContext }, { observeApprovals }] = await Promise.all([import('../../src/runtime'), import('../../src/telemetry/incident')]);
  const ctx = await getContext();
  await observeApprovals(ctx).catch((err: unknown) => ctx.log.warn('could not count the approvals waiting', { err }));
}
