import type { ContainContext } from '../context';
import { ConcurrencyError } from '../store/incident-store';
import type { Incident } from './model';

/** Change an incident's facts with a compare-and-swap retry loop. */
export async function updateFacts(ctx: ContainContext, incidentId: string, patch: (facts: Incident['facts']) => Incident['facts']): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) return;
    try {
      await ctx.store.updateIncident({ ...incident, facts: patch(incident.facts) });
      return;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
}

/** Record where an incident's card went (Teams activity id, Slack ts), retrying the compare-and-swap on conflict. */
export async function updateThreads(ctx: ContainContext, incidentId: string, patch: (threads: Incident['threads']) => Incident['threads']): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) return;
    try {
      await ctx.store.updateIncident({ ...incident, threads: patch(incident.threads) });
      return;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  ctx.log.warn('could not record the card location after 8 attempts', { incidentId });
}
