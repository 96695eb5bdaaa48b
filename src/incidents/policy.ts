import type { Config } from '../config';
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

export type OpenOutcome = { ok: true } | { ok: false; reason: 'not-responder' | 'unidentified' };

/** May this person open an incident? */
export function mayOpen(policy: Policy, actor: Actor): OpenOutcome {
  if (policy.openToAll) return { ok: true };
  if (!actor.aadObjectId) return { ok: false, reason: 'unidentified' };
  return policy.responders.has(actor.aadObjectId.toLowerCase()) || policy.approvers.has(actor.aadObjectId.toLowerCase()) ? { ok: true } : { ok: false, reason: 'not-responder' };
}

/** Is this user one Contain must never act on (break-glass, admins)? Matches object id or UPN. */
export function isProtected(policy: Policy, user: { id: string; userPrincipalName: string }): boolean {
  return policy.protectedUsers.has(user.id.toLowerCase()) || policy.protectedUsers.has(user.userPrincipalName.toLowerCase());
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
export function checkDecision(policy: Policy, input: { verb: 'approve' | 'reject'; actor: Actor; incident: Incident; action: Action; now: Date }): DecisionOutcome {
  const { verb, actor, incident, action, now } = input;
  if (action.state !== 'proposed') return { kind: 'already-decided', action };
  if (Date.parse(action.expiresAt) <= now.getTime()) return { kind: 'expired' };
  if (!actor.aadObjectId) return { kind: 'refused-unidentified' };
  const who = actor.aadObjectId.toLowerCase();
  const isRequester = incident.requester.aadObjectId?.toLowerCase() === who;
  if (verb === 'reject') return policy.approvers.has(who) || isRequester ? { kind: 'rejected' } : { kind: 'refused-not-approver' };
  if (isRequester) return { kind: 'refused-four-eyes' };
  if (!policy.approvers.has(who)) return { kind: 'refused-not-approver' };
  return { kind: 'approved' };
}
