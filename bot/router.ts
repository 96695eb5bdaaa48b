import type { ContainContext } from '../src/context';
import type { UserQuery } from '../src/directory/find-user';
import { ContainError } from '../src/errors';
import type { Actor } from '../src/incidents/model';
import { openContainment } from '../src/incidents/open-containment';
import { incidentView } from '../src/views/incident';
import { closeIncident } from '../src/incidents/close';
import { buildReport } from '../src/incidents/report';
import { investigateUser } from '../src/investigate/live';
import { scopeUser } from '../src/investigate/scope';
import { offerWave } from '../src/wave/offer';
import { huntUserAgents } from '../src/investigate/hunt';
import { postureView } from '../src/posture/status';
import { offerPilot } from '../src/posture/pilot';
import { withDownload } from '../src/investigate/publish';
import { findUser } from '../src/directory/find-user';
import type { Incident } from '../src/incidents/model';
import type { IncidentListView } from '../src/views/types';
import type { View } from '../src/views/types';
import { authorize, refuseTarget } from '../src/incidents/policy';
import { COMMAND_ROLES } from '../src/incidents/roles';
import { parseCommand, USAGE, type Command, type Target } from '../src/commands';
import { runDoctor } from '../src/doctor/run';
import { keepDoctor } from '../src/doctor/latest';
import { doctorView } from '../src/doctor/format';
import { INCIDENT_ID } from '../src/ids';
import type { Surface } from './core/surface';

export interface RouteInput {
  command: Command;
  actor: Actor;
  /** The conversation the command came from: its platform and thread, how mentions resolve, which channel it is. */
  surface: Pick<Surface, 'name' | 'thread' | 'resolveMention' | 'channelOf'>;
  signal?: AbortSignal;
  /** Posts (then updates) one progress line in the thread while long reads run. */
  progress?: (text: string) => Promise<void>;
}

export interface RouteOutput {
  views: View[];
  /** Set when a new incident was opened: the platform records where its card went. */
  incidentId?: string;
}

async function toQuery(target: Target, input: RouteInput): Promise<UserQuery> {
  if (target.kind !== 'mention') return target;
  if (!input.surface.resolveMention)
    throw new ContainError(
      'BAD_COMMAND',
      "That mention only works on the chat platform it was typed in; type the user's name or email instead.",
    );
  return { kind: 'email', value: await input.surface.resolveMention(target.value) };
}

/** Command -> role check (COMMAND_ROLES) -> use case in src/ -> view models. Never platform JSON. */
export async function route(ctx: ContainContext, input: RouteInput): Promise<RouteOutput> {
  const c = input.command;
  // Before anything is looked up: a refused person learns nothing, and no result link is minted for them.
  const grant = await authorize(ctx, input.actor, COMMAND_ROLES[c.name], c.name);
  switch (c.name) {
    case 'help':
      return { views: [{ kind: 'help', commands: USAGE }] };
    case 'contain': {
      const r = await openContainment(ctx, {
        query: await toQuery(c.target, input),
        requester: grant,
        dryRun: c.dryRun,
        sinceDays: c.sinceDays,
        threads: { [input.surface.name]: input.surface.thread },
        signal: input.signal,
      });
      return r.kind === 'chooser' ? { views: [r.view] } : { views: [r.view], incidentId: r.incident.id };
    }
    case 'status': {
      if (!c.incidentId) return { views: [await openIncidentsHere(ctx, input.surface)] };
      const incident = await ctx.store.getIncident(c.incidentId);
      if (!incident) throw new ContainError('NOT_FOUND', `No incident ${c.incidentId}.`);
      refuseTarget(incident, input.actor);
      return { views: [incidentView(incident, await ctx.store.listActions(incident.id))] };
    }
    case 'report': {
      const incidentId = await incidentFor(ctx, c.ref, input);
      const incident = await ctx.store.getIncident(incidentId);
      if (incident) refuseTarget(incident, input.actor);
      return { views: [await withDownload(ctx, grant, 'report', await buildReport(ctx, incidentId))] };
    }
    case 'close':
      return { views: [(await closeIncident(ctx, c.incidentId, input.actor)).view] };
    case 'investigate':
      return {
        views: [
          await withDownload(
            ctx,
            grant,
            'investigation',
            await investigateUser(ctx, await toQuery(c.target, input), c.sinceDays, { signal: input.signal, progress: input.progress }),
          ),
        ],
      };
    case 'scope': {
      const scoped = await scopeUser(ctx, await toQuery(c.target, input), {
        messageId: c.messageId,
        signal: input.signal,
        progress: input.progress,
      });
      return { views: [await withDownload(ctx, grant, 'scope', { ...scoped, view: await offerWave(ctx, grant, scoped.view) })] };
    }
    case 'hunt': {
      const hunted = await huntUserAgents(ctx, c.days, { signal: input.signal, progress: input.progress });
      // The harmful-user-agent measure from what the hunt found: its button on the card, or the steps by hand.
      const offer = await offerPilot(ctx, hunted.pilot, { signal: input.signal });
      return { views: [await withDownload(ctx, grant, 'hunt', { ...hunted, view: { ...hunted.view, ...(offer ? { offer } : {}) } })] };
    }
    case 'posture':
      return { views: [await postureView(ctx, { signal: input.signal })] };
    case 'doctor':
      return { views: [await doctor(ctx, input)] };
  }
}

/** `doctor`, for approvers: what Contain's app may do here, kept for the next incident's card. */
async function doctor(ctx: ContainContext, input: RouteInput) {
  const result = await runDoctor(ctx, { signal: input.signal });
  await keepDoctor(ctx, result).catch((err: unknown) => ctx.log.warn('could not keep the doctor result', { err }));
  return doctorView(result);
}

/** `report <incident|user>`: an incident id as given, or the newest incident of that user. */
async function incidentFor(ctx: ContainContext, ref: string, input: RouteInput): Promise<string> {
  const id = ref.trim().toUpperCase();
  if (INCIDENT_ID.test(id)) return id;
  const target = parseCommand(`contain ${ref}`);
  if (target.name !== 'contain') throw new ContainError('BAD_COMMAND', 'Use: report <incident|user>');
  const found = await findUser(ctx, await toQuery(target.target, input));
  if (found.kind === 'many')
    throw new ContainError('USER_AMBIGUOUS', `Several users match "${ref}"; name the incident (INC-...) or use the full UPN.`);
  const [latest] = await ctx.store.findIncidents({ targetUserId: found.user.id });
  if (!latest) throw new ContainError('NOT_FOUND', `${found.user.displayName} has no incident.`);
  return latest.id;
}

/** `status` with no incident: the open incidents whose thread is in this channel. */
async function openIncidentsHere(ctx: ContainContext, surface: RouteInput['surface']): Promise<IncidentListView> {
  const channel = surface.channelOf(surface.thread);
  const here = (i: Incident) => {
    const thread = i.threads[surface.name];
    return !!thread && surface.channelOf(thread) === channel;
  };
  const open = (await ctx.store.findIncidents({ state: 'open' })).filter(here).slice(0, 20);
  const items = await Promise.all(
    open.map(async (i) => ({
      incidentId: i.id,
      target: i.target.displayName,
      state: i.state,
      openedAt: i.createdAt,
      pending: (await ctx.store.listActions(i.id)).filter((a) => a.state === 'proposed').length,
    })),
  );
  return { kind: 'incidents', title: 'Open incidents in this channel', items };
}
