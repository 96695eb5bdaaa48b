import { SEED_IDS } from '../../sandbox/graph/seed';
import { clearApproverRoster } from '../../src/directory/roster';
import type { Actor } from '../../src/incidents/model';
import { approveWave } from '../../src/wave/approve';
import { createCampaign, loadCampaign, type Campaign } from '../../src/wave/campaign';
import { resumeStalledWaves } from '../../src/wave/resume';
import { runWaveSlice } from '../../src/wave/run';
import { openContainment } from '../../src/incidents/open-containment';
import { priorGrant, systemGrant } from '../../src/incidents/policy';
import { closeIncident } from '../../src/incidents/close';
import { openAlertIncident } from '../../bot/alerts';
import { adoptIncidentChannel, mayMoveIncidentChannel, rememberIncidentChannel, storedIncidentChannel } from '../../src/incidents/channel';
import { proposeForLaterAlert } from '../../src/incidents/later-alert';
import { dyingAt, sandboxContext, withStore, type SandboxContext } from '../helpers/sandbox-context';
import { campaignOf } from '../helpers/wave';

const actor = (name: string, id: string): Actor => ({ platform: 'teams', id: name, aadObjectId: id, name });
const riley = actor('Riley Rivera', SEED_IDS.riley);
const avery = actor('Avery Adams', SEED_IDS.avery);
const campaign = (over: Partial<Campaign> = {}) => campaignOf(riley, over);

/**
 * Crash and race cases a review found in the alert, close and wave paths (each failed before its fix): the worker dies
 * between two writes, or a close races an alert's note; and who may move the incident channel.
 */
describe('alerts, close and the wave through crashes and races', () => {
  let s: SandboxContext;
  beforeAll(async () => {
    clearApproverRoster();
    s = await sandboxContext();
  });
  afterAll(() => s.close());

  test('a wave approved by a worker that died before queuing its first slice is started by the sweeper', async () => {
    const c = campaign({ count: 1, listed: 1, expiresAt: new Date(Date.now() + 30 * 60_000).toISOString() });
    await createCampaign(s.ctx, c, [{ upn: 'a@contoso.example', userId: 'aaaaaaaa-0000-4000-8000-000000000001', reasons: 'x' }]);
    // Dies while marking it in flight: nothing is approved yet, and the wave waits for the next press.
    await expect(approveWave(dyingAt(s, 'wave-active'), c.id, undefined, avery)).rejects.toThrow('worker died');
    expect((await loadCampaign(s.ctx, c.id))!.state).toBe('proposed');
    // Dies after the approval is saved, before pressContainAll queued the first slice: the sweeper starts it.
    const aMinuteOn = { ...s.ctx, now: () => new Date(Date.now() + 61_000) };
    expect(await approveWave(aMinuteOn, c.id, undefined, avery)).toMatchObject({ kind: 'approved' });
    const later = { ...s.ctx, now: () => new Date(Date.now() + 10 * 60_000) };
    expect(await resumeStalledWaves(later)).toBe(1);
  });

  test('a wave does not follow a dry run: the user gets a real incident, not "contained" with nothing changed', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 1, compromised: 1 }).added;
    const u = added[0];
    const dry = await openContainment(s.ctx, {
      query: { kind: 'id', value: u.id },
      requester: priorGrant(riley, 'either'),
      dryRun: true,
      threads: {},
    });
    expect(dry.kind).toBe('incident');
    const c = campaign({ state: 'approved', decision: { by: avery, at: new Date().toISOString(), excluded: [] } });
    await createCampaign(s.ctx, c, [{ upn: u.upn, userId: u.id, reasons: 'AiTM' }]);
    const first = await runWaveSlice(s.ctx, c, { budgetMs: 60_000, concurrency: 1 });
    const second = await runWaveSlice(s.ctx, first.campaign, { budgetMs: 60_000, concurrency: 1 });
    const real = (await s.store.findIncidents({ targetUserId: u.id })).filter((i) => !i.dryRun);
    // A real incident opened for the wave, not the dry run followed and called contained.
    expect(real).toHaveLength(1);
    expect(second.statuses.get(0)?.incidentId).toBe(real[0].id);
  });

  test('a close whose worker died before telling the alert poll: closing again begins the next generation, once', async () => {
    const r = await openContainment(s.ctx, {
      query: { kind: 'id', value: SEED_IDS.alice },
      requester: systemGrant({ platform: 'alert', id: 'alert', name: 'alert' }),
      dryRun: false,
      threads: {},
    });
    if (r.kind !== 'incident') throw new Error('no incident');
    await s.store.remember('alert-user', SEED_IDS.alice, { generation: 0, pending: { since: new Date().toISOString() }, delivered: true });
    await expect(closeIncident(dyingAt(s, 'alert-user'), r.incident.id, avery)).rejects.toThrow('worker died');
    await closeIncident(s.ctx, r.incident.id, avery); // typed again: "closed already"
    expect((await s.store.recall<{ generation: number }>('alert-user', SEED_IDS.alice))!.value.generation).toBe(1);
    await closeIncident(s.ctx, r.incident.id, avery); // and again: no further generation
    expect((await s.store.recall<{ generation: number }>('alert-user', SEED_IDS.alice))!.value.generation).toBe(1);
  });

  test('a real alert about a user with an open dry run opens a real incident', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 1, compromised: 1 }).added;
    const u = added[0];
    await openContainment(s.ctx, { query: { kind: 'id', value: u.id }, requester: priorGrant(riley, 'either'), dryRun: true, threads: {} });
    await rememberIncidentChannel(s.ctx, 'slack', { teamId: 'T0CONTOSO', channel: 'C0INCIDENTS' });
    const now = new Date().toISOString();
    // Its card cannot be posted here (no chat platform in a unit test): the incident is what this checks.
    await openAlertIncident(s.ctx, {
      key: `alert:${u.id}#0`,
      userId: u.id,
      userPrincipalName: u.upn,
      requester: 'alert',
      generation: 0,
      firstSeen: now,
      signals: [
        { source: 'identityProtection', id: 'r1', title: 'User at high risk', severity: 'high', at: now, rule: 'risk', reason: 'high' },
      ],
    }).catch(() => undefined);
    const incidents = await s.store.findIncidents({ targetUserId: u.id });
    expect(incidents.filter((i) => !i.dryRun)).toHaveLength(1);
  });

  const signal = (now: string) => ({
    source: 'identityProtection' as const,
    id: 'r1',
    title: 'User at high risk',
    severity: 'high',
    at: now,
    rule: 'risk',
    reason: 'high',
  });

  test('a later alert whose delivery died after proposing: the redelivery returns the proposal and audits it', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 1, compromised: 1 }).added;
    const r = await openContainment(s.ctx, {
      query: { kind: 'id', value: added[0].id },
      requester: priorGrant(riley, 'either'),
      dryRun: false,
      threads: {},
    });
    if (r.kind !== 'incident') throw new Error('no incident');
    const now = new Date().toISOString();
    const dying = withStore(s, { appendAudit: () => Promise.reject(new Error('worker died')) });
    await expect(proposeForLaterAlert(dying, r.incident, { key: 'k1', signals: [signal(now)] })).rejects.toThrow('worker died');
    const again = await proposeForLaterAlert(s.ctx, r.incident, { key: 'k1', signals: [signal(now)] });
    const audit = (await s.store.listAudit(r.incident.id)).map((e) => e.event);
    expect(again).toBeDefined();
    expect(audit.filter((e) => e === 'action.proposed')).toHaveLength(1);
  });

  test('an incident closed while an alert is noted on it: the note is refused, and the redelivery opens a new incident', async () => {
    const added = s.emulator.addScenario({ phishRecipients: 1, compromised: 1 }).added;
    const u = added[0];
    const r = await openContainment(s.ctx, {
      query: { kind: 'id', value: u.id },
      requester: priorGrant(riley, 'either'),
      dryRun: false,
      threads: {},
    });
    if (r.kind !== 'incident') throw new Error('no incident');
    await rememberIncidentChannel(s.ctx, 'slack', { teamId: 'T0CONTOSO', channel: 'C0INCIDENTS' });
    await s.store.remember('alert-user', u.id, { generation: 0, pending: { since: new Date().toISOString() }, delivered: true });
    let closed = false;
    const racing = withStore(s, {
      listActions: async (id: string) => {
        if (!closed) {
          closed = true;
          await closeIncident(s.ctx, r.incident.id, avery);
        }
        return s.store.listActions(id);
      },
    });
    const now = new Date().toISOString();
    const request = {
      key: `alert:${u.id}#0`,
      userId: u.id,
      userPrincipalName: u.upn,
      requester: 'alert' as const,
      generation: 0,
      firstSeen: now,
      signals: [signal(now)],
    };
    await expect(openAlertIncident(racing, request)).rejects.toThrow(/closed meanwhile/);
    const after = (await s.store.getIncident(r.incident.id))!;
    expect([after.state, after.facts.laterAlerts]).toEqual(['closed', undefined]);
    // Redelivered: no open incident is left, so the alert opens its own under the key nothing used (its card cannot be
    // posted in a unit test; the incident is what this checks).
    await openAlertIncident(s.ctx, request).catch(() => undefined);
    const open = (await s.store.findIncidents({ targetUserId: u.id })).filter((i) => i.state !== 'closed');
    expect(open.map((i) => i.facts.alert?.key)).toEqual([request.key]);
  });

  test('the incident channel moves only when an approver adds Contain; the first channel is set by anyone', async () => {
    const logCtx = { store: s.store, log: s.ctx.log };
    const by = (who: Actor) => () => mayMoveIncidentChannel(s.ctx, who);
    expect(await adoptIncidentChannel(logCtx, 'teams', { conversationId: '19:first' }, riley, by(riley))).toBe('set');
    expect(await adoptIncidentChannel(logCtx, 'teams', { conversationId: '19:elsewhere' }, riley, by(riley))).toBe('kept');
    expect(await storedIncidentChannel(s.ctx, 'teams')).toEqual({ conversationId: '19:first' });
    expect(await adoptIncidentChannel(logCtx, 'teams', { conversationId: '19:soc' }, avery, by(avery))).toBe('set');
    expect(await storedIncidentChannel(s.ctx, 'teams')).toEqual({ conversationId: '19:soc' });
  });
});
