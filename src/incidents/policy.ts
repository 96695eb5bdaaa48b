import type { Config } from '../config';
import type { ContainContext } from '../context';
import { memberOf, membershipCandidates, membershipRequests } from '../directory/membership';
import { approverRoster } from '../directory/roster';
import { ContainError } from '../errors';
import type { Action, Actor, Incident } from './model';
import { BUTTON_ROLES, holds, missingRole, type ActorRoles, type Role } from './roles';
import { isRejectVerb, type DecisionVerb } from '../views/buttons';

/** Who may do what; built from config (CONTAIN_APPROVERS, CONTAIN_RESPONDERS, CONTAIN_PROTECTED_USERS). */
export interface Policy {
  approvers: ReadonlySet<string>;
  responders: ReadonlySet<string>;
  protectedUsers: ReadonlySet<string>;
  approvalTtlMs: number;
  fastPathRevoke: boolean;
  /** Anyone may open an incident when no responders are configured (local mode only). */
  openToAll: boolean;
}

export function policyFromConfig(config: Config): Policy {
  return {
    approvers: new Set(config.policy.approvers),
    responders: new Set(config.policy.responders),
    protectedUsers: new Set(config.policy.protectedUsers),
    approvalTtlMs: config.policy.approvalTtlMinutes * 60_000,
    fastPathRevoke: config.policy.fastPathRevoke,
    openToAll: config.mode === 'local' && config.policy.responders.length === 0,
  };
}

/**
 * Resolve an actor's roles: their own object id, or membership of a configured group, counts. With need 'approver'
 * (the click path) only `approver` is resolved, from the cached roster when there is one.
 */
export async function rolesOf(
  ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>,
  actor: Actor,
  options: { need?: 'approver' | 'any' } = {},
): Promise<ActorRoles> {
  const openToAll = ctx.policy.openToAll;
  if (!actor.aadObjectId) return { approver: false, responder: openToAll };
  const { approvers, responders } = ctx.policy;
  const who = actor.aadObjectId.toLowerCase();
  if (options.need === 'approver') {
    const roster = await approverRoster(ctx);
    if (roster) return { approver: roster.has(who), responder: openToAll };
  }
  const hits = await memberOf(ctx, who, [...approvers, ...responders]);
  return { approver: [...approvers].some((id) => hits.has(id)), responder: openToAll || [...responders].some((id) => hits.has(id)) };
}

declare const granted: unique symbol;

/** Proof that `actor` was checked for `role`: what opening an incident and minting result links require. */
export interface Grant {
  readonly actor: Actor;
  readonly role: Role;
  readonly [granted]: true;
}

/**
 * Check that the actor holds `role` for `what` (a command or button, as docs/operations.md names it); throws
 * NOT_AUTHORIZED naming the missing role and how to get it. No directory lookup for `anyone`.
 */
export async function authorize(
  ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>,
  actor: Actor,
  role: Role,
  what: string,
): Promise<Grant> {
  const grant = { actor, role } as Grant;
  if (role === 'anyone') return grant;
  const roles = await rolesOf(ctx, actor);
  if (holds(roles, role)) return grant;
  if (!actor.aadObjectId)
    throw new ContainError(
      'NOT_AUTHORIZED',
      `Contain could not tell who you are in Entra ID, so it cannot check that you may use "${what}" (it needs the ${role === 'either' ? 'responder or approver' : role} role).`,
    );
  throw new ContainError('NOT_AUTHORIZED', missingRole(what, role), { details: { need: role, actor: actor.aadObjectId } });
}

/**
 * The grant of Contain acting on its own (the alert poll opening an incident): no person, so no role to check. Its
 * actions still need an approver; four-eyes binds people, and this requester is none.
 */
export function systemGrant(actor: Actor): Grant {
  return { actor, role: 'anyone' } as Grant;
}

/**
 * The grant of someone checked in an earlier turn: whoever ran `scope` is the requester of the incidents its wave
 * opens later, in the worker, after another approver approved the wave.
 */
export function priorGrant(actor: Actor, role: Role): Grant {
  return { actor, role } as Grant;
}

/** What the person an incident contains is told when they try anything on it. */
export const OWN_INCIDENT =
  'You are the person this incident contains, so you have no role on it: you cannot approve, reject or propose its actions again, nor read its status or report. Other responders and approvers handle it.';

/** Is the actor the user this incident contains? */
export function isTarget(incident: Incident, actor: Actor): boolean {
  return !!actor.aadObjectId && actor.aadObjectId.toLowerCase() === incident.target.id.toLowerCase();
}

/** Refuse the person an incident contains anything on it (status, report, proposing again). */
export function refuseTarget(incident: Incident, actor: Actor): void {
  if (isTarget(incident, actor)) throw new ContainError('NOT_AUTHORIZED', OWN_INCIDENT, { details: { incidentId: incident.id } });
}

/**
 * Is this user one Contain must never act on? Matches object id, UPN, or membership of a protected group or role.
 * `fresh` asks the directory now instead of the five-minute membership cache: approval and execution use it, so an
 * account made protected after its incident opened is caught.
 */
export async function isProtected(
  ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>,
  user: { id: string; userPrincipalName: string },
  options: { fresh?: boolean; signal?: AbortSignal } = {},
): Promise<boolean> {
  const p = ctx.policy.protectedUsers;
  if (p.has(user.id.toLowerCase()) || p.has(user.userPrincipalName.toLowerCase())) return true;
  return (await memberOf(ctx, user.id, [...p], options)).size > 0;
}

/**
 * The protection check as requests to ride in a batch: `direct` when the user is protected by id or UPN (no request
 * needed), else the checkMemberObjects requests whose answers `protectedByMembership` reads.
 */
export function protectionRequests(
  policy: Policy,
  user: { id: string; userPrincipalName: string },
): { direct: boolean; requests: { url: string; body: { ids: string[] } }[] } {
  const p = policy.protectedUsers;
  if (p.has(user.id.toLowerCase()) || p.has(user.userPrincipalName.toLowerCase())) return { direct: true, requests: [] };
  return { direct: false, requests: membershipRequests(user.id, membershipCandidates(user.id, [...p])) };
}

/** True when any checkMemberObjects answer names a protected group or role. */
export function protectedByMembership(answers: { value?: unknown }[]): boolean {
  return answers.some((a) => Array.isArray(a.value) && a.value.length > 0);
}

export type DecisionOutcome =
  | { kind: 'approved' }
  | { kind: 'rejected' }
  | { kind: 'refused-four-eyes' }
  | { kind: 'refused-target' }
  | { kind: 'refused-protected' }
  | { kind: 'refused-not-approver' }
  | { kind: 'refused-unidentified' }
  | { kind: 'expired' }
  | { kind: 'already-decided'; action: Action };

/**
 * Check a decision against policy, before any write. Nobody decides on their own containment; approve needs an
 * approver who is not the requester (four-eyes: the incident's, or for an undo whoever asked for it); reject needs an
 * approver, or the requester calling off their own request. The roles come from BUTTON_ROLES. Protected status is
 * checked by the caller (it needs the directory).
 */
export function checkDecision(
  _policy: Policy,
  input: { verb: DecisionVerb; actor: Actor; roles: ActorRoles; incident: Incident; action: Action; now: Date },
): DecisionOutcome {
  const { verb, actor, roles, incident, action, now } = input;
  if (action.state !== 'proposed') return { kind: 'already-decided', action };
  if (Date.parse(action.expiresAt) <= now.getTime()) return { kind: 'expired' };
  if (!actor.aadObjectId) return { kind: 'refused-unidentified' };
  if (isTarget(incident, actor)) return { kind: 'refused-target' };
  // An undo was asked for by someone other than whoever opened the incident: four-eyes is against them.
  const requester = action.requestedBy ?? incident.requester;
  const isRequester = requester.aadObjectId?.toLowerCase() === actor.aadObjectId.toLowerCase();
  const allowed = holds(roles, BUTTON_ROLES[verb]);
  if (isRejectVerb(verb)) return allowed || isRequester ? { kind: 'rejected' } : { kind: 'refused-not-approver' };
  if (isRequester) return { kind: 'refused-four-eyes' };
  return allowed ? { kind: 'approved' } : { kind: 'refused-not-approver' };
}
