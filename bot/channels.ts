import type { ContainContext } from '../src/context';
import { storedIncidentChannel } from '../src/incidents/channel';
import type { ThreadRef } from '../src/incidents/model';
import { surfaceModule, surfaceNames } from './surfaces';

/**
 * The incident channel of every platform that has one: the one CONTAIN_INCIDENT_CHANNEL names, else the one Contain
 * was last added to. A platform with neither is left out (its module is not even loaded).
 */
export async function incidentChannels(ctx: ContainContext): Promise<Map<string, ThreadRef>> {
  const out = new Map<string, ThreadRef>();
  for (const name of Object.keys(ctx.config.incidentChannels))
    if (!surfaceNames().includes(name))
      ctx.log.warn('CONTAIN_INCIDENT_CHANNEL names a platform this build does not speak', { platform: name });
  for (const name of surfaceNames()) {
    const configured = ctx.config.incidentChannels[name];
    const stored = await storedIncidentChannel(ctx, name);
    if (!configured) {
      if (stored) out.set(name, stored);
      continue;
    }
    const module = await surfaceModule(name);
    if (module) out.set(name, module.channel(ctx, configured, stored));
  }
  return out;
}
