import { ContainError } from '../errors';
import type { ContainContext } from '../context';
import { ConcurrencyError } from '../store/incident-store';
import type { Incident } from './model';

/**
 * Change an incident with a compare-and-swap retry loop: re-read, apply `patch`, write on the ETag.
 * 'lost' when every attempt lost the race.
 */
async function updateIncidentWith(
  ctx: ContainContext,
  incidentId: string,
  patch: (incident: Incident) => Incident,
): Promise<'saved' | 'missing' | 'lost'> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) return 'missing';
    try {
      await ctx.store.updateIncident(patch(incident));
      return 'saved';
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  return 'lost';
}

/** Change an incident's facts (e.g. scope results); `openOnly`: refused (a transient error) once it is closed. */
export async function updateFacts(
  ctx: ContainContext,
  incidentId: string,
  patch: (facts: Incident['facts']) => Incident['facts'],
  options: { openOnly?: boolean } = {},
): Promise<void> {
  await updateIncidentWith(ctx, incidentId, (i) => {
    if (options.openOnly && i.state === 'closed')
      throw new ContainError('CONFLICT', `${i.id} was closed meanwhile.`, { transient: true, details: { incidentId: i.id } });
    return { ...i, facts: patch(i.facts) };
  });
}

/**
 * Keep investigation results with the user's newest incident unless it is closed (a contained incident still gets
 * its report written): the report reads them from there.
 */
export async function recordOnIncident(
  ctx: ContainContext,
  userId: string,
  patch: (facts: Incident['facts']) => Incident['facts'],
): Promise<void> {
  try {
    const [latest] = await ctx.store.findIncidents({ targetUserId: userId });
    if (latest && latest.state !== 'closed') await updateFacts(ctx, latest.id, patch);
  } catch (err) {
    // The answer matters more than the copy for the report (and the CLI may run without storage).
    if (!(err instanceof ContainError && err.code === 'STORE_ERROR')) throw err;
    ctx.log.warn('could not keep investigation results on the incident', { err, userId });
  }
}

/** Record where an incident's card went (Teams activity id, Slack ts). */
export async function updateThreads(
  ctx: ContainContext,
  incidentId: string,
  patch: (threads: Incident['threads']) => Incident['threads'],
): Promise<void> {
  if ((await updateIncidentWith(ctx, incidentId, (i) => ({ ...i, threads: patch(i.threads) }))) === 'lost')
    ctx.log.warn('could not record the card location after 8 attempts', { incidentId });
}
