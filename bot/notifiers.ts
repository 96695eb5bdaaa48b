import type { ContainContext } from '../src/context';
import type { Incident } from '../src/incidents/model';
import type { Notifier } from '../src/incidents/notifier';
import { surfaceModule } from './surfaces';

/** Fan a notification out to every platform the incident has a thread on; each platform module loads only if used. */
export async function notifierFor(ctx: ContainContext, incident: Incident | undefined): Promise<Notifier> {
  const names = Object.keys(incident?.threads ?? {}).filter((name) => incident?.threads[name]);
  const modules = await Promise.all(names.map(surfaceModule));
  const targets = modules.filter((m) => m !== undefined).map((m) => m.notifier(ctx));
  return {
    updateCard: async (i, v) => void (await Promise.all(targets.map((t) => t.updateCard(i, v)))),
    postStatus: async (i, t) => void (await Promise.all(targets.map((n) => n.postStatus(i, t)))),
  };
}
