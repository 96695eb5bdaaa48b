/**
 * Undo against the sandbox tenant, through the engine's own path for each call: the containment change and then its
 * undo, each as snapshot -> change -> outcome -> check -> verified(), every request made by runCalls (one parallel
 * $batch for Graph, the Power Automate client for flows). The tenant's state is read back after each undo.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A, FLOW_ENVIRONMENT } from '../../sandbox/graph/seed-objects';
import { getContext } from '../../src/runtime';
import { runCalls } from '../../src/incidents/calls';
import { withoutAnnotations } from '../../src/graph/odata';
import { handlerFor } from '../../src/playbook/registry';
import type { Action, ActionKind, ActionResult, Decision } from '../../src/incidents/model';
import type { CallResult } from '../../src/playbook/types';
import { planUndo, undoHandlerFor, type DoneAction } from '../../src/playbook/undo/plan';
import { confirmCompromised } from '../../src/playbook/undo/risk';
import type { ContainKind, UndoHandler, UndoTarget } from '../../src/playbook/undo/types';
import { startTestStack } from '../helpers/stack';

type Steps = Pick<UndoHandler, 'snapshot' | 'change' | 'outcome' | 'check' | 'verified'>;

/** One call through runCalls, its answer (never "no answer" here). */
async function call(c: ReturnType<Steps['snapshot']>): Promise<CallResult> {
  const r = (await runCalls(await getContext(), [['x', c]], {})).get('x')!;
  if (r instanceof Error) throw r;
  return r;
}

/** A change as the engine makes it: evidence first, the change, its outcome, then the read-back. */
async function run(h: Steps, a: UndoTarget): Promise<{ evidence: unknown; result: ActionResult; verified: boolean }> {
  const snap = await call(h.snapshot(a));
  expect(snap.status).toBe(200);
  const evidence = withoutAnnotations((snap.body ?? {}) as object);
  const result = h.outcome(a, await call(h.change(a, evidence)));
  return { evidence, result, verified: h.verified(a, evidence, await call(h.check(a))) };
}

const APPROVER: Decision['by'] = { platform: 'teams', id: '29:avery', aadObjectId: SEED_IDS.avery, name: 'Avery Adams' };

/** Contain `kind` on `objectId` as the engine would, then plan and run its undo; both must succeed and read back. */
async function containThenUndo(kind: ContainKind, objectId: string, params: Record<string, string>, option?: 'delete') {
  const decision: Decision | undefined = option ? { verb: 'approve', option, by: APPROVER, at: new Date().toISOString() } : undefined;
  const forward = (kind === 'confirmCompromised' ? confirmCompromised : handlerFor(kind as ActionKind)) as Steps;
  const target = { objectId, params, decision } as Pick<Action, 'objectId' | 'params' | 'decision'>;
  const contained = await run(forward, target as UndoTarget);
  expect([contained.result.outcome, contained.verified]).toEqual(['succeeded', true]);
  const plan = planUndo({
    id: 'a01',
    step: 1,
    kind,
    objectId,
    params,
    title: 'contained',
    state: 'succeeded',
    evidence: contained.evidence,
    decision,
  } satisfies DoneAction);
  if (!plan.reversible) throw new Error(plan.why);
  const undone = await run(undoHandlerFor(plan.undo.kind), plan.undo);
  expect([undone.result.outcome, undone.verified]).toEqual(['succeeded', true]);
  return { plan: plan.undo, evidence: contained.evidence, result: undone.result };
}

describe('undo restores what containment changed, verified by read-back', () => {
  let stack: LocalStack;
  const state = () => stack.emulator.state;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle();
    await fetch(`${stack.url}/sandbox/reset`, { method: 'POST' });
  });

  test('a disabled device is enabled again', async () => {
    const { plan } = await containThenUndo('disableDevice', A.attackerWindowsDevice, { name: 'DESKTOP-7Q2V9KD', os: 'Windows' });
    expect(plan.kind).toBe('enableDevice');
    expect(state().devices.find((d) => d.data.id === A.attackerWindowsDevice)!.data.accountEnabled).toBe(true);
  });

  test('a disabled inbox rule is enabled again', async () => {
    await containThenUndo('disableInboxRule', A.ruleDot, { userId: SEED_IDS.alice, name: '.' });
    expect(state().rules.find((r) => r.data.id === A.ruleDot)!.data.isEnabled).toBe(true);
  });

  test('a deleted inbox rule is re-created from its evidence snapshot: same name, order, conditions and actions, new id', async () => {
    const before = structuredClone(state().rules.find((r) => r.data.id === A.ruleDotDot)!.data);
    const { plan, result } = await containThenUndo('disableInboxRule', A.ruleDotDot, { userId: SEED_IDS.alice, name: '..' }, 'delete');
    expect(plan.kind).toBe('recreateInboxRule');
    expect(result.message).toMatch(/new id/);
    const back = state().rules.filter((r) => r.userId === SEED_IDS.alice && r.data.displayName === '..');
    expect(back).toHaveLength(1);
    expect(back[0].data.id).not.toBe(A.ruleDotDot);
    const { id: _old, ...rest } = before;
    expect(back[0].data).toMatchObject(rest);
  });

  test('a stopped flow is started again', async () => {
    await containThenUndo('stopFlow', A.flowAttacker, { environment: FLOW_ENVIRONMENT, name: 'Sync' });
    expect((state().flows.find((f) => f.data.name === A.flowAttacker)!.data.properties as { state: string }).state).toBe('Started');
    expect(stack.emulator.flowRequests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual(
      expect.arrayContaining([`POST ${A.flowAttacker}/stop`, `POST ${A.flowAttacker}/start`]),
    );
  });

  test('a service principal whose sign-in was turned off is turned back on', async () => {
    await containThenUndo('disableServicePrincipal', A.spAttacker, { name: '..' });
    expect(state().servicePrincipals.find((p) => p.data.id === A.spAttacker)!.data.accountEnabled).toBe(true);
  });

  test('a removed delegated grant is re-created: same client, resource, scope, consent type and principal', async () => {
    const before = structuredClone(state().grants.find((g) => g.data.id === A.grantAttacker)!.data);
    const { plan } = await containThenUndo('removeGrant', A.grantAttacker, { name: '..', scope: String(before.scope) });
    expect(plan.kind).toBe('recreateGrant');
    const back = state().grants.filter((g) => g.data.clientId === A.spAttacker && g.data.principalId === SEED_IDS.alice);
    expect(back).toHaveLength(1);
    const { id: _old, ...rest } = before;
    expect(back[0].data).toMatchObject(rest);
    // A second undo finds the consent there already: skipped, nothing doubled.
    const again = await run(undoHandlerFor('recreateGrant'), plan);
    expect(again.result).toMatchObject({ outcome: 'skipped', code: 'ALREADY_EXISTS' });
    expect(state().grants.filter((g) => g.data.clientId === A.spAttacker && g.data.principalId === SEED_IDS.alice)).toHaveLength(1);
  });

  test('Identity Protection: confirmed compromised, then the risk dismissed', async () => {
    await containThenUndo('confirmCompromised', SEED_IDS.alice, { name: 'Alice Aoki' });
    expect(state().riskyUsers.find((u) => u.id === SEED_IDS.alice)).toMatchObject({ riskState: 'dismissed', riskLevel: 'none' });
    expect(stack.emulator.requests().filter((r) => r.status === 429)).toEqual([]); // 1 request per second: paced, not refused
  });

  test('a re-created rule whose answer was lost is recognised by read-back, so the engine never sends it twice', async () => {
    const { plan, evidence } = await containThenUndo('disableInboxRule', A.ruleDot, { userId: SEED_IDS.alice, name: '.' }, 'delete');
    const h = undoHandlerFor('recreateInboxRule');
    // The undo's own snapshot (the rule list before it) against the list now: made.
    const listBefore = {
      value: state()
        .rules.filter((r) => r.userId === SEED_IDS.alice && r.data.displayName !== '.')
        .map((r) => r.data),
    };
    expect(h.verified(plan, listBefore, await call(h.check(plan)))).toBe(true);
    // And against a list that already held it: not recognised as this undo's doing.
    expect(h.verified(plan, await call(h.check(plan)).then((r) => r.body), await call(h.check(plan)))).toBe(false);
    expect(evidence).toMatchObject({ displayName: '.' });
  });
});
