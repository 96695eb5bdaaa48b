import type { LocalStack } from '../../sandbox/local-stack';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { DEFAULT_APP, MESSAGE_TRACE_APP_ID } from '../../sandbox/graph/app-identity';
import { getContext } from '../../src/runtime';
import { main } from '../../src/cli/main';
import { createLogger } from '../../src/log';
import { doctorAtStartup } from '../../src/doctor/startup';
import type { Action } from '../../src/incidents/model';
import { startTestStack, waitFor, settled } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text, type Person } from '../helpers/teams';

const CONV = '19:soc-incidents@thread.tacv2;messageid=1';

async function say(stack: LocalStack, words: string, needle: string, who: Person = PEOPLE.riley): Promise<Record<string, unknown>> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, who, words));
  const r = await waitFor(
    () => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && text(cardsOf(x)).includes(needle)),
    { what: `"${needle}" after "${words}"` },
  );
  return cardsOf(r)[0];
}

async function open(stack: LocalStack, who: string): Promise<{ incidentId: string; actions: Action[]; card: Record<string, unknown> }> {
  const card = await say(stack, `contain ${who}`, 'INC-');
  const incidentId = /(INC-\d{8}-\d{4})/.exec(text(card))![1];
  return { incidentId, card, actions: await (await getContext()).store.listActions(incidentId) };
}

const putJson = (stack: LocalStack, path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe("Contain within the app's documented rights", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle();
    await fetch(`${stack.url}/sandbox/reset`, { method: 'POST' });
  });

  test("a role removed after the incident opened: step 2's 403 names the missing role and the exact fix; the rest still runs", async () => {
    const { incidentId, actions } = await open(stack, 'alice');
    await putJson(stack, '/sandbox/app', { permissions: DEFAULT_APP.permissions, directoryRoles: ['Cloud Device Administrator'] });
    const pw = actions.find((a) => a.kind === 'resetPassword')!;
    const revoke = actions.find((a) => a.kind === 'revokeSessions')!;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${pw.id}` }, CONV));
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${revoke.id}` }, CONV));
    const done = await settled(incidentId);
    const failed = done.find((a) => a.id === pw.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.result!.code).toBe('NEEDS_ROLE');
    expect(failed.result!.message).toMatch(
      /needs the User Administrator directory role.*Roles & admins > User Administrator > Add assignments.*"roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1"/,
    );
    expect(done.find((a) => a.id === revoke.id)!.state).toBe('succeeded');
  });

  test('flows are judged by what the admin list carries: a flow forwarding every new mail is flagged, and the card says recipients are not visible', async () => {
    const { actions } = await open(stack, 'alice');
    const flow = actions.find((a) => a.objectId === A.flowAttacker)!;
    expect(flow.reason).toMatch(
      /forwards mail every time new mail arrives \(OnNewEmailV3 \(Office 365 Outlook\) then ForwardEmail_V2 \(Office 365 Outlook\)\)/,
    );
    expect(flow.detail).toContain('The admin API does not show recipients');
    expect(actions.some((a) => a.objectId === A.flowLegit)).toBe(false);
  });

  test('removing one certificate sends the others back whole: they survive with their key', async () => {
    const app = stack.emulator.state.applications.find((x) => x.data.id === A.appAttacker)!;
    // An app older than the intrusion (still flagged: a punctuation name and a localhost redirect), where only the
    // certificate added in the window is the attacker's.
    app.data.createdDateTime = '2024-01-01T00:00:00Z';
    const keep = {
      keyId: 'ce500000-0000-4000-8000-00000000b0b2',
      displayName: 'CN=kept',
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      startDateTime: '2020-01-01T00:00:00Z',
      endDateTime: '2030-01-01T00:00:00Z',
      customKeyIdentifier: 'QkJCQg==',
      key: 'TUlJQ2tlcHQ=',
    };
    (app.data.keyCredentials as unknown[]).push(keep);
    const { incidentId, actions } = await open(stack, 'alice');
    const cert = actions.find((a) => a.kind === 'removeAppCertificate' && a.params.keyIds === A.attackerCert)!;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${cert.id}` }, CONV));
    const done = (await settled(incidentId)).find((a) => a.id === cert.id)!;
    expect(done.state).toBe('succeeded');
    expect(done.result!.verified).toBe(true);
    expect(app.data.keyCredentials).toEqual([keep]);
  });

  test('an app not registered with Power Platform: step 6 says "not checked" with the registration command', async () => {
    await putJson(stack, '/sandbox/tenant', { powerPlatformManagementApp: false });
    const { incidentId, actions } = await open(stack, 'alice');
    expect(actions.some((a) => a.kind === 'stopFlow')).toBe(false);
    const step6 = (await (await getContext()).store.getIncident(incidentId))!.facts.steps!.find((s) => s.step === 6)!;
    expect(step6.checked).toBe('not checked');
    expect(step6.notes[0]).toMatch(
      /not registered as a Power Platform management app.*pac admin application register --application-id c0a7a1e0-/,
    );
  });

  test('scope without the message-trace service principal says what to provision, not "missing permission"', async () => {
    // Without advanced hunting (no ThreatHunting.Read.All) scope falls back to message trace.
    await putJson(stack, '/sandbox/app', {
      permissions: DEFAULT_APP.permissions.filter((p) => p !== 'ThreatHunting.Read.All'),
      directoryRoles: DEFAULT_APP.directoryRoles,
    });
    await putJson(stack, '/sandbox/tenant', { messageTraceServicePrincipal: false });
    const t = text(await say(stack, 'scope alice', 'Scope: Alice Aoki'));
    expect(t).toContain('provision the message-trace service principal');
    expect(t).toContain(`New-MgServicePrincipal -AppId ${MESSAGE_TRACE_APP_ID}`);
    expect(t).not.toContain('needs ExchangeMessageTrace.Read.All');
    expect(
      stack.emulator
        .requests()
        .filter((r) => r.path.endsWith('/messageTraces'))
        .map((r) => r.status),
    ).toEqual([401]);
  });
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('contain doctor', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle();
    await fetch(`${stack.url}/sandbox/reset`, { method: 'POST' });
  });

  test('against the default sandbox every check passes: exit 0, JSON rows of exactly {id, ok, needs, enables, fix}', async () => {
    const r = await cli(['doctor', '--format', 'json']);
    expect(r.code).toBe(0);
    const { checks } = JSON.parse(r.out) as { checks: Record<string, unknown>[] };
    expect(checks.length).toBe(33); // 22 required, 5 optional (alerts and Identity Protection), 6 optional (posture measures, Defender for Cloud Apps, Exchange admin API)
    for (const c of checks) {
      expect(Object.keys(c)).toEqual(['id', 'ok', 'needs', 'enables', 'fix']);
      expect(c.ok).toBe(true);
    }
    expect(checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'permission:User-PasswordProfile.ReadWrite.All',
        'role:user-administrator',
        'role:cloud-device-administrator',
        'licence:entra-id-p1',
        'licence:defender-office-365-p2',
        'licence:purview-audit',
        'prerequisite:message-trace-service-principal',
        'prerequisite:power-automate-registration',
      ]),
    );
    // Doctor reads what it needs about the app itself, and is refused nothing.
    expect(stack.emulator.requests().filter((x) => x.status >= 400)).toEqual([]);
  });

  test('each missing prerequisite fails its own row with the exact fix: exit 1', async () => {
    await putJson(stack, '/sandbox/tenant', {
      messageTraceServicePrincipal: false,
      powerPlatformManagementApp: false,
      servicePlans: ['EXCHANGE_S_ENTERPRISE'],
    });
    await putJson(stack, '/sandbox/app', {
      permissions: DEFAULT_APP.permissions.filter((p) => p !== 'MailboxSettings.ReadWrite'),
      directoryRoles: DEFAULT_APP.directoryRoles,
      exchange: DEFAULT_APP.exchange,
    });
    const r = await cli(['doctor', '--format', 'json']);
    expect(r.code).toBe(1);
    const rows = new Map((JSON.parse(r.out) as { checks: { id: string; ok: boolean; fix: string }[] }).checks.map((c) => [c.id, c]));
    expect(
      [...rows.values()]
        .filter((c) => !c.ok)
        .map((c) => c.id)
        .sort(),
    ).toEqual([
      'licence:defender-cloud-apps',
      'licence:defender-office-365-p2',
      'licence:entra-id-p1',
      'licence:entra-id-p2',
      'licence:purview-audit',
      'permission:MailboxSettings.ReadWrite',
      'prerequisite:message-trace-service-principal',
      'prerequisite:power-automate-registration',
    ]);
    expect(rows.get('prerequisite:message-trace-service-principal')!.fix).toContain(
      `New-MgServicePrincipal -AppId ${MESSAGE_TRACE_APP_ID}`,
    );
    expect(rows.get('prerequisite:power-automate-registration')!.fix).toContain(
      'pac admin application register --application-id c0a7a1e0-0000-4000-8000-00000000a99d',
    );
    expect(rows.get('permission:MailboxSettings.ReadWrite')!.fix).toMatch(
      /ROLE=MailboxSettings\.ReadWrite and MI=5b000000-0000-4000-8000-00000000c0a7/,
    );
  });

  test('the optional rows (alerts, Identity Protection) say so and never fail doctor: exit 0 without them, "off" in the table', async () => {
    const optional = [
      'IdentityRiskyUser.Read.All',
      'IdentityRiskyUser.ReadWrite.All',
      'SecurityAlert.Read.All',
      'SecurityIncident.Read.All',
    ];
    await putJson(stack, '/sandbox/app', {
      permissions: DEFAULT_APP.permissions.filter((p) => !optional.includes(p)),
      directoryRoles: DEFAULT_APP.directoryRoles,
      exchange: DEFAULT_APP.exchange,
    });
    await putJson(stack, '/sandbox/tenant', {
      servicePlans: ['AAD_PREMIUM', 'THREAT_INTELLIGENCE', 'M365_ADVANCED_AUDITING', 'EXCHANGE_S_ENTERPRISE'],
    });
    const r = await cli(['doctor', '--format', 'json']);
    expect(r.code).toBe(0);
    const failing = (JSON.parse(r.out) as { checks: { id: string; ok: boolean; needs: string }[] }).checks.filter((c) => !c.ok);
    expect(failing.map((c) => c.id).sort()).toEqual(
      ['licence:defender-cloud-apps', 'licence:entra-id-p2', ...optional.map((p) => `permission:${p}`)].sort(),
    );
    for (const c of failing) expect(c.needs).toMatch(/^Optional: /);
    const table = await cli(['doctor']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/33 checks, all pass \(6 optional off\)/);
    expect(table.out).toMatch(/^off +permission:SecurityAlert\.Read\.All/m);
  });

  test('without User Administrator: doctor fails naming it, the card marks step 2 as not possible with the fix, and everything else still runs', async () => {
    await putJson(stack, '/sandbox/app', {
      permissions: DEFAULT_APP.permissions,
      directoryRoles: ['Cloud Device Administrator', 'Exchange Administrator'],
      exchange: DEFAULT_APP.exchange,
    });
    const table = await cli(['doctor']);
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/FAIL {2}role:user-administrator/);
    expect(table.out).toContain('needs: Entra directory role User Administrator');
    expect(table.out).toContain('"roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1"');

    // Approvers run it from chat too; the result is kept for the next incident's card.
    const refused = text(await say(stack, 'doctor', 'needs the approver role'));
    expect(refused).toContain('approver role');
    const card = text(await say(stack, 'doctor', 'Contain doctor', PEOPLE.avery));
    expect(card).toContain('1 of 33 checks fail');
    expect(card).toContain('Entra directory role User Administrator');

    const { incidentId, actions, card: containment } = await open(stack, 'alice');
    const pw = actions.find((a) => a.kind === 'resetPassword')!;
    expect(pw.state).toBe('skipped');
    expect(pw.result!.message).toMatch(
      /^Not possible for Contain: it needs the User Administrator role; ask a Global Administrator to assign it/,
    );
    expect(text(containment)).toContain('Not possible for Contain: it needs the User Administrator role');
    expect(text(containment)).not.toContain(`"ref":"${incidentId}/${pw.id}"`);
    expect(actions.filter((a) => a.kind !== 'resetPassword').every((a) => a.state === 'proposed')).toBe(true);

    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-all', { ref: incidentId }, CONV));
    const done = await settled(incidentId);
    expect(done.find((a) => a.id === pw.id)!.state).toBe('skipped');
    expect(done.filter((a) => a.state === 'succeeded').length).toBe(actions.length - 2); // the password (not possible) and the iPhone (portal)
    const refusedCalls = stack.emulator
      .requests()
      .filter((r) => [400, 401, 403].includes(r.status))
      .map((r) => `${r.method} ${r.path}`);
    expect(refusedCalls).toEqual([`PATCH /v1.0/devices/${A.attackerIphone}`]);
  });

  test('optional features not set up (Exchange admin API, posture measures): their rows say "Optional" with the fix, and doctor still passes (exit 0, no start-up warning)', async () => {
    await putJson(stack, '/sandbox/app', {
      permissions: DEFAULT_APP.permissions.filter(
        (p) => !['Policy.ReadWrite.ConditionalAccess', 'Group.ReadWrite.All', 'Policy.ReadWrite.Authorization'].includes(p),
      ),
      directoryRoles: ['User Administrator', 'Cloud Device Administrator'],
    });
    const r = await cli(['doctor', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.out) as { checks: { id: string; ok: boolean; needs: string; fix: string }[] }).checks;
    const unmet = rows.filter((c) => !c.ok);
    expect(unmet.map((c) => c.id).sort()).toEqual([
      'permission:Exchange.ManageAsApp',
      'permission:Group.ReadWrite.All',
      'permission:Policy.ReadWrite.Authorization',
      'permission:Policy.ReadWrite.ConditionalAccess',
      'role:exchange-administrator',
    ]);
    expect(unmet.every((c) => c.needs.startsWith('Optional: '))).toBe(true);
    expect(unmet.find((c) => c.id === 'permission:Exchange.ManageAsApp')!.fix).toMatch(
      /Exchange\.ManageAsApp.*"appRoleId":"dc50a0fb-09a3-484d-be87-e023b12c6440".*Add-RoleGroupMember/,
    );
    expect((await cli(['doctor'])).out).toMatch(/all pass \(5 optional off\)[\s\S]*off +permission:Exchange\.ManageAsApp/);
    const ctx = await getContext();
    const lines: { msg: string }[] = [];
    await doctorAtStartup({
      ...ctx,
      log: createLogger({ level: 'info', sink: (l) => lines.push(JSON.parse(l)) }),
      config: { ...ctx.config, mode: 'azure' },
    });
    expect(lines.map((l) => l.msg)).toEqual(['contain doctor: all checks pass']);
  });

  test('in azure mode it runs at start-up and logs each failing check with its fix; one that cannot run is logged, never thrown', async () => {
    await putJson(stack, '/sandbox/app', { permissions: DEFAULT_APP.permissions, directoryRoles: ['User Administrator'] });
    const ctx = await getContext();
    const lines: { level: string; msg: string; failing?: { id: string }[] }[] = [];
    const log = createLogger({ level: 'info', sink: (l) => lines.push(JSON.parse(l)) });
    await doctorAtStartup({ ...ctx, log, config: { ...ctx.config, mode: 'azure' } });
    const warn = lines.find((l) => l.msg === 'contain doctor: checks fail')!;
    expect(warn.level).toBe('warn');
    expect(warn.failing!.map((f) => f.id)).toEqual(['role:cloud-device-administrator']);
    lines.length = 0;
    await doctorAtStartup({ ...ctx, log, config: { ...ctx.config, mode: 'local' } });
    expect(lines).toEqual([]);
    // A doctor that cannot run is logged, never thrown.
    await doctorAtStartup({
      ...ctx,
      log,
      config: { ...ctx.config, mode: 'azure' },
      graph: { ...ctx.graph, post: () => Promise.reject(new Error('network down')) },
    });
    expect(lines.map((l) => l.msg)).toContain('contain doctor could not run at start-up');
  });
});
