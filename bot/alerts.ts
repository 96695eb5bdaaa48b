import type { AlertRequestHandler } from '../src/alerts/run';
import type { ContainContext } from '../src/context';
import { ContainError, toContainError } from '../src/errors';
import type { Actor, AlertFacts, Incident, ThreadRef } from '../src/incidents/model';
import { openContainment, releaseFastPath } from '../src/incidents/open-containment';
import { openOnce } from '../src/incidents/open-once';
import { proposeForLaterAlert } from '../src/incidents/later-alert';
import { systemGrant } from '../src/incidents/policy';
import { updateFacts, updateThreads } from '../src/incidents/threads';
import type { QueuedAlertRequest } from '../src/store/work-queue';
import { containmentView } from '../src/views/containment';
import { loadCampaign } from '../src/wave/campaign';
import { incidentView } from '../src/views/incident';
import { message } from '../src/views/types';
import { incidentChannels } from './channels';
import { notifierFor } from './notifiers';
import { surfaceModule } from './surfaces';

/** The requester of alert-opened incidents: no person, so any approver may approve (four-eyes binds people). */
export const ALERT_ACTOR: Actor = { platform: 'alert', id: 'alert', name: 'alert' };

const SCOPE = 'alert-incident';
/** Discovery takes seconds, longer while a wave fills the report budget: an opener silent this long is presumed dead. */
const OPEN_STALE_MS = 10 * 60_000;
/** Why an alert may open no incident at all: said in the incident channel rather than retried. */
const NOTHING_TO_OPEN = new Set(['USER_PROTECTED', 'USER_NOT_FOUND', 'USER_AMBIGUOUS']);
const NO_CHANNEL = 'No incident channel yet: add Contain to a Teams or Slack channel, or set CONTAIN_INCIDENT_CHANNEL.';

/**
 * The alert poll's hand-off (functions/alerts.ts): queue the request for the worker. Without an incident channel it is
 * refused, so the poll hands it out again later (after REDELIVER_AFTER_MS) instead of opening an incident nobody sees.
 */
export const enqueueAlertRequest: AlertRequestHandler = async (ctx, r) => {
  if (!(await incidentChannels(ctx)).size)
    throw new ContainError('CONFIG_INVALID', `${NO_CHANNEL} The alert about ${r.userPrincipalName ?? r.userId} waits until there is one.`);
  await ctx.queue.send({ type: 'alert', key: r.key, request: { ...r, signals: r.signals.slice(0, 20) } });
};

/**
 * Open the incident for one alert request as `contain` would (discovery, proposed actions, the containment card posted
 * through each platform's Surface into its incident channel), requester "alert". Exactly one incident per request key,
 * with two pollers or workers at once and across a crash mid-open (src/incidents/open-once.ts); 'busy' is a transient
 * error, so the queue brings the message back later.
 */
export async function openAlertIncident(ctx: ContainContext, request: QueuedAlertRequest): Promise<void> {
  const log = ctx.log.child({ alertKey: request.key, userId: request.userId });
  const channels = await incidentChannels(ctx);
  if (!channels.size) throw new ContainError('CONFIG_INVALID', NO_CHANNEL, { transient: true });
  const posted = async (id: string) => {
    const incident = await ctx.store.getIncident(id);
    return !!incident && [...channels.keys()].every((p) => incident.threads[p]);
  };
  // The user has an incident already (typed `contain`, a wave, an earlier alert not yet closed): one incident per
  // person, so the alert is said in that incident's thread rather than opening a second one with the same actions.
  const current = (await ctx.store.findIncidents({ targetUserId: request.userId })).find(
    // A dry run changes nothing: it is no incident to say a real alert on.
    (i) => i.state !== 'closed' && !i.dryRun && i.kind !== 'posture' && i.facts.alert?.key !== request.key,
  );
  if (current) return noteOnIncident(ctx, current, request, log);
  let result: Awaited<ReturnType<typeof openOnce>>;
  try {
    result = await openOnce(ctx, SCOPE, request.key, OPEN_STALE_MS, (id) => open(ctx, request, id, channels, log), posted);
  } catch (err) {
    const e = toContainError(err);
    if (!NOTHING_TO_OPEN.has(e.code)) throw e;
    // Protected, deleted: nothing to contain. Said once in the incident channel, not retried.
    log.warn('alert not turned into an incident', { code: e.code, reason: e.userMessage });
    await tellChannels(
      ctx,
      channels,
      `Alert about ${request.userPrincipalName ?? request.userId}: no incident opened`,
      `${request.signals.map((s) => s.title).join('; ')}. ${e.userMessage}`,
      log,
    );
    return;
  }
  if (result === 'busy')
    throw new ContainError('CONFLICT', `Another worker is opening the incident for ${request.key}; this delivery comes back later.`, {
      transient: true,
    });
  log.info(result.opened ? 'alert-opened incident posted' : 'alert-opened incident was open already', { incidentId: result.incidentId });
}

const alertFacts = (request: QueuedAlertRequest): AlertFacts => ({
  key: request.key,
  signals: request.signals.map(({ source, title, severity, at, reason, url }) => ({ source, title, severity, at, reason, url })),
});

/**
 * Say a new alert in the thread of the user's open incident and keep it for the report. Once per request key: a
 * redelivery finds the key kept and says nothing (a crash between saying and keeping says it twice, never not at all).
 */
async function noteOnIncident(ctx: ContainContext, incident: Incident, request: QueuedAlertRequest, log: ContainContext['log']) {
  if (incident.facts.laterAlerts?.some((a) => a.key === request.key)) return;
  const who = request.userPrincipalName ?? request.userId;
  const alert = alertFacts(request);
  // Identity Protection's report is what step 1's optional action waits for: the card gains it before the note says so.
  const proposed = await proposeForLaterAlert(ctx, incident, alert);
  if (proposed)
    await (await notifierFor(ctx, incident)).updateCard(incident, incidentView(incident, await ctx.store.listActions(incident.id)));
  const text = `${request.signals.map((s) => `${s.title} (${s.severity})`).join('; ')}. ${incident.id} is open for ${who} already, so no second incident was opened; its card stays the one to decide on${proposed ? `, and now also proposes "${proposed.title}"` : ''}.`;
  for (const [name, thread] of await threadsToTell(ctx, incident)) {
    const module = await surfaceModule(name);
    if (!module) continue;
    await module.at(ctx, thread, log).post(message('warning', `New alert about ${who}`, text));
  }
  // Closed while this was said: the close did not see this alert, so the delivery comes back and, finding no open
  // incident, opens one under this still unused key.
  await updateFacts(ctx, incident.id, (f) => ({ ...f, laterAlerts: [...(f.laterAlerts ?? []), alert] }), { openOnly: true });
  await ctx.store.appendAudit(incident.id, { at: ctx.now().toISOString(), event: 'alert.noted', details: { key: request.key } });
  log.info('alert noted on the open incident of the user', { incidentId: incident.id });
}

/** Where an incident is followed in chat: its own threads, or for a wave's incident (it has none) the campaign thread. */
async function threadsToTell(ctx: ContainContext, incident: Incident): Promise<[string, ThreadRef][]> {
  const own = Object.entries(incident.threads).filter((e): e is [string, ThreadRef] => !!e[1]);
  if (own.length || !incident.facts.campaign) return own;
  const thread = (await loadCampaign(ctx, incident.facts.campaign.id))?.thread;
  return thread ? [[thread.platform, thread.thread]] : [];
}

/** Create the reserved incident unless it exists, then post its card wherever it is missing; safe to run again. */
async function open(
  ctx: ContainContext,
  request: QueuedAlertRequest,
  id: string,
  channels: Map<string, Record<string, string | undefined>>,
  log: ContainContext['log'],
): Promise<void> {
  let incident: Incident | undefined = await ctx.store.getIncident(id);
  if (!incident) {
    const alert = alertFacts(request);
    try {
      const r = await openContainment(ctx, {
        query: { kind: 'id', value: request.userId },
        requester: systemGrant(ALERT_ACTOR),
        dryRun: false,
        threads: {},
        incidentId: id,
        origin: { alert },
      });
      if (r.kind === 'incident') incident = r.incident;
    } catch (err) {
      // The store refuses a second create of the same id: another opener of this reservation was first.
      incident = await ctx.store.getIncident(id);
      if (!incident) throw err;
    }
  }
  if (!incident) throw new ContainError('USER_NOT_FOUND', `No single user has the id ${request.userId}.`);
  const view = containmentView(incident, await ctx.store.listActions(id));
  for (const [name, channel] of channels) {
    if (incident.threads[name]) continue;
    const module = (await surfaceModule(name))!;
    const surface = module.at(ctx, channel, log);
    const root = await surface.post(view);
    if (!root) throw new ContainError('INTERNAL', `The ${name} incident channel did not take the card.`, { transient: true });
    await updateThreads(ctx, id, (t) => ({ ...t, [name]: { ...module.threadOf(channel, root), [surface.cardField]: root } }));
  }
  await releaseFastPath(ctx, id);
}

async function tellChannels(
  ctx: ContainContext,
  channels: Map<string, Record<string, string | undefined>>,
  title: string,
  text: string,
  log: ContainContext['log'],
): Promise<void> {
  for (const [name, channel] of channels) {
    await (await surfaceModule(name))!
      .at(ctx, channel, log)
      .post(message('warning', title, text))
      .catch((err: unknown) => log.warn('could not post in the incident channel', { platform: name, err }));
  }
}
