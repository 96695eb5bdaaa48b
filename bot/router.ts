import type { ContainContext } from '../src/context';
import type { UserQuery } from '../src/directory/find-user';
import { ContainError } from '../src/errors';
import type { Actor, SlackThread, TeamsThread } from '../src/incidents/model';
import { openContainment } from '../src/incidents/open-containment';
import { containmentView } from '../src/views/containment';
import { message, type View } from '../src/views/types';
import { USAGE, type Command, type Target } from './commands';

export interface RouteInput {
  command: Command;
  actor: Actor;
  thread: { teams?: TeamsThread; slack?: SlackThread };
  /** Maps a Slack user id to an email; Teams has no such mentions. */
  resolveSlackUser?: (slackUserId: string) => Promise<string>;
  signal?: AbortSignal;
}

export interface RouteOutput {
  views: View[];
  /** Set when a new incident was opened: the platform records where its card went. */
  incidentId?: string;
}

async function toQuery(target: Target, input: RouteInput): Promise<UserQuery> {
  if (target.kind !== 'slackUser') return target;
  if (!input.resolveSlackUser) throw new ContainError('BAD_COMMAND', 'Slack mentions only work in Slack; type the user\'s name or email instead.');
  return { kind: 'email', value: await input.resolveSlackUser(target.value) };
}

/** Command -> use case in src/ -> view models. Never platform JSON. */
export async function route(ctx: ContainContext, input: RouteInput): Promise<RouteOutput> {
  const c = input.command;
  switch (c.name) {
    case 'help':
      return { views: [{ kind: 'help', commands: USAGE }] };
    case 'contain': {
      const r = await openContainment(ctx, { query: await toQuery(c.target, input), requester: input.actor, dryRun: c.dryRun, thread: input.thread, signal: input.signal });
      return r.kind === 'chooser' ? { views: [r.view] } : { views: [r.view], incidentId: r.incident.id };
    }
    case 'status': {
      if (!c.incidentId) return { views: [message('default', 'Status', 'Name the incident: status INC-YYYYMMDD-NNNN. (Listing a channel\'s open incidents is not built yet.)')] };
      const incident = await ctx.store.getIncident(c.incidentId);
      if (!incident) throw new ContainError('NOT_FOUND', `No incident ${c.incidentId}.`);
      return { views: [containmentView(incident, await ctx.store.listActions(incident.id))] };
    }
    case 'investigate':
    case 'scope':
    case 'hunt':
    case 'report':
    case 'posture':
      return { views: [message('warning', 'Not available yet', `"${c.name}" is part of the investigation work that has not landed yet (see docs/status.md). Containment with "contain <user>" works.`)] };
  }
}
