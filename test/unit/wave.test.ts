import { SEED_IDS } from '../../sandbox/graph/seed';
import { clearApproverRoster } from '../../src/directory/roster';
import type { Actor } from '../../src/incidents/model';
import { approveWave } from '../../src/wave/approve';
import { createCampaign, loadCampaign, loadStatuses, type Campaign, type UserStatus } from '../../src/wave/campaign';
import { runWaveSlice } from '../../src/wave/run';
import { executeActions } from '../../src/incidents/execute';
import { progressText } from '../../src/wave/progress';
import { dyingAt, sandboxContext, type SandboxContext } from '../helpers/sandbox-context';
import { campaignOf } from '../helpers/wave';

const actor = (name: string, id: string): Actor => ({ platform: 'teams', id: name, aadObjectId: id, name });
const riley = actor('Riley Rivera', SEED_IDS.riley);
const avery = actor('Avery Adams', SEED_IDS.avery);
const parker = actor('Parker Patel', SEED_IDS.parker);
const campaign = (over: Partial<Campaign> = {}) => campaignOf(riley, { count: 3, listed: 3, ...over });
const users = [
  { upn: 'a@contoso.example', userId: 'aaaaaaaa-0000-4000-8000-000000000001', reasons: 'x' },
  { upn: 'parker.patel@contoso.example', userId: SEED_IDS.parker, reasons: 'y' },
  { upn: 'c@contoso.example', reasons: 'z' },
];

describe('approving a wave: one decision, by someone allowed to make it', () => {
  let s: SandboxContext;
  beforeAll(async () => {
    clearApproverRoster();
    s = await sandboxContext();
  });
  afterAll(() => s.close());
  const offer = async (over: Partial<Campaign> = {}, list = users) => {
    const c = campaign(over);
    await createCampaign(s.ctx, c, list);
    return c;
  };

  test('an approver who is neither the requester nor in the wave approves it once; a second approval is refused', async () => {
    const c = await offer();
    expect(await approveWave(s.ctx, c.id, ['0', '2'], avery)).toMatchObject({ kind: 'approved', chosen: 2, left: 1 });
    expect((await loadCampaign(s.ctx, c.id))!.decision).toMatchObject({ by: { name: 'Avery Adams' }, excluded: [1] });
    expect(await approveWave(s.ctx, c.id, undefined, actor('Quinn Quigley', SEED_IDS.quinn))).toMatchObject({
      kind: 'refused',
      text: expect.stringMatching(/^Already approved by Avery Adams/),
    });
  });

  test('refused: whoever ran scope, a user of the wave, an expired offer, every box unticked, a responder', async () => {
    expect(await approveWave(s.ctx, (await offer({ requester: avery })).id, undefined, avery)).toMatchObject({
      text: expect.stringMatching(/You ran scope/),
    });
    expect(await approveWave(s.ctx, (await offer()).id, undefined, parker)).toMatchObject({
      text: expect.stringMatching(/one of the users this wave contains/),
    });
    expect(
      await approveWave(s.ctx, (await offer({ expiresAt: new Date(Date.now() - 1).toISOString() })).id, undefined, avery),
    ).toMatchObject({ text: expect.stringMatching(/expired/) });
    expect(await approveWave(s.ctx, (await offer()).id, [], avery)).toMatchObject({ text: expect.stringMatching(/Every box is unticked/) });
    await expect(approveWave(s.ctx, (await offer({ requester: avery })).id, undefined, riley)).rejects.toThrow(/needs the approver role/);
    expect(await approveWave(s.ctx, 'CMP-20261130-00000000', undefined, avery)).toMatchObject({ text: expect.stringMatching(/no wave/) });
  });

  test('users beyond the listed ones are always in: only listed keys can be unticked', async () => {
    const c = await offer({ listed: 2 });
    expect(await approveWave(s.ctx, c.id, ['1'], avery)).toMatchObject({ kind: 'approved', chosen: 2, left: 1 });
  });

  test('an approver whose worker dies between claiming the approval and saving it: a press a minute later finishes it, once, with that decision', async () => {
    const c = await offer({ expiresAt: new Date(Date.now() + 30 * 60_000).toISOString() }); // still open a minute on
    // The campaign's save fails as a dying worker's would: the claim is taken, the campaign still proposed.
    const dying = dyingAt(s, 'campaign');
    await expect(approveWave(dying, c.id, ['0', '1'], avery)).rejects.toThrow('worker died');
    const quinn = actor('Quinn Quigley', SEED_IDS.quinn);
    expect(await approveWave(s.ctx, c.id, undefined, quinn)).toMatchObject({ kind: 'refused', text: 'It is being approved right now.' });
    const aMinuteOn = { ...s.ctx, now: () => new Date(Date.now() + 61_000) };
    const [first, second] = await Promise.all([
      approveWave(aMinuteOn, c.id, undefined, quinn),
      approveWave(aMinuteOn, c.id, undefined, quinn),
    ]);
    expect([first.kind, second.kind].sort()).toEqual(['approved', 'refused']);
    // Avery's decision, not Quinn's press: Avery unticked the third user.
    expect((await loadCampaign(s.ctx, c.id))!).toMatchObject({
      state: 'approved',
      decision: { by: { name: 'Avery Adams' }, excluded: [2] },
    });
    expect(await approveWave(aMinuteOn, c.id, undefined, quinn)).toMatchObject({
      text: expect.stringMatching(/^Already approved by Avery Adams/),
    });
  });
});

test('the progress line: contained of total, who needs an admin and why, what is left', () => {
  const c = campaign({ count: 8 });
  const st = new Map<number, UserStatus>([
    [0, { state: 'contained', incidentId: 'INC-1' }],
    [1, { state: 'admin', incidentId: 'INC-2', note: 'Reset password: reset on-premises' }],
    [2, { state: 'admin', incidentId: 'INC-3', note: 'Disable device "MAC": an admin must do this in the portal' }],
    [3, { state: 'running', incidentId: 'INC-4' }],
    [4, { state: 'refused', note: 'protected account' }],
    [5, { state: 'left' }],
    [6, { state: 'contained', incidentId: 'INC-5' }],
  ]);
  const us = Array.from({ length: 8 }, (_, i) => ({ upn: `u${i}@contoso.example`, reasons: '' }));
  expect(progressText(c, st, us)).toBe(
    `Wave ${c.id}: 2 of 7 contained, 2 need an admin: u1@contoso.example (Reset password: reset on-premises); u2@contoso.example (Disable device "MAC": an admin must do this in the portal). 1 not contained: u4@contoso.example (protected account). In progress: 1 running, 1 still to open. 1 left out (unticked).`,
  );
});

describe('a wave resumes after a failure mid-slice without repeating anything', () => {
  let s: SandboxContext;
  beforeAll(async () => {
    clearApproverRoster();
    s = await sandboxContext();
  });
  afterAll(() => s.close());

  test('the slice that failed on the second user is run again: one incident per user (the reserved one), each action approved and made once', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 2, compromised: 2 }).added;
    const c = campaign({ count: 2, listed: 2, state: 'approved', decision: { by: avery, at: new Date().toISOString(), excluded: [] } });
    await createCampaign(
      s.ctx,
      c,
      added.map((a) => ({ upn: a.upn, userId: a.id, reasons: 'AiTM' })),
    );
    // The second user's lookup fails once for good (a 400 is not retried): the slice stops, keeping what it did.
    s.emulator.faults.add({ route: `^/v1\\.0/users/${added[1].id}$`, status: 400, times: 1 });
    await expect(runWaveSlice(s.ctx, c, { budgetMs: 60_000, concurrency: 1 })).rejects.toThrow();
    const saved = await loadStatuses(s.ctx, c);
    expect([...saved.keys()]).toEqual([0]);

    const again = await runWaveSlice(s.ctx, c, { budgetMs: 60_000, concurrency: 1 });
    expect(again.campaign.cursor).toBe(2);
    const incidents = await Promise.all(added.map((a) => s.store.findIncidents({ targetUserId: a.id })));
    expect(incidents.map((l) => l.length)).toEqual([1, 1]);
    expect([...again.statuses.values()].map((x) => x.incidentId)).toEqual(incidents.map((l) => l[0].id));

    // The engine runs what the wave approved: every change once.
    const mark = s.emulator.requests().length;
    for (const m of s.queue.take())
      if (m.type === 'execute') await executeActions(s.ctx, m, { updateCard: async () => undefined, postStatus: async () => undefined });
    const writes = s.emulator
      .requests()
      .slice(mark)
      .filter((r) => r.method !== 'GET' && !r.path.endsWith('/$batch') && !r.path.endsWith('/checkMemberObjects') && r.status < 300)
      .map((r) => `${r.method} ${r.path}`);
    expect(writes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(writes).size).toBe(writes.length);
    for (const l of incidents) {
      const audit = await s.store.listAudit(l[0].id);
      const approvals = audit.filter((e) => e.event === 'action.approved').map((e) => e.actionId);
      expect(new Set(approvals).size).toBe(approvals.length);
      expect((await s.store.listActions(l[0].id)).every((a) => a.state === 'succeeded')).toBe(true);
    }
    const done = await runWaveSlice(s.ctx, again.campaign, { budgetMs: 60_000, concurrency: 1 });
    expect(done.finished).toBe(true);
    expect(progressText(done.campaign, done.statuses, done.users)).toBe(`Wave ${c.id}: 2 of 2 contained. Done.`);
  });
});
