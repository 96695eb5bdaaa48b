import type { CloudAdapter } from 'botbuilder';
import type { Incident } from '../../src/incidents/model';
import type { Notifier } from '../../src/incidents/notifier';
import type { IncidentView } from '../../src/views/types';
import { cardActivity, plainActivity } from './render';
import { asTeamsThread, referenceOf } from './thread';

/** Proactive updates into the incident's Teams thread, from the worker. */
export function teamsNotifier(adapter: CloudAdapter, appId: string): Notifier {
  const inThread = async (incident: Incident, fn: Parameters<CloudAdapter['continueConversationAsync']>[2]) => {
    const thread = incident.threads.teams;
    if (!thread) return;
    await adapter.continueConversationAsync(appId, referenceOf(asTeamsThread(thread)), fn as never);
  };
  return {
    async updateCard(incident: Incident, view: IncidentView) {
      const id = incident.threads.teams?.cardActivityId;
      await inThread(incident, async (ctx) => {
        if (id) await ctx.updateActivity({ ...cardActivity(view), id });
        else await ctx.sendActivity(cardActivity(view));
      });
    },
    async postStatus(incident: Incident, text: string) {
      await inThread(incident, async (ctx) => {
        await ctx.sendActivity(plainActivity(text));
      });
    },
  };
}
