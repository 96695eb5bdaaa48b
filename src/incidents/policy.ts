import type { Config } from '../config';
import type { ContainContext } from '../context';
import { memberOf, membershipCandidates, membershipRequests } from '../directory/membership';
import { approverRoster } from '../directory/roster';
import type { Action, Actor, Incident } from './model';

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

/** What the actor is, resolved through the directory (direct ids or transitive group/role membership). */
export interface ActorRoles {
  approver: boolean;
  responder: boolean;
}

/** Resolve an actor's roles: their own object id, or membership of a configured group, counts. */
export async function rolesOf(ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>, actor: Actor, options: { need?: 'approver' | 'any' } = {}): Promise<ActorRoles> {
  if (!actor.aadObjectId) return { approver: false, responder: ctx.policy.openToAll };
  const { approvers, responders } = ctx.policy;
  const who = actor.aadObjectId.toLowerCase();
  if (options.need === 'approver') {
    // The click path: answer from the cached roster when there is one.
    const roster = await approverRoster(ctx);
    if (roster) return { approver: roster.has(who), responder: ctx.policy.openToAll || roster.has(who) };
  }
  const hits = await memberOf(ctx, who, [...approvers, ...responders]);
  const approver = [...approvers].some((id) => hits.has(id));
  return { approver, responder: ctx.policy.openToAll || approver || [...responders].some((id) => hits.has(id)) };
}

export type OpenOutcome = { ok: true } | { ok: false; reason: 'not-responder' | 'unidentified' };

/** May this person open an incident? */
export function mayOpen(policy: Policy, actor: Actor, roles: ActorRoles): OpenOutcome {
  if (policy.openToAll) return { ok: true };
  if (!actor.aadObjectId) return { ok: false, reason: 'unidentified' };
  return roles.responder || roles.approver ? { ok: true } : { ok: false, reason: 'not-responder' };
}

/** Is this user one Contain must never act on? Matches object id, UPN, or membership of a protected group or role. */
export async function isProtected(ctx: Pick<ContainContext, 'graph' | 'now' | 'policy' | 'log'>, user: { id: string; userPrincipalName: string }, options: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
  const p = ctx.policy.protectedUsers;
  if (p.has(user.id.toLowerCase()) || p.has(user.userPrincipalName.toLowerCase())) return true;
  return (await memberOf(ctx, user.id, [...p], options)).size > 0;
}

/**
 * The protection check as requests to ride in a batch: `direct` when the user is protected by id or UPN (no request
 * needed), else the checkMemberObjects requests whose answers `protectedByMembership` reads.
 */
export function protectionRequests(policy: Policy, user: { id: string; userPrincipalName: string }): { direct: boolean; requests: { url: string; body: { ids: string[] } }[] } {
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
  | { kind: 'refused-not-approver' }
  | { kind: 'refused-unidentified' }
  | { kind: 'expired' }
  | { kind: 'already-decided'; action: Action };

/**
 * Check a decision against policy, before any write. Approve needs an approver who is not the requester (four-eyes);
 * reject may come from any approver or from the requester (calling off their own request).
 */
export function checkDecision(_policy: Policy, input: { verb: 'approve' | 'reject'; actor: Actor; roles: ActorRoles; incident: Incident; action: Action; now: Date }): DecisionOutcome {
  const { verb, actor, roles, incident, action, now } = input;
  if (action.state !== 'proposed') return { kind: 'already-decided', action };
  if (Date.parse(action.expiresAt) <= now.getTime()) return { kind: 'expired' };
  if (!actor.aadObjectId) return { kind: 'refused-unidentified' };
  const who = actor.aadObjectId.toLowerCase();
  const isRequester = incident.requester.aadObjectId?.toLowerCase() === who;
  if (verb === 'reject') return roles.approver || isRequester ? { kind: 'rejected' } : { kind: 'refused-not-approver' };
  if (isRequester) return { kind: 'refused-four-eyes' };
  if (!roles.approver) return { kind: 'refused-not-approver' };
  return { kind: 'approved' };
}
