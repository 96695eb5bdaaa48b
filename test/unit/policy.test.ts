import { checkDecision, type Policy } from '../../src/incidents/policy';
import type { Action, Actor, Incident } from '../../src/incidents/model';

const policy: Policy = { approvers: new Set(['g']), responders: new Set(), protectedUsers: new Set(), approvalTtlMs: 1, fastPathRevoke: false, openToAll: false };
const requester: Actor = { platform: 'teams', id: '29:r', aadObjectId: 'r', name: 'R' };
const incident = { id: 'INC-20261125-0001', requester } as Incident;
const now = new Date('2026-11-25T12:00:00Z');
const action = (o: Partial<Action> = {}) => ({ state: 'proposed', expiresAt: '2026-11-25T12:30:00Z', ...o }) as Action;
const who = (id: string | undefined): Actor => ({ platform: 'slack', id: 'U', aadObjectId: id, name: 'X' });

describe('approval policy', () => {
  test.each([
    ['approver approves', 'approve', who('a'), { approver: true, responder: true }, action(), 'approved'],
    ['requester approves own action', 'approve', who('r'), { approver: true, responder: true }, action(), 'refused-four-eyes'],
    ['non-approver approves', 'approve', who('s'), { approver: false, responder: true }, action(), 'refused-not-approver'],
    ['unidentified clicker', 'approve', who(undefined), { approver: false, responder: false }, action(), 'refused-unidentified'],
    ['approval after expiry', 'approve', who('a'), { approver: true, responder: true }, action({ expiresAt: '2026-11-25T11:59:59Z' }), 'expired'],
    ['second decision', 'approve', who('a'), { approver: true, responder: true }, action({ state: 'approved' }), 'already-decided'],
    ['requester withdraws (reject)', 'reject', who('r'), { approver: false, responder: true }, action(), 'rejected'],
    ['approver rejects', 'reject', who('a'), { approver: true, responder: true }, action(), 'rejected'],
    ['bystander rejects', 'reject', who('s'), { approver: false, responder: false }, action(), 'refused-not-approver'],
  ] as const)('%s -> %s', (_name, verb, actor, roles, act, expected) => {
    expect(checkDecision(policy, { verb, actor, roles, incident, action: act, now }).kind).toBe(expected);
  });
});
