import type { ContainContext } from '../src/context';
import type { Incident } from '../src/incidents/model';
import type { Notifier } from '../src/incidents/notifier';

/** Fan a notification out to every platform the incident has a thread on; each platform module loads only if used. */
export async function notifierFor(ctx: ContainContext, incident: Incident | undefined): Promise<Notifier> {
  const targets: Notifier[] = [];
  if (incident?.threads.teams) {
    const [{ getAdapter }, { teamsNotifier }] = await Promise.all([import('./teams/adapter'), import('./teams/notifier')]);
    targets.push(teamsNotifier(getAdapter(ctx.config, ctx.log), ctx.config.teams.appId));
  }
  if (incident?.threads.slack) {
    const [{ slackClient }, { slackNotifier }] = await Promise.all([import('./slack/client'), import('./slack/notifier')]);
    targets.push(slackNotifier(slackClient(ctx.config)));
  }
  return {
    updateCard: async (i, v) => void (await Promise.all(targets.map((t) => t.updateCard(i, v)))),
    postStatus: async (i, t) => void (await Promise.all(targets.map((n) => n.postStatus(i, t)))),
  };
}
