import { containmentSteps } from '../../src/playbook/registry';
import { IRREVERSIBLE, UNDO_HANDLERS, irreversibleNote, planUndo, type DoneAction } from '../../src/playbook/undo/plan';
import type { ContainKind } from '../../src/playbook/undo/types';

const KINDS: ContainKind[] = [...containmentSteps.flatMap((s) => s.handlers.map((h) => h.kind)), 'confirmCompromised'];

const done = (kind: ContainKind, over: Partial<DoneAction> = {}): DoneAction => ({
  id: 'a07',
  step: 7,
  kind,
  objectId: 'obj-1',
  params: { name: 'x' },
  title: 'Do it',
  state: 'succeeded',
  evidence: {},
  ...over,
});

describe('every kind of containment action is reversible or says before approval why not', () => {
  test('each kind is in exactly one of the two: undone by a handler, or in the irreversible table', () => {
    const undone = UNDO_HANDLERS.map((h) => h.undoes);
    for (const k of KINDS) expect([k, undone.includes(k) !== k in IRREVERSIBLE]).toEqual([k, true]);
    expect(Object.keys(IRREVERSIBLE).sort()).toEqual([
      'deleteAuthMethod',
      'removeAppCertificate',
      'removeAppSecret',
      'resetPassword',
      'revokeSessions',
    ]);
  });

  test("the card's sentence for the ones that cannot be undone; none for the others", () => {
    for (const k of Object.keys(IRREVERSIBLE) as ContainKind[]) expect(irreversibleNote(k)).toMatch(/^Cannot be undone: .{20,}\.$/);
    for (const k of [
      'disableDevice',
      'disableInboxRule',
      'stopFlow',
      'disableServicePrincipal',
      'removeGrant',
      'confirmCompromised',
    ] as ContainKind[])
      expect(irreversibleNote(k)).toBeUndefined();
    expect(planUndo(done('resetPassword'))).toEqual({ reversible: false, why: IRREVERSIBLE.resetPassword });
  });
});

describe('planUndo', () => {
  test('a deleted rule is re-created from its evidence snapshot: name, order, enabled, conditions, actions (not its id or read-only fields)', () => {
    const evidence = {
      id: 'AQAAAJ5dZq4=',
      displayName: '..',
      sequence: 2,
      isEnabled: true,
      hasError: false,
      isReadOnly: false,
      conditions: { senderContains: ['@fabrikam-finance.example'] },
      actions: { moveToFolder: 'f1', markAsRead: true },
    };
    const plan = planUndo(
      done('disableInboxRule', {
        evidence,
        params: { userId: 'u1', name: '..' },
        decision: { verb: 'approve', option: 'delete', by: { platform: 'teams', id: '29:x', name: 'A' }, at: '' },
      }),
    );
    if (!plan.reversible) throw new Error(plan.why);
    expect(plan.undo).toMatchObject({ kind: 'recreateInboxRule', undoes: 'a07', objectId: 'obj-1', params: { userId: 'u1', name: '..' } });
    expect(JSON.parse(plan.undo.params.restore)).toEqual({
      displayName: '..',
      sequence: 2,
      isEnabled: true,
      conditions: evidence.conditions,
      actions: evidence.actions,
    });
  });

  test('a disabled rule is enabled; a removed grant re-created with the same client, resource, scope, consent type and principal', () => {
    expect(planUndo(done('disableInboxRule', { evidence: { isEnabled: true } }))).toMatchObject({
      reversible: true,
      undo: { kind: 'enableInboxRule' },
    });
    const grant = { id: 'g1', clientId: 'c1', consentType: 'Principal', principalId: 'p1', resourceId: 'r1', scope: 'Mail.Send openid' };
    const plan = planUndo(done('removeGrant', { evidence: grant }));
    expect(plan.reversible && JSON.parse(plan.undo.params.restore)).toEqual({
      clientId: 'c1',
      consentType: 'Principal',
      principalId: 'p1',
      resourceId: 'r1',
      scope: 'Mail.Send openid',
    });
    const tenantWide = planUndo(done('removeGrant', { evidence: { ...grant, consentType: 'AllPrincipals', principalId: null } }));
    expect(tenantWide.reversible && JSON.parse(tenantWide.undo.params.restore)).toEqual({
      clientId: 'c1',
      consentType: 'AllPrincipals',
      resourceId: 'r1',
      scope: 'Mail.Send openid',
    });
  });

  test('nothing to undo: a change that was not made, one whose object was off before, one without its evidence', () => {
    expect(planUndo(done('disableDevice', { state: 'failed' }))).toMatchObject({
      reversible: false,
      why: expect.stringMatching(/ended failed/),
    });
    expect(planUndo(done('disableDevice', { evidence: { accountEnabled: false } }))).toMatchObject({
      reversible: false,
      why: expect.stringMatching(/already off/),
    });
    expect(planUndo(done('stopFlow', { evidence: { properties: { state: 'Stopped' } } }))).toMatchObject({ reversible: false });
    // The risk snapshot is the riskyUsers list filtered to the user: confirmed before, by someone else, is theirs to keep.
    const risk = (riskState: string) => ({ evidence: { value: [{ id: 'obj-1', riskLevel: 'high', riskState }] } });
    expect(planUndo(done('confirmCompromised', risk('confirmedCompromised')))).toMatchObject({
      reversible: false,
      why: expect.stringMatching(/already confirmed compromised/),
    });
    expect(planUndo(done('confirmCompromised', risk('atRisk')))).toMatchObject({ reversible: true, undo: { kind: 'dismissUserRisk' } });
    expect(planUndo(done('removeGrant', { evidence: undefined }))).toMatchObject({
      reversible: false,
      why: expect.stringMatching(/evidence snapshot is missing/),
    });
    expect(
      planUndo(
        done('disableInboxRule', {
          evidence: undefined,
          decision: { verb: 'approve', option: 'delete', by: { platform: 'slack', id: 'U1', name: 'A' }, at: '' },
        }),
      ),
    ).toMatchObject({ reversible: false });
  });
});
