import { checkDecision, type Policy } from '../../src/incidents/policy';
import type { Action, Actor, Incident } from '../../src/incidents/model';
import { BUTTON_ROLES, COMMAND_ROLES, holds, rolesTable } from '../../src/incidents/roles';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const policy: Policy = {
  approvers: new Set(['g']),
  responders: new Set(),
  protectedUsers: new Set(),
  approvalTtlMs: 1,
  fastPathRevoke: false,
  openToAll: false,
};
const requester: Actor = { platform: 'teams', id: '29:r', aadObjectId: 'r', name: 'R' };
const incident = { id: 'INC-20261125-0001', requester, target: { id: 'T', displayName: 'Target', userPrincipalName: 't@x' } } as Incident;
const now = new Date('2026-11-25T12:00:00Z');
const action = (o: Partial<Action> = {}) => ({ state: 'proposed', expiresAt: '2026-11-25T12:30:00Z', ...o }) as Action;
const who = (id: string | undefined): Actor => ({ platform: 'slack', id: 'U', aadObjectId: id, name: 'X' });

describe('approval policy', () => {
  test.each([
    ['approver approves', 'approve', who('a'), { approver: true, responder: true }, action(), 'approved'],
    ['requester approves own action', 'approve', who('r'), { approver: true, responder: true }, action(), 'refused-four-eyes'],
    ['non-approver approves', 'approve', who('s'), { approver: false, responder: true }, action(), 'refused-not-approver'],
    ['unidentified clicker', 'approve', who(undefined), { approver: false, responder: false }, action(), 'refused-unidentified'],
    [
      'approval after expiry',
      'approve',
      who('a'),
      { approver: true, responder: true },
      action({ expiresAt: '2026-11-25T11:59:59Z' }),
      'expired',
    ],
    ['second decision', 'approve', who('a'), { approver: true, responder: true }, action({ state: 'approved' }), 'already-decided'],
    ['requester withdraws (reject)', 'reject', who('r'), { approver: false, responder: true }, action(), 'rejected'],
    ['approver rejects', 'reject', who('a'), { approver: true, responder: true }, action(), 'rejected'],
    ['bystander rejects', 'reject', who('s'), { approver: false, responder: false }, action(), 'refused-not-approver'],
    [
      'responder who is not the requester rejects',
      'reject',
      who('s'),
      { approver: false, responder: true },
      action(),
      'refused-not-approver',
    ],
    ['requester withdraws all', 'reject-all', who('r'), { approver: false, responder: true }, action(), 'rejected'],
    ['approver approves all', 'approve-all', who('a'), { approver: true, responder: false }, action(), 'approved'],
    ['approver deletes the rule', 'approve-delete', who('a'), { approver: true, responder: false }, action(), 'approved'],
    ['the target, an approver, approves', 'approve', who('t'), { approver: true, responder: true }, action(), 'refused-target'],
    ['the target, an approver, rejects', 'reject', who('T'), { approver: true, responder: true }, action(), 'refused-target'],
    ['the target rejects all', 'reject-all', who('t'), { approver: true, responder: true }, action(), 'refused-target'],
  ] as const)('%s -> %s', (_name, verb, actor, roles, act, expected) => {
    expect(checkDecision(policy, { verb, actor, roles, incident, action: act, now }).kind).toBe(expected);
  });
});

describe('roles', () => {
  test('every button and command names a role, and the table in docs/operations.md is the one in the code', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
    expect(doc).toContain(rolesTable());
    for (const r of [...Object.values(COMMAND_ROLES), ...Object.values(BUTTON_ROLES)])
      expect(['responder', 'approver', 'either', 'anyone']).toContain(r);
    expect(COMMAND_ROLES.help).toBe('anyone');
    expect(Object.entries({ ...COMMAND_ROLES, ...BUTTON_ROLES }).filter(([k, r]) => r === 'anyone' && k !== 'help')).toEqual([]);
  });

  test.each([
    ['either', { approver: false, responder: true }, true],
    ['either', { approver: true, responder: false }, true],
    ['either', { approver: false, responder: false }, false],
    ['approver', { approver: false, responder: true }, false],
    ['responder', { approver: true, responder: false }, false],
    ['anyone', { approver: false, responder: false }, true],
  ] as const)('%s held by %j: %s', (role, roles, expected) => {
    expect(holds(roles, role)).toBe(expected);
  });
});
