import type { Action, ActionKind } from '../../src/incidents/model';
import { containmentSteps, handlerFor } from '../../src/playbook/registry';
import type { Call, CallResult } from '../../src/playbook/types';
import { generatePassword } from '../../src/playbook/steps/02-reset-password';

const U = 'a11ce000-0000-4000-8000-000000000001';
const action = (kind: ActionKind, objectId: string, params: Record<string, string> = {}, extra: Partial<Action> = {}): Action => ({
  incidentId: 'INC-20261125-0001',
  id: 'a01',
  step: 1,
  kind,
  objectId,
  params,
  title: 't',
  detail: 'd',
  reason: 'r',
  state: 'running',
  proposedAt: '2026-11-25T10:00:00Z',
  expiresAt: '2026-11-25T10:30:00Z',
  fastPath: false,
  attempts: 0,
  ...extra,
});
const answer = (status: number, body: unknown = {}): CallResult => ({ status, headers: {}, body });
const graphError = (status: number, code: string, message: string) => answer(status, { error: { code, message } });
const line = (c: Call) =>
  c.api === 'graph'
    ? `${c.method} ${decodeURIComponent(c.url)}`
    : c.api === 'flow'
      ? `flow ${c.op} ${c.environment}/${c.flowId}`
      : c.api === 'exchange'
        ? `exchange ${c.op} ${c.mailbox}${c.ruleIdentity ? ` ${c.ruleIdentity}` : ''}`
        : `posture ${c.op}`;
const MBX = 'alice.aoki@contoso.example';

/** Every kind of action, with what it sends: snapshot, change and read-back. */
const cases: [ActionKind, Action, { snapshot: string; change: string; check: string }][] = [
  [
    'revokeSessions',
    action('revokeSessions', U),
    {
      snapshot: `GET /users/${U}?$select=id,signInSessionsValidFromDateTime`,
      change: `POST /users/${U}/revokeSignInSessions`,
      check: `GET /users/${U}?$select=id,signInSessionsValidFromDateTime`,
    },
  ],
  [
    'resetPassword',
    action('resetPassword', U),
    {
      snapshot: `GET /users/${U}?$select=id,lastPasswordChangeDateTime,onPremisesSyncEnabled`,
      change: `PATCH /users/${U}`,
      check: `GET /users/${U}?$select=id,lastPasswordChangeDateTime,onPremisesSyncEnabled`,
    },
  ],
  [
    'deleteAuthMethod',
    action('deleteAuthMethod', 'm1', { userId: U, segment: 'phoneMethods', label: 'phone' }),
    {
      snapshot: `GET /users/${U}/authentication/phoneMethods/m1`,
      change: `DELETE /users/${U}/authentication/phoneMethods/m1`,
      check: `GET /users/${U}/authentication/phoneMethods/m1`,
    },
  ],
  [
    'disableDevice',
    action('disableDevice', 'd1', { name: 'iPhone', os: 'iOS' }),
    { snapshot: 'GET /devices/d1', change: 'PATCH /devices/d1', check: 'GET /devices/d1' },
  ],
  [
    'disableInboxRule',
    action('disableInboxRule', 'r1', { userId: U, name: '.' }),
    {
      snapshot: `GET /users/${U}/mailFolders/inbox/messageRules/r1`,
      change: `PATCH /users/${U}/mailFolders/inbox/messageRules/r1`,
      check: `GET /users/${U}/mailFolders/inbox/messageRules/r1`,
    },
  ],
  [
    'stopFlow',
    action('stopFlow', 'f1', { environment: 'Default-x', name: 'Sync' }),
    { snapshot: 'flow get Default-x/f1', change: 'flow stop Default-x/f1', check: 'flow get Default-x/f1' },
  ],
  [
    'disableServicePrincipal',
    action('disableServicePrincipal', 'sp1', { name: '..' }),
    {
      snapshot: 'GET /servicePrincipals/sp1',
      change: 'PATCH /servicePrincipals/sp1',
      check: 'GET /servicePrincipals/sp1?$select=id,accountEnabled',
    },
  ],
  [
    'removeGrant',
    action('removeGrant', 'g1', { name: '..', scope: 'Mail.Read' }),
    { snapshot: 'GET /oauth2PermissionGrants/g1', change: 'DELETE /oauth2PermissionGrants/g1', check: 'GET /oauth2PermissionGrants/g1' },
  ],
  [
    'removeAppSecret',
    action('removeAppSecret', 'app1', { keyId: 'k1', name: '..', hint: 'abc' }),
    {
      snapshot: 'GET /applications/app1?$select=id,appId,displayName,passwordCredentials',
      change: 'POST /applications/app1/removePassword',
      check: 'GET /applications/app1?$select=id,passwordCredentials',
    },
  ],
  [
    'removeAppCertificate',
    action('removeAppCertificate', 'app1', { keyIds: 'c1', name: '..' }),
    {
      snapshot: 'GET /applications/app1?$select=id,appId,displayName,keyCredentials',
      change: 'PATCH /applications/app1',
      check: 'GET /applications/app1?$select=id,keyCredentials',
    },
  ],
  [
    'clearMailboxForwarding',
    action('clearMailboxForwarding', U, { userId: U, mailbox: MBX, name: 'x@example.net' }),
    { snapshot: `exchange getForwarding ${MBX}`, change: `exchange clearForwarding ${MBX}`, check: `exchange getForwarding ${MBX}` },
  ],
  [
    'disableHiddenInboxRule',
    action('disableHiddenInboxRule', '1675', { userId: U, mailbox: MBX, name: 'RuleIdentity 1675' }),
    {
      snapshot: `exchange getInboxRule ${MBX} 1675`,
      change: `exchange disableInboxRule ${MBX} 1675`,
      check: `exchange getInboxRule ${MBX} 1675`,
    },
  ],
];

test('every action kind a step proposes has exactly one handler', () => {
  const kinds = containmentSteps.flatMap((s) => s.handlers.map((h) => h.kind));
  expect(new Set(kinds).size).toBe(kinds.length);
  expect([...kinds].sort()).toEqual(cases.map(([k]) => k).sort());
});

describe.each(cases)('%s', (kind, a, calls) => {
  const h = handlerFor(kind);
  test('snapshots, changes and reads back the object it names', () => {
    expect([line(h.snapshot(a)), line(h.change(a, {})), line(h.check(a))]).toEqual([calls.snapshot, calls.change, calls.check]);
  });
  test("a 2xx answer is success; a failure names what to do by hand and keeps Graph's code", () => {
    expect(h.outcome(a, answer(204)).outcome).toBe('succeeded');
    const failed = h.outcome(a, graphError(500, 'generalException', 'boom'));
    expect(failed).toMatchObject({ outcome: 'failed', code: 'generalException' });
    expect(failed.message).toMatch(/boom/);
  });
});

describe('what the changes send, and how read-backs verify them', () => {
  test('the password is random, strong, never the same twice, with a change forced at next sign-in', () => {
    const body = (
      handlerFor('resetPassword').change(action('resetPassword', U), {}) as {
        body: { passwordProfile: { password: string; forceChangePasswordNextSignIn: boolean } };
      }
    ).body;
    expect(body.passwordProfile.forceChangePasswordNextSignIn).toBe(true);
    expect(body.passwordProfile.password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[!#%+\-=?@_~]).{24}$/);
    expect(generatePassword()).not.toBe(generatePassword());
  });

  test('sessions and password count as changed only when the read-back moved past the snapshot', () => {
    const revoke = handlerFor('revokeSessions');
    const a = action('revokeSessions', U);
    const before = { signInSessionsValidFromDateTime: '2026-11-25T09:00:00Z' };
    expect(revoke.verified(a, before, answer(200, { signInSessionsValidFromDateTime: '2026-11-25T10:01:00Z' }))).toBe(true);
    expect(revoke.verified(a, before, answer(200, before))).toBe(false);
    const reset = handlerFor('resetPassword');
    expect(
      reset.verified(
        a,
        { lastPasswordChangeDateTime: '2026-01-01T00:00:00Z' },
        answer(200, { lastPasswordChangeDateTime: '2026-11-25T10:01:00Z' }),
      ),
    ).toBe(true);
  });

  test('an inbox rule is disabled, or deleted when the approver chose so; the read-back checks whichever was done', () => {
    const h = handlerFor('disableInboxRule');
    const disable = action('disableInboxRule', 'r1', { userId: U, name: '.' });
    const remove = {
      ...disable,
      decision: {
        verb: 'approve' as const,
        option: 'delete' as const,
        by: { platform: 'teams', id: 'x', name: 'x' },
        at: '2026-11-25T10:01:00Z',
      },
    };
    expect(h.change(disable, {})).toMatchObject({ method: 'PATCH', body: { isEnabled: false } });
    expect(h.change(remove, {})).toMatchObject({ method: 'DELETE' });
    expect(h.verified(disable, {}, answer(200, { isEnabled: false }))).toBe(true);
    expect(h.verified(remove, {}, answer(404))).toBe(true);
    expect(h.outcome(remove, answer(204)).message).toMatch(/deleted/);
  });

  test('certificates: the others are sent back whole, with their key; the read-back checks only the removed ones are gone', () => {
    const h = handlerFor('removeAppCertificate');
    const a = action('removeAppCertificate', 'app1', { keyIds: 'c1,c2', name: '..' });
    const evidence = {
      keyCredentials: [
        { keyId: 'c1', key: 'K1' },
        { keyId: 'c2', key: 'K2' },
        { keyId: 'c3', key: 'K3', type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=keep' },
      ],
    };
    expect(h.change(a, evidence)).toMatchObject({
      body: { keyCredentials: [{ keyId: 'c3', key: 'K3', type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=keep' }] },
    });
    expect(h.verified(a, evidence, answer(200, { keyCredentials: [{ keyId: 'c3' }] }))).toBe(true);
    expect(h.verified(a, evidence, answer(200, { keyCredentials: [{ keyId: 'c2' }] }))).toBe(false);
    expect(h.outcome(a, graphError(400, 'Request_BadRequest', 'key missing')).message).toMatch(/Nothing changed|nothing changed/);
  });

  test('the known refusals are explained: synced password, default method, non-Windows device, missing roles, gone objects', () => {
    expect(
      handlerFor('resetPassword').outcome(
        action('resetPassword', U),
        graphError(400, 'Request_BadRequest', 'password of an on-premises Directory Sync user'),
      ),
    ).toMatchObject({ outcome: 'skipped', code: 'ON_PREMISES_SYNCED' });
    expect(
      handlerFor('resetPassword').outcome(
        action('resetPassword', U),
        graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges'),
      ),
    ).toMatchObject({ outcome: 'failed', code: 'NEEDS_ROLE' });
    expect(
      handlerFor('deleteAuthMethod').outcome(
        action('deleteAuthMethod', 'm1', { label: 'phone' }),
        graphError(400, 'badRequest', 'the default method cannot be deleted'),
      ),
    ).toMatchObject({ code: 'DEFAULT_METHOD' });
    expect(
      handlerFor('disableDevice').outcome(
        action('disableDevice', 'd1', { name: 'iPhone', os: 'iOS' }),
        graphError(400, 'Request_BadRequest', 'only extensionAttributes'),
      ),
    ).toMatchObject({ code: 'APP_ONLY_NON_WINDOWS' });
    expect(
      handlerFor('disableDevice').outcome(
        action('disableDevice', 'd1', { name: 'PC', os: 'Windows' }),
        graphError(403, 'Authorization_RequestDenied', 'no'),
      ),
    ).toMatchObject({ code: 'NEEDS_ROLE' });
    for (const [kind, a] of cases.filter(([k]) => !['revokeSessions', 'resetPassword', 'stopFlow'].includes(k)))
      expect([kind, handlerFor(kind).outcome(a, answer(404)).outcome]).toEqual([kind, 'skipped']);
  });
});
