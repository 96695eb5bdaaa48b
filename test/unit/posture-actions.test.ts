/**
 * The defensive measures from the posture card to the tenant, on the memory store and the sandbox tenant: a press
 * opens a posture record with one proposed change, a different approver decides, the engine runs it (snapshot, change,
 * read-back), and Enforce and Undo follow the same way. Without the optional permissions the card gives the steps.
 */
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { replaySignIns } from '../../sandbox/graph/ca-evaluate';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { clearApproverRoster } from '../../src/directory/roster';
import { decide } from '../../src/incidents/decide';
import { executeActions } from '../../src/incidents/execute';
import { buildReport } from '../../src/incidents/report';
import type { Actor } from '../../src/incidents/model';
import type { Notifier } from '../../src/incidents/notifier';
import { DIRECTORY_SYNC_ROLE, REPORT_ONLY } from '../../src/posture/measures';
import { offerPilot, pilotCandidates } from '../../src/posture/pilot';
import { requestPostureChange, type PostureRequestResult } from '../../src/posture/request';
import { postureView } from '../../src/posture/status';
import type { PostureVerb } from '../../src/views/buttons';
import type { IncidentView, PostureChangeView, PostureView } from '../../src/views/types';
import { sandboxContext, type SandboxContext } from '../helpers/sandbox-context';

const riley: Actor = { platform: 'teams', id: '29:riley', aadObjectId: SEED_IDS.riley, name: 'Riley Rivera' };
const parker: Actor = { platform: 'slack', id: 'U0PARKER', aadObjectId: SEED_IDS.parker, name: 'Parker Patel' };
const GLOBAL_ADMIN_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';

describe('defensive measures as approved changes', () => {
  let s: SandboxContext;
  const cards: IncidentView[] = [];
  const notifier: Notifier = { updateCard: async (_i, v) => void cards.push(v), postStatus: async () => undefined };
  beforeEach(async () => {
    clearApproverRoster();
    cards.length = 0;
    s = await sandboxContext();
    await s.ctx.graph.get('/users?$top=1'); // warm the client
  });
  afterEach(() => s.close());

  const press = async (verb: PostureVerb, ref: string, actor = riley): Promise<Extract<PostureRequestResult, { kind: 'requested' }>> => {
    const r = await requestPostureChange(s.ctx, { verb, ref, actor, threads: { teams: { conversationId: '19:soc;messageid=9' } } });
    if (r.kind !== 'requested') throw new Error(r.message);
    return r;
  };
  /** A different approver says yes; the engine runs what was queued. */
  const approve = async (incidentId: string) => {
    const d = await decide(s.ctx, { ref: `${incidentId}/a01`, verb: 'approve', actor: parker });
    expect(d).toMatchObject({ outcome: { kind: 'approved' } });
    for (const m of s.queue.take()) if (m.type === 'execute') await executeActions(s.ctx, m, notifier);
    return (await s.store.listActions(incidentId))[0];
  };
  const policies = () =>
    s.emulator.state.conditionalAccessPolicies as unknown as {
      id: string;
      displayName: string;
      state: string;
      conditions: { users: Record<string, string[]> };
    }[];
  const check = (v: PostureView, measure: string) => v.checks.find((c) => c.measure.startsWith(measure))!;

  test('posture: at least seven measures, met or missing with evidence; Apply on each missing one Contain can make', async () => {
    const v = await postureView(s.ctx);
    expect(v.checks.length).toBeGreaterThanOrEqual(7);
    expect(v.checks.every((c) => ['met', 'missing', 'unknown'].includes(c.status) && c.evidence.length > 10)).toBe(true);
    const offered = v.checks.filter((c) => c.offer?.kind === 'apply').map((c) => (c.offer as { ref: string }).ref);
    expect(offered.sort()).toEqual([
      'blockDeviceCodeFlow',
      'compliantDevice',
      'phishingResistantMfa',
      'registrationFromTrustedLocations',
      'userConsentOff',
      'usersCannotRegisterApps',
    ]);
    expect(check(v, 'Harmful user agents').offer).toMatchObject({ kind: 'note', text: expect.stringMatching(/hunt user-agents/) });
    expect(check(v, 'Risky sign-ins').offer).toBeUndefined();
  });

  test('Apply: a posture record with one proposal; four-eyes; after approval a report-only policy excluding the protected accounts, the policies before as evidence', async () => {
    const r = await press('posture-apply', 'compliantDevice');
    expect(r.incident).toMatchObject({ kind: 'posture', state: 'open', requester: riley });
    expect(r.view).toMatchObject({ kind: 'posture-change', title: 'Apply (report-only): Require a compliant or hybrid-joined device' });
    expect(r.view.actions).toEqual([expect.objectContaining({ decidable: true, state: 'proposed' })]);
    expect(policies().some((p) => p.displayName.includes(r.incident.id))).toBe(false);
    expect(await decide(s.ctx, { ref: `${r.incident.id}/a01`, verb: 'approve', actor: riley })).toMatchObject({
      outcome: { kind: 'refused-four-eyes' },
    });
    const done = await approve(r.incident.id);
    expect(done).toMatchObject({ state: 'succeeded', result: { verified: true } });
    const created = policies().find(
      (p) => p.displayName === `Contain ${r.incident.id}: Require a compliant or hybrid-joined device (report-only)`,
    )!;
    expect(created.state).toBe(REPORT_ONLY);
    expect(created.conditions.users.excludeUsers).toContain(SEED_IDS.breakGlass);
    expect(created.conditions.users.excludeRoles).toEqual(expect.arrayContaining([GLOBAL_ADMIN_TEMPLATE, DIRECTORY_SYNC_ROLE]));
    expect((done.evidence as { value: { displayName: string }[] }).value.map((p) => p.displayName)).not.toContain(created.displayName);
    expect(await s.store.getIncident(r.incident.id)).toMatchObject({ state: 'closed' });
    const { markdown } = await buildReport(s.ctx, r.incident.id);
    expect(markdown).toMatch(
      /\| Create "Contain INC-\d{8}-\d{4}: Require a compliant or hybrid-joined device \(report-only\)" in report-only state \| succeeded \| Parker Patel/,
    );
    expect((cards.at(-1) as PostureChangeView).actions[0].stateLabel).toMatch(/^Done, approved by Parker Patel/);
    // A second press says so instead of requesting the same policy twice.
    expect(await requestPostureChange(s.ctx, { verb: 'posture-apply', ref: 'compliantDevice', actor: riley, threads: {} })).toMatchObject({
      kind: 'already',
      message: expect.stringMatching(/already applied/),
    });
    // Deleted outside Contain: said once on the card, and the measure is offered again.
    s.emulator.state.conditionalAccessPolicies.splice(policies().indexOf(created), 1);
    const v = await postureView(s.ctx);
    expect(v.notes).toContain(`No longer in the tenant (deleted outside Contain): "${created.displayName}" (${r.incident.id}).`);
    expect(v.applied).toBeUndefined();
    expect(check(v, 'Compliant').offer).toEqual({ kind: 'apply', ref: 'compliantDevice' });
  });

  test('the report-only policy on the card: who it would have blocked, then Enforce and Undo, each approved', async () => {
    const applied = await press('posture-apply', 'compliantDevice');
    await approve(applied.incident.id);
    replaySignIns(s.emulator, { hours: 72 });
    const v = await postureView(s.ctx);
    const a = v.applied![0];
    expect(a).toMatchObject({
      state: 'report-only',
      incidentId: applied.incident.id,
      enforce: `${applied.incident.id}/a01`,
      undo: `${applied.incident.id}/a01`,
    });
    expect(a.impact!.wouldBlock).toBeGreaterThan(0);
    expect(a.impact!.byApp.length).toBeGreaterThan(0);
    expect(check(v, 'Compliant').offer).toMatchObject({ kind: 'note' });

    const enforce = await press('posture-enforce', `${applied.incident.id}/a01`);
    expect((await postureView(s.ctx)).applied![0]).toMatchObject({ pending: expect.stringMatching(/requested by Riley Rivera/) });
    expect(await approve(enforce.incident.id)).toMatchObject({ state: 'succeeded', result: { verified: true } });
    const p = policies().find((x) => x.displayName === `Contain ${applied.incident.id}: Require a compliant or hybrid-joined device`)!;
    expect(p.state).toBe('enabled');
    expect(check(await postureView(s.ctx), 'Compliant').status).toBe('met');

    const undo = await press('posture-undo', `${applied.incident.id}/a01`);
    expect(await approve(undo.incident.id)).toMatchObject({
      state: 'succeeded',
      result: { verified: true },
      evidence: expect.objectContaining({ id: p.id, state: 'enabled' }),
    });
    expect(policies().some((x) => x.id === p.id)).toBe(false);
    expect((await postureView(s.ctx)).applied ?? []).toEqual([]);
  });

  test('an authorization setting: no report-only state; applied after approval, and Undo restores exactly the snapshot', async () => {
    const before = structuredClone(s.emulator.state.authorizationPolicy);
    const r = await press('posture-apply', 'userConsentOff');
    expect(r.view.title).toBe('Apply: Users may not consent to applications');
    expect(r.view.description).toMatch(/no report-only mode/);
    await approve(r.incident.id);
    expect(
      (s.emulator.state.authorizationPolicy as { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: string[] } })
        .defaultUserRolePermissions.permissionGrantPoliciesAssigned,
    ).toEqual([]);
    expect(check(await postureView(s.ctx), 'Users may not consent').status).toBe('met');
    const undo = await press('posture-undo', `${r.incident.id}/a01`);
    expect(await approve(undo.incident.id)).toMatchObject({ state: 'succeeded', result: { verified: true } });
    expect(s.emulator.state.authorizationPolicy).toEqual(before);
  });

  test('hunt: the pilot group holds the targeted users, the exclusion group the legitimate successes; policy report-only with App Control', async () => {
    const records = [
      {
        id: '1',
        source: 'signin',
        logon: true,
        time: '2026-11-25T10:00:00Z',
        user: 'judy.jones@contoso.example',
        ip: '45.155.205.99',
        operation: 'signin',
        userAgent: 'axios/1.6.8',
        success: true,
        details: {},
      },
      {
        id: '2',
        source: 'signin',
        logon: true,
        time: '2026-11-25T10:00:00Z',
        user: 'ivan.ivanov@contoso.example',
        ip: '45.155.205.99',
        operation: 'signin',
        userAgent: 'python-requests/2.31.0',
        success: false,
        details: {},
      },
      {
        id: '3',
        source: 'signin',
        logon: true,
        time: '2026-11-25T10:00:00Z',
        user: 'dan.obrien@contoso.example',
        ip: '10.0.0.5',
        operation: 'signin',
        userAgent: 'python-requests/2.31.0',
        success: true,
        trustedNetwork: true,
        details: {},
      },
    ] as Parameters<typeof pilotCandidates>[0];
    const c = pilotCandidates(records);
    expect(c).toEqual({
      targeted: ['ivan.ivanov@contoso.example', 'judy.jones@contoso.example'],
      legitimate: ['dan.obrien@contoso.example'],
      userAgents: ['axios', 'python-requests'],
    });
    const offer = await offerPilot(s.ctx, c);
    if (offer?.kind !== 'pilot') throw new Error('expected the button');
    expect(offer).toMatchObject({ pilot: 2, legitimate: 1 });
    const r = await press('posture-pilot', offer.ref);
    expect(r.view.portalSteps.join(' ')).toMatch(/Access policy.*User agent string/);
    expect(await approve(r.incident.id)).toMatchObject({ state: 'succeeded', result: { verified: true } });
    const groups = s.emulator.state.groups.filter((g) => g.displayName.startsWith(`Contain ${r.incident.id}`));
    const ids = (upns: string[]) => upns.map((u) => s.emulator.user(u).id).sort();
    expect(groups.find((g) => g.displayName.endsWith('pilot'))!.members.sort()).toEqual(ids(c.targeted));
    expect(groups.find((g) => g.displayName.endsWith('legitimate use'))!.members.sort()).toEqual(ids(c.legitimate));
    const p = policies().find((x) => x.displayName.startsWith(`Contain ${r.incident.id}`)) as unknown as {
      state: string;
      sessionControls: { cloudAppSecurity: { isEnabled: boolean } };
    };
    expect(p).toMatchObject({ state: REPORT_ONLY, sessionControls: { cloudAppSecurity: { isEnabled: true } } });
  });

  test('without the optional permissions: no button, the portal steps instead; a stale button is refused and changes nothing', async () => {
    s.emulator.state.app = {
      ...DEFAULT_APP,
      permissions: DEFAULT_APP.permissions.filter(
        (p) => !['Policy.ReadWrite.ConditionalAccess', 'Policy.ReadWrite.Authorization', 'Group.ReadWrite.All'].includes(p),
      ),
    };
    const v = await postureView(s.ctx);
    const offer = check(v, 'Compliant').offer;
    expect(offer).toMatchObject({
      kind: 'manual',
      why: expect.stringMatching(/lacks the Microsoft Graph permission Policy\.ReadWrite\.ConditionalAccess \(optional/),
    });
    expect(offer?.kind === 'manual' && offer.steps.join(' ')).toMatch(/Entra admin center .* Conditional Access .* Report-only/);
    expect(v.checks.some((c) => c.offer?.kind === 'apply')).toBe(false);
    await expect(
      requestPostureChange(s.ctx, { verb: 'posture-apply', ref: 'compliantDevice', actor: riley, threads: {} }),
    ).rejects.toMatchObject({ code: 'GRAPH_FORBIDDEN' });
    expect(await s.store.findIncidents()).toEqual([]);
  });

  test('buttons Contain did not make are refused', async () => {
    await expect(
      requestPostureChange(s.ctx, { verb: 'posture-apply', ref: 'somethingElse', actor: riley, threads: {} }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      requestPostureChange(s.ctx, { verb: 'posture-apply', ref: 'harmfulUserAgents', actor: riley, threads: {} }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      requestPostureChange(s.ctx, { verb: 'posture-undo', ref: 'INC-20990101-0001/a01', actor: riley, threads: {} }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      requestPostureChange(s.ctx, {
        verb: 'posture-pilot',
        ref: 'pilot-20261125-00000000-0000-4000-8000-000000000000',
        actor: riley,
        threads: {},
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
