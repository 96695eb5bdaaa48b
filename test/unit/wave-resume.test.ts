import { SEED_IDS } from '../../sandbox/graph/seed';
import { runWaveMessage } from '../../bot/wave';
import type { ContainContext } from '../../src/context';
import { clearApproverRoster } from '../../src/directory/roster';
import type { Actor } from '../../src/incidents/model';
import type { WorkMessage } from '../../src/store/work-queue';
import { createCampaign, inFlight, loadCampaign, markInFlight, saveCampaign } from '../../src/wave/campaign';
import { resumeStalledWaves, WAVE_STALE_MS } from '../../src/wave/resume';
import { sandboxContext, type SandboxContext } from '../helpers/sandbox-context';
import { campaignOf } from '../helpers/wave';

const actor = (name: string, id: string): Actor => ({ platform: 'teams', id: name, aadObjectId: id, name });
const riley = actor('Riley Rivera', SEED_IDS.riley);
const avery = actor('Avery Adams', SEED_IDS.avery);

type WaveMessage = Extract<WorkMessage, { type: 'wave' }>;
const waves = (s: SandboxContext) => s.queue.take().filter((m): m is WaveMessage => m.type === 'wave');
const later = (ctx: ContainContext, ms: number): ContainContext => ({ ...ctx, now: () => new Date(Date.now() + ms) });

/**
 * A wave's chain of slice messages can stop for good (its message poisoned after five failed deliveries, a worker
 * dying between the slice and the next message): the sweeper restarts it as a new chain, and the old chain's
 * messages, should one come back, do nothing.
 */
describe('the sweeper restarts a wave whose chain of slices stopped', () => {
  let s: SandboxContext;
  beforeAll(async () => {
    clearApproverRoster();
    s = await sandboxContext();
  });
  afterAll(() => s.close());

  test('stale after five minutes: one new chain from where the wave stands; the old chain is dropped; a landed wave leaves the list', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 2, compromised: 2 }).added;
    const c = campaignOf(riley, {
      id: 'CMP-20261202-0000beef',
      count: 2,
      listed: 2,
      state: 'approved',
      decision: { by: avery, at: new Date().toISOString(), excluded: [] },
    });
    await createCampaign(
      s.ctx,
      c,
      added.map((a) => ({ upn: a.upn, userId: a.id, reasons: 'AiTM' })),
    );
    await markInFlight(s.ctx, c.id);
    // The first slice's message was lost: nothing runs the wave.

    expect(await resumeStalledWaves(later(s.ctx, WAVE_STALE_MS - 30_000))).toBe(0); // not stale yet
    expect(waves(s)).toEqual([]);
    expect(await resumeStalledWaves(later(s.ctx, WAVE_STALE_MS + 1_000))).toBe(1);
    const [restart, ...more] = waves(s);
    expect(more).toEqual([]);
    expect(restart).toMatchObject({ campaignId: c.id, step: 0, chain: expect.any(String) });
    expect((await loadCampaign(s.ctx, c.id))!.chain).toBe(restart.chain);
    // Just restarted, so fresh again: a second sweep a minute later starts nothing.
    expect(await resumeStalledWaves(later(s.ctx, 60_000))).toBe(0);

    // The old chain's message comes back after all: it does nothing (no incident opened, nothing queued).
    await runWaveMessage(s.ctx, { campaignId: c.id, step: 0 });
    expect((await Promise.all(added.map((a) => s.store.findIncidents({ targetUserId: a.id })))).flat()).toEqual([]);
    expect(s.queue.take()).toEqual([]);

    // The new chain runs the wave: every user opened once, the next slice queued on the same chain.
    await runWaveMessage(s.ctx, restart);
    const opened = await Promise.all(added.map((a) => s.store.findIncidents({ targetUserId: a.id })));
    expect(opened.map((l) => l.length)).toEqual([1, 1]);
    const queued = s.queue.take();
    const next = queued.filter((m): m is WaveMessage => m.type === 'wave');
    expect(next).toEqual([expect.objectContaining({ step: 1, chain: restart.chain })]);
    expect(queued.some((m) => m.type === 'execute')).toBe(true);

    // A redelivered copy of the slice just run finds the campaign moved on: it queues no second chain.
    await runWaveMessage(s.ctx, restart);
    expect(waves(s)).toEqual([]);

    // Landed (here: withdrawn as done) waves leave the sweeper's list.
    await saveCampaign(s.ctx, { ...(await loadCampaign(s.ctx, c.id))!, state: 'done' });
    expect(await resumeStalledWaves(later(s.ctx, WAVE_STALE_MS * 2))).toBe(0);
    expect(await inFlight(s.ctx)).toEqual([]);
  });
});
