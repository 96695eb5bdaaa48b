import { SEED_IDS } from '../../sandbox/graph/seed';
import { decide } from '../../src/incidents/decide';
import type { Actor } from '../../src/incidents/model';
import type { Notifier } from '../../src/incidents/notifier';
import { openContainment, releaseFastPath } from '../../src/incidents/open-containment';
import { authorize } from '../../src/incidents/policy';
import { proposeAgain } from '../../src/incidents/propose-again';
import { sweep } from '../../src/incidents/sweep';
import { clearApproverRoster } from '../../src/directory/roster';
import type { IncidentView } from '../../src/views/types';
import { sandboxContext, type SandboxContext } from '../helpers/sandbox-context';

const riley: Actor = { platform: 'teams', id: '29:riley', aadObjectId: SEED_IDS.riley, name: 'Riley Reyes' };
const parker: Actor = { platform: 'slack', id: 'U0PARKER', aadObjectId: SEED_IDS.parker, name: 'Parker Patel' };
const alice: Actor = { platform: 'teams', id: '29:alice', aadObjectId: SEED_IDS.alice, name: 'Alice Aoki' };

/** The use cases on the sandbox tenant and the memory store: no Azurite, no chat platform. */
describe('use cases on the memory store', () => {
  let s: SandboxContext;
  beforeEach(async () => {
    clearApproverRoster();
    s = await sandboxContext();
  });
  afterEach(() => s.close());

  const open = async (who: string = SEED_IDS.alice, dryRun = false) => {
    const requester = await authorize(s.ctx, riley, 'either', 'contain');
    const r = await openContainment(s.ctx, {
      query: { kind: 'id', value: who },
      requester,
      dryRun,
      threads: { teams: { conversationId: '19:soc;messageid=1' } },
    });
    if (r.kind !== 'incident') throw new Error('expected an incident');
    return r;
  };

  test('contain alice: discovery in two Graph batches (at most four mailbox requests each), the incident stored with its proposals', async () => {
    const r = await open();
    const batches = s.emulator.requests().filter((x) => x.path === '/v1.0/$batch');
    const mailbox = (id: string) =>
      s.emulator.requests().filter((x) => x.batchId === id && x.path.startsWith(`/v1.0/users/${SEED_IDS.alice}/mailFolders`)).length;
    const discovery = [
      ...new Set(
        s.emulator
          .requests()
          .filter((x) => x.batchId && x.path.includes(SEED_IDS.alice))
          .map((x) => x.batchId!),
      ),
    ];
    expect(discovery).toHaveLength(2);
    expect(discovery.map(mailbox).every((n) => n <= 4)).toBe(true);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(r.actions.map((a) => a.step)).toEqual([1, 2, 3, 3, 4, 4, 5, 5, 5, 5, 6, 7, 7, 7, 7]); // step 5: two Graph rules, the forwarding and the hidden rule (Exchange)
    expect(r.actions.every((a) => a.state === 'proposed')).toBe(true);
    const stored = await s.store.getIncident(r.incident.id);
    expect(stored?.threads).toEqual({ teams: { conversationId: '19:soc;messageid=1' } });
    expect((await s.store.listAudit(r.incident.id)).map((e) => e.event)).toEqual(['incident.opened']);
    expect(r.view.steps.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('a dry run proposes nothing for approval and changes nothing; a protected account is refused', async () => {
    const r = await open(SEED_IDS.alice, true);
    expect(r.actions.every((a) => a.state === 'skipped')).toBe(true);
    await expect(open(SEED_IDS.breakGlass)).rejects.toMatchObject({ code: 'USER_PROTECTED' });
  });

  test('four eyes: the requester cannot approve, the contained user cannot decide, an approver can; one execute message', async () => {
    const r = await open();
    const ref = `${r.incident.id}/a01`;
    expect(await decide(s.ctx, { ref, verb: 'approve', actor: riley })).toMatchObject({
      kind: 'decided',
      outcome: { kind: 'refused-four-eyes' },
    });
    expect(await decide(s.ctx, { ref, verb: 'approve', actor: alice })).toMatchObject({ outcome: { kind: 'refused-target' } });
    const approved = await decide(s.ctx, { ref, verb: 'approve', actor: parker });
    expect(approved).toMatchObject({
      outcome: { kind: 'approved' },
      message: 'Approved by Parker Patel. Running "Revoke all sessions" now.',
    });
    expect(s.queue.take()).toEqual([{ type: 'execute', incidentId: r.incident.id, actionIds: ['a01'], key: `${r.incident.id}/a01` }]);
    const again = await decide(s.ctx, { ref, verb: 'approve', actor: parker });
    expect(again).toMatchObject({ outcome: { kind: 'already-decided' } });
    expect(again.kind === 'decided' && again.message).toMatch(/^Already approved by Parker Patel at \d\d:\d\d UTC/);
    expect(s.queue.take()).toEqual([]);
    expect(await decide(s.ctx, { ref: 'INC-20990101-0001/a01', verb: 'approve', actor: parker })).toEqual({
      kind: 'not-found',
      message: 'Incident INC-20990101-0001 no longer exists.',
    });
  });

  test('reject all, then propose one again: a fresh proposal with a new id and expiry; proposing twice changes nothing', async () => {
    const r = await open();
    const rejected = await decide(s.ctx, { ref: r.incident.id, verb: 'reject-all', actor: parker });
    expect(rejected.kind === 'decided' && rejected.actions.every((a) => a.state === 'rejected')).toBe(true);
    const again = await proposeAgain(s.ctx, `${r.incident.id}/a01`, riley);
    const actions = await s.store.listActions(r.incident.id);
    expect(actions.at(-1)).toMatchObject({ id: 'a16', kind: 'revokeSessions', state: 'proposed' });
    expect(again.view.actions.filter((a) => a.decidable)).toHaveLength(1);
    expect((await proposeAgain(s.ctx, `${r.incident.id}/a01`, riley)).view.banner?.text).toBe('It is already proposed again.');
    await expect(proposeAgain(s.ctx, `${r.incident.id}/a01`, alice)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
  });

  test('the sweeper expires what nobody decided in time and says so on the card, once', async () => {
    const r = await open();
    const cards: IncidentView[] = [];
    const notifier: Notifier = { updateCard: async (_i, v) => void cards.push(v), postStatus: async () => undefined };
    const later = new Date(Date.now() + s.ctx.policy.approvalTtlMs + 60_000);
    const ctx = { ...s.ctx, now: () => later };
    expect(await sweep(ctx, async () => notifier)).toEqual({ expired: 15, requeued: 0 });
    expect(cards).toHaveLength(1);
    expect(cards[0].actions.every((a) => a.state === 'expired' && a.reproposable)).toBe(true);
    expect(await sweep(ctx, async () => notifier)).toEqual({ expired: 0, requeued: 0 });
    expect(await decide(ctx, { ref: `${r.incident.id}/a01`, verb: 'approve', actor: parker })).toMatchObject({
      outcome: { kind: 'already-decided' },
    });
  });

  test('the fast path queues revoking sessions only once the platform recorded where the card went', async () => {
    const fast = await sandboxContext({ CONTAIN_FAST_PATH_REVOKE: 'true' });
    try {
      const requester = await authorize(fast.ctx, riley, 'either', 'contain');
      const r = await openContainment(fast.ctx, { query: { kind: 'id', value: SEED_IDS.alice }, requester, dryRun: false, threads: {} });
      if (r.kind !== 'incident') throw new Error('expected an incident');
      expect(r.actions[0]).toMatchObject({ kind: 'revokeSessions', state: 'approved', fastPath: true });
      expect(fast.queue.take()).toEqual([]);
      await releaseFastPath(fast.ctx, r.incident.id);
      expect(fast.queue.take()).toEqual([{ type: 'execute', incidentId: r.incident.id, actionIds: ['a01'], key: `${r.incident.id}/a01` }]);
    } finally {
      await fast.close();
    }
  });
});
