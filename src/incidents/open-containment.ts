import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { recentSignInFacts } from '../investigate/recent-signins';
import { containmentSteps } from '../playbook/registry';
import { discover } from '../playbook/discover';
import { attackerIps, intrusionWindow } from '../playbook/window';
import { APP_CANNOT, containmentView } from '../views/containment';
import { currentDoctor } from '../doctor/latest';
import { blockerFor } from '../doctor/run';
import type { ChooserView, ContainmentView } from '../views/types';
import type { ProposedAction } from '../playbook/types';
import type { Action, Actor, Incident, IncidentFacts, Threads } from './model';
import { isProtected, type Grant } from './policy';
import { actionId } from '../ids';
import { rememberIncidentTrace } from '../telemetry/incident';

export interface OpenContainmentInput {
  query: UserQuery;
  /** The requester, checked for the `contain` role (COMMAND_ROLES) by whoever called. */
  requester: Grant;
  dryRun: boolean;
  /** Where the conversation is, on the platform the command came from. */
  threads: Threads;
  /** --since: overrides the intrusion window found from sign-ins. */
  sinceDays?: number;
  /** An id reserved for this incident (alerts and waves open once per key: src/incidents/open-once.ts). */
  incidentId?: string;
  /** Where the incident came from, kept with its facts: the alert that opened it, its wave. */
  origin?: Pick<IncidentFacts, 'alert' | 'campaign'>;
  signal?: AbortSignal;
}

export type OpenContainmentResult =
  { kind: 'chooser'; view: ChooserView } | { kind: 'incident'; incident: Incident; actions: Action[]; view: ContainmentView };

/** `contain <user>`: resolve the user, refuse protected accounts, discover, open the incident with proposed actions. */
export async function openContainment(ctx: ContainContext, input: OpenContainmentInput): Promise<OpenContainmentResult> {
  const requester: Actor = input.requester.actor;
  const found = await findUser(ctx, input.query, { signal: input.signal });
  if (found.kind === 'many')
    return { kind: 'chooser', view: { kind: 'chooser', query: input.query.value, dryRun: input.dryRun, candidates: found.candidates } };
  const target = found.user;
  if (await isProtected(ctx, target)) {
    ctx.log.warn('refused protected user', { targetId: target.id, requester: requester.aadObjectId });
    throw new ContainError(
      'USER_PROTECTED',
      `${target.displayName} is a protected account (break-glass or administrator). Contain will not act on it; follow the manual procedure for privileged accounts.`,
      {
        details: { targetId: target.id },
      },
    );
  }

  // What Contain's app can do (contain doctor, kept for an hour) is read while discovery runs.
  const doctorRead = currentDoctor(ctx, { signal: input.signal });
  const signIns = await recentSignInFacts(ctx, target.id, { signal: input.signal });
  const now = ctx.now();
  const window = intrusionWindow(signIns.signIns, now, input.sinceDays);
  const discovery = await discover(ctx, target, window.start, ctx.flows, { signal: input.signal });
  const analyzeCtx = { user: target, window, attackerIps: attackerIps(signIns.signIns, window.start), alert: input.origin?.alert };
  const analyses = containmentSteps.map((step) => ({ step, ...step.analyze(discovery, analyzeCtx) }));
  const doctor = await doctorRead;
  const facts: IncidentFacts = {
    ...signIns,
    window,
    steps: analyses.map((a) => ({ step: a.step.number, name: a.step.name, checked: a.checked, notes: a.notes })),
    ...input.origin,
  };
  const id = input.incidentId ?? (await ctx.store.nextIncidentId(now));
  const expiresAt = new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString();
  const actions: Action[] = analyses
    .flatMap((a) => a.proposals)
    .map((p, i) => {
      // An action the app cannot perform is marked with the fix instead of being offered for approval.
      const blocked = blockerFor(doctor, p.kind);
      const fastPath = p.kind === 'revokeSessions' && ctx.policy.fastPathRevoke && !input.dryRun && !blocked;
      return proposedAction(p, { incidentId: id, id: actionId(i + 1), now, expiresAt, dryRun: input.dryRun, blocked, fastPath });
    });
  const incident: Incident = {
    id,
    createdAt: now.toISOString(),
    requester,
    target,
    state: 'open',
    dryRun: input.dryRun,
    threads: input.threads,
    facts,
  };
  await ctx.store.createIncident(incident, actions);
  await rememberIncidentTrace(ctx, id);
  await ctx.store.appendAudit(id, {
    at: now.toISOString(),
    event: input.dryRun ? 'incident.opened.dry-run' : 'incident.opened',
    actor: requester,
    details: { target: target.userPrincipalName, actions: actions.map((a) => a.title) },
  });
  for (const a of actions.filter((x) => x.state === 'approved')) {
    await ctx.store.appendAudit(id, { at: now.toISOString(), event: 'action.fast-path', actionId: a.id, details: { title: a.title } });
  }
  ctx.log.info('incident opened', { incidentId: id, targetId: target.id, actions: actions.length, dryRun: input.dryRun });
  return { kind: 'incident', incident, actions, view: containmentView(incident, actions) };
}

/** A proposal as the incident keeps it: waiting for approval, approved on the fast path, or skipped (dry run, app cannot). */
export function proposedAction(
  p: ProposedAction,
  o: { incidentId: string; id: string; now: Date; expiresAt: string; dryRun: boolean; blocked?: string; fastPath: boolean },
): Action {
  return {
    incidentId: o.incidentId,
    id: o.id,
    step: p.step,
    kind: p.kind,
    objectId: p.objectId,
    params: p.params,
    title: p.title,
    detail: p.detail,
    reason: p.reason,
    state: o.dryRun || o.blocked ? 'skipped' : o.fastPath ? 'approved' : 'proposed',
    proposedAt: o.now.toISOString(),
    expiresAt: o.expiresAt,
    fastPath: o.fastPath,
    attempts: 0,
    result: o.blocked
      ? { outcome: 'skipped', code: APP_CANNOT, message: o.blocked }
      : o.dryRun
        ? { outcome: 'skipped', message: 'Dry run: would be proposed for approval; nothing was changed.' }
        : undefined,
  };
}

/**
 * Queue the fast-path actions of a new incident. Platforms call this after recording where the card went, so the
 * worker's update replaces that card instead of racing it; if a platform dies first, the sweeper re-queues them.
 */
export async function releaseFastPath(ctx: ContainContext, incidentId: string): Promise<void> {
  for (const a of await ctx.store.listActions(incidentId)) {
    if (a.state === 'approved' && a.fastPath && !a.decision)
      await ctx.queue.send({ type: 'execute', incidentId, actionIds: [a.id], key: `${incidentId}/${a.id}` });
  }
}
