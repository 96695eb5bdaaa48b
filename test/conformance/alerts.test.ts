/**
 * The sandbox's alert sources and the routes undo needs, as Graph documents them. Each test names its page
 * (L = https://learn.microsoft.com/graph/api/, T = https://learn.microsoft.com/graph/throttling-limits); where the
 * docs are silent the test says so and follows the most-cited public evidence.
 */
import { GraphEmulator, type EmulatorResponse } from '../../sandbox/graph/emulator';
import { addSandboxAlert } from '../../sandbox/graph/seed-alerts';
import { updateTenantSettings, DEFAULT_SERVICE_PLANS } from '../../sandbox/graph/app-identity';
import { flowApi } from '../../sandbox/flow-api';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A, FLOW_ENVIRONMENT } from '../../sandbox/graph/seed-objects';

const L = 'https://learn.microsoft.com/graph/api/';
const T = 'https://learn.microsoft.com/graph/throttling-limits';
const GRAPH_SP = '5b000000-0000-4000-8000-000000000ms1';

/** An emulator whose budget clock only moves when the test says so. */
function tenant() {
  let t = 1_700_000_000_000;
  const em = new GraphEmulator({ budgetClock: () => t });
  const call = async (method: string, path: string, body?: unknown): Promise<EmulatorResponse & { body: Record<string, unknown> }> =>
    (await em.handle(
      method,
      `/v1.0${path}`,
      { 'content-type': 'application/json' },
      body === undefined ? '' : JSON.stringify(body),
      'http://sandbox/graph',
    )) as EmulatorResponse & { body: Record<string, unknown> };
  return { em, call, advance: (ms: number) => (t += ms) };
}
const error = (r: { body: unknown }) => (r.body as { error: { code: string; message: string } }).error;
const without = (em: GraphEmulator, permissions: string[]) =>
  (em.state.app.permissions = em.state.app.permissions.filter((p) => !permissions.includes(p)));
const value = <T = Record<string, unknown>>(r: { body: unknown }) => (r.body as { value: T[] }).value;

describe(`Entra ID Protection risky users (${L}riskyuser-list, riskyuser-confirmcompromised, riskyuser-dismiss)`, () => {
  test('a risky user added by POST /sandbox/alerts is listed by $filter=riskLevel eq high and riskState eq atRisk; the seeded medium-risk user is not', async () => {
    const t = tenant();
    addSandboxAlert(t.em, { userId: 'alice.aoki@contoso.example', source: 'identityProtection', severity: 'high' });
    const r = await t.call(
      'GET',
      `/identityProtection/riskyUsers?$filter=${encodeURIComponent("riskLevel eq 'high' and riskState eq 'atRisk'")}`,
    );
    expect(r.status).toBe(200);
    expect(value(r)).toEqual([
      expect.objectContaining({
        id: SEED_IDS.alice,
        riskLevel: 'high',
        riskState: 'atRisk',
        riskDetail: 'none',
        isDeleted: false,
        isProcessing: false,
        userPrincipalName: 'alice.aoki@contoso.example',
        riskLastUpdatedDateTime: expect.any(String),
      }),
    ]);
    t.advance(1_000);
    expect(value(await t.call('GET', '/identityProtection/riskyUsers')).map((u) => [u.id, u.riskLevel])).toEqual(
      expect.arrayContaining([[SEED_IDS.erin, 'medium']]),
    );
  });

  test('list needs IdentityRiskyUser.Read.All; the permission table names no higher one, so ReadWrite.All alone is refused', async () => {
    const t = tenant();
    without(t.em, ['IdentityRiskyUser.Read.All']);
    const r = await t.call('GET', '/identityProtection/riskyUsers');
    expect(r.status).toBe(403);
    expect(t.em.state.app.permissions).toContain('IdentityRiskyUser.ReadWrite.All');
  });

  test('"The riskyUsers API requires a Microsoft Entra ID P2 license": without AAD_PREMIUM_P2, 403 "Your tenant is not licensed for this feature." (body from public reports; the docs give none)', async () => {
    const t = tenant();
    updateTenantSettings(t.em, { servicePlans: DEFAULT_SERVICE_PLANS.filter((p) => p !== 'AAD_PREMIUM_P2') });
    const r = await t.call('GET', '/identityProtection/riskyUsers');
    expect([r.status, error(r)]).toEqual([
      403,
      expect.objectContaining({ code: 'Forbidden', message: 'Your tenant is not licensed for this feature.' }),
    ]);
    t.advance(1_000);
    expect((await t.call('POST', '/identityProtection/riskyUsers/confirmCompromised', { userIds: [SEED_IDS.alice] })).status).toBe(403);
  });

  test('confirmCompromised "sets the targeted user\'s risk level to high", dismiss "to none"; both 204 and need IdentityRiskyUser.ReadWrite.All', async () => {
    const t = tenant();
    const confirm = await t.call('POST', '/identityProtection/riskyUsers/confirmCompromised', { userIds: [SEED_IDS.alice] });
    expect([confirm.status, confirm.body]).toEqual([204, undefined]);
    t.advance(1_000);
    expect((await t.call('GET', `/identityProtection/riskyUsers/${SEED_IDS.alice}`)).body).toMatchObject({
      riskLevel: 'high',
      riskState: 'confirmedCompromised',
      riskDetail: 'adminConfirmedUserCompromised',
    });
    t.advance(1_000);
    expect((await t.call('POST', '/identityProtection/riskyUsers/dismiss', { userIds: [SEED_IDS.alice] })).status).toBe(204);
    t.advance(1_000);
    expect((await t.call('GET', `/identityProtection/riskyUsers/${SEED_IDS.alice}`)).body).toMatchObject({
      riskLevel: 'none',
      riskState: 'dismissed',
      riskDetail: 'adminDismissedAllRiskForUser',
    });
    t.advance(1_000);
    without(t.em, ['IdentityRiskyUser.ReadWrite.All']);
    expect((await t.call('POST', '/identityProtection/riskyUsers/dismiss', { userIds: [SEED_IDS.alice] })).status).toBe(403);
  });

  test('userIds is required; an id that is not a user of the tenant is refused (docs silent: the sandbox will not change the risk of nobody)', async () => {
    const t = tenant();
    expect((await t.call('POST', '/identityProtection/riskyUsers/confirmCompromised', {})).status).toBe(400);
    t.advance(1_000);
    expect((await t.call('POST', '/identityProtection/riskyUsers/confirmCompromised', { userIds: [] })).status).toBe(400);
    t.advance(1_000);
    expect(
      (await t.call('POST', '/identityProtection/riskyUsers/confirmCompromised', { userIds: ['00000000-0000-4000-8000-000000000bad'] }))
        .status,
    ).toBe(404);
  });

  test(`Identity Protection: 1 request per second per tenant, 429 without Retry-After (${T}#identity-protection-and-conditional-access-service-limits); reads and actions share it`, async () => {
    const t = tenant();
    expect((await t.call('GET', '/identityProtection/riskyUsers')).status).toBe(200);
    const second = await t.call('GET', '/identityProtection/riskyUsers');
    expect(second.status).toBe(429);
    expect(second.headers['Retry-After']).toBeUndefined();
    const action = await t.call('POST', '/identityProtection/riskyUsers/dismiss', { userIds: [SEED_IDS.erin] });
    expect([action.status, action.headers['Retry-After']]).toEqual([429, undefined]);
    expect(t.em.state.riskyUsers.find((u) => u.id === SEED_IDS.erin)!.riskState).toBe('atRisk'); // refused unprocessed
    t.advance(1_000);
    expect((await t.call('POST', '/identityProtection/riskyUsers/dismiss', { userIds: [SEED_IDS.erin] })).status).toBe(204);
  });
});

describe(`Defender XDR alerts and incidents (${L}security-list-alerts_v2, ${L}security-list-incidents)`, () => {
  test('an alert added by POST /sandbox/alerts has the documented shape, with the user as userEvidence (userAccount.azureAdUserId)', async () => {
    const t = tenant();
    const { alert, incident } = addSandboxAlert(t.em, {
      userId: SEED_IDS.alice,
      source: 'defender',
      severity: 'high',
      title: 'Possible AiTM phishing attempt',
    }) as { alert: Record<string, unknown>; incident: Record<string, unknown> };
    const r = await t.call('GET', '/security/alerts_v2');
    expect(r.status).toBe(200);
    const listed = value(r).find((a) => a.id === alert.id)!;
    for (const k of [
      'id',
      'providerAlertId',
      'incidentId',
      'status',
      'severity',
      'classification',
      'determination',
      'serviceSource',
      'detectionSource',
      'detectorId',
      'tenantId',
      'title',
      'description',
      'category',
      'alertWebUrl',
      'incidentWebUrl',
      'mitreTechniques',
      'createdDateTime',
      'lastUpdateDateTime',
      'firstActivityDateTime',
      'lastActivityDateTime',
      'evidence',
    ])
      expect(listed).toHaveProperty(k);
    expect(listed).toMatchObject({
      title: 'Possible AiTM phishing attempt',
      severity: 'high',
      status: 'new',
      serviceSource: 'microsoft365Defender',
      incidentId: incident.id,
    });
    expect((listed.evidence as Record<string, unknown>[])[0]).toMatchObject({
      '@odata.type': '#microsoft.graph.security.userEvidence',
      userAccount: { azureAdUserId: SEED_IDS.alice, userPrincipalName: 'alice.aoki@contoso.example' },
    });
    // "The most recent alerts are displayed at the top of the list."
    expect(value(r)[0].id).toBe(alert.id);
  });

  test('$filter on the documented properties (severity, status, lastUpdateDateTime...); any other property is a 400', async () => {
    const t = tenant();
    addSandboxAlert(t.em, { userId: SEED_IDS.alice, source: 'defender', severity: 'high', title: 'Suspicious inbox manipulation rule' });
    const high = await t.call('GET', `/security/alerts_v2?$filter=${encodeURIComponent("severity eq 'high' and status ne 'resolved'")}`);
    expect(value(high).map((a) => a.title)).toEqual(['Suspicious inbox manipulation rule']);
    const since = await t.call(
      'GET',
      `/security/alerts_v2?$filter=${encodeURIComponent(`lastUpdateDateTime ge ${new Date(Date.now() - 3_600_000).toISOString()}`)}`,
    );
    expect(value(since).map((a) => a.title)).toEqual(['Suspicious inbox manipulation rule']);
    expect((await t.call('GET', `/security/alerts_v2?$filter=${encodeURIComponent("title eq 'x'")}`)).status).toBe(400);
    expect((await t.call('GET', `/security/incidents?$filter=${encodeURIComponent("serviceSource eq 'x'")}`)).status).toBe(400); // alerts have it, incidents do not
  });

  test('$top and $skip page the list; @odata.nextLink carries the next $skip ("Use @odata.nextLink for pagination")', async () => {
    const t = tenant();
    for (let i = 0; i < 5; i++) addSandboxAlert(t.em, { userId: SEED_IDS.bob, source: 'defender', severity: 'low', title: `Alert ${i}` });
    const first = await t.call('GET', '/security/alerts_v2?$top=2');
    expect(value(first)).toHaveLength(2);
    const next = String(first.body['@odata.nextLink']);
    expect(next).toMatch(/\$skip=2/);
    const second = await t.call('GET', next.slice(next.indexOf('/security')));
    expect(value(second).map((a) => a.id)).not.toContain(value(first)[0].id);
  });

  test('incidents group alerts; $expand=alerts returns them with the incident', async () => {
    const t = tenant();
    const { alert, incident } = addSandboxAlert(t.em, { userId: SEED_IDS.alice, source: 'defender', title: 'BEC financial fraud' }) as {
      alert: Record<string, unknown>;
      incident: Record<string, unknown>;
    };
    const plain = value(await t.call('GET', '/security/incidents')).find((i) => i.id === incident.id)!;
    expect(plain).toMatchObject({ status: 'active', severity: 'high', classification: 'unknown', determination: 'unknown' });
    expect(plain.alerts).toBeUndefined();
    const expanded = value(await t.call('GET', '/security/incidents?$expand=alerts')).find((i) => i.id === incident.id)!;
    expect((expanded.alerts as Record<string, unknown>[]).map((a) => a.id)).toEqual([alert.id]);
  });

  test('alerts need SecurityAlert.Read.All (or ReadWrite.All), incidents SecurityIncident.Read.All (or ReadWrite.All)', async () => {
    const t = tenant();
    without(t.em, ['SecurityAlert.Read.All', 'SecurityIncident.Read.All']);
    expect((await t.call('GET', '/security/alerts_v2')).status).toBe(403);
    expect((await t.call('GET', '/security/incidents')).status).toBe(403);
    t.em.state.app.permissions.push('SecurityAlert.ReadWrite.All', 'SecurityIncident.ReadWrite.All');
    expect((await t.call('GET', '/security/alerts_v2')).status).toBe(200);
    expect((await t.call('GET', '/security/incidents')).status).toBe(200);
  });

  test(`"Security detections and incidents service limits": 150 requests per minute per app per tenant on alerts (${T}#security-detections-and-incidents-service-limits), incidents counted with them, 429 with Retry-After`, async () => {
    const t = tenant();
    for (let i = 0; i < 150; i++) expect((await t.call('GET', i % 2 ? '/security/incidents' : '/security/alerts_v2')).status).toBe(200);
    const refused = await t.call('GET', '/security/alerts_v2');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['Retry-After'])).toBeGreaterThan(0);
    t.advance(60_000);
    expect((await t.call('GET', '/security/incidents')).status).toBe(200);
  });

  test('POST /sandbox/alerts validates its body (zod): unknown fields, a Defender alert without a title, an unknown user', () => {
    const em = new GraphEmulator();
    expect(() => addSandboxAlert(em, { userId: SEED_IDS.alice, source: 'defender' })).toThrow(/title/);
    expect(() => addSandboxAlert(em, { userId: SEED_IDS.alice, source: 'identityProtection', severity: 'informational' })).toThrow(
      /riskLevel/,
    );
    expect(() => addSandboxAlert(em, { userId: SEED_IDS.alice, source: 'identityProtection', extra: 1 })).toThrow();
    expect(() => addSandboxAlert(em, { userId: 'nobody@contoso.example', source: 'identityProtection' })).toThrow(/does not exist/);
  });
});

describe(`delegated permission grants, created back (${L}oauth2permissiongrant-post)`, () => {
  const grant = {
    clientId: A.spAttacker,
    consentType: 'Principal',
    principalId: SEED_IDS.alice,
    resourceId: GRAPH_SP,
    scope: 'User.Read Mail.ReadWrite.Shared',
  };

  test('201 Created with the new grant (new id); listed by $filter; needs DelegatedPermissionGrant.ReadWrite.All or Directory.ReadWrite.All', async () => {
    const t = tenant();
    t.em.state.grants = t.em.state.grants.filter((g) => g.data.id !== A.grantAttacker);
    without(t.em, ['DelegatedPermissionGrant.ReadWrite.All']);
    expect((await t.call('POST', '/oauth2PermissionGrants', grant)).status).toBe(403);
    t.em.state.app.permissions.push('DelegatedPermissionGrant.ReadWrite.All');
    const r = await t.call('POST', '/oauth2PermissionGrants', grant);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ...grant, id: expect.any(String) });
    expect(r.body.id).not.toBe(A.grantAttacker);
    const listed = await t.call(
      'GET',
      `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${A.spAttacker}' and principalId eq '${SEED_IDS.alice}'`)}`,
    );
    expect(value(listed).map((g) => g.id)).toEqual([r.body.id]);
  });

  test('a second grant for the same client, resource, consent type and principal: 409 "Permission entry already exists." (docs silent; public reports)', async () => {
    const t = tenant();
    const r = await t.call('POST', '/oauth2PermissionGrants', grant); // the attacker's grant is still there
    expect([r.status, error(r)]).toEqual([
      409,
      expect.objectContaining({ code: 'Request_MultipleObjectsWithSameKeyValue', message: 'Permission entry already exists.' }),
    ]);
  });

  test('required properties and consent types: 400; a client that is not a service principal: 404', async () => {
    const t = tenant();
    t.em.state.grants = [];
    expect((await t.call('POST', '/oauth2PermissionGrants', { ...grant, clientId: undefined })).status).toBe(400);
    expect((await t.call('POST', '/oauth2PermissionGrants', { ...grant, consentType: 'Everyone' })).status).toBe(400);
    expect((await t.call('POST', '/oauth2PermissionGrants', { ...grant, principalId: undefined })).status).toBe(400);
    expect((await t.call('POST', '/oauth2PermissionGrants', { ...grant, consentType: 'AllPrincipals' })).status).toBe(400);
    expect((await t.call('POST', '/oauth2PermissionGrants', { ...grant, clientId: '5b000000-0000-4000-8000-0000000000ff' })).status).toBe(
      404,
    );
    expect(t.em.state.grants).toEqual([]);
  });
});

describe(`inbox rules, created back (${L}mailfolder-post-messagerules)`, () => {
  const rule = (over: Record<string, unknown> = {}) => ({
    displayName: '.',
    sequence: 1,
    isEnabled: true,
    conditions: { subjectOrBodyContains: ['invoice'] },
    actions: { markAsRead: true, stopProcessingRules: true },
    ...over,
  });

  test('201 Created with a new id; displayName, sequence and actions are required; MailboxSettings.ReadWrite', async () => {
    const t = tenant();
    const r = await t.call('POST', `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`, rule());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ...rule(), id: expect.any(String), hasError: false, isReadOnly: false });
    expect(t.em.state.rules.filter((x) => x.data.id === r.body.id)).toHaveLength(1);
    for (const missing of ['displayName', 'sequence', 'actions'])
      expect((await t.call('POST', `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`, rule({ [missing]: undefined }))).status).toBe(
        400,
      );
    without(t.em, ['MailboxSettings.ReadWrite']);
    const refused = await t.call('POST', `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`, rule());
    expect([refused.status, error(refused).code]).toEqual([403, 'ErrorAccessDenied']);
  });

  test("a moveToFolder that is not a folder of the mailbox is refused (Outlook's body undocumented)", async () => {
    const t = tenant();
    expect(
      (
        await t.call(
          'POST',
          `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`,
          rule({ actions: { moveToFolder: 'AAMkNoSuchFolder' } }),
        )
      ).status,
    ).toBe(400);
  });
});

describe("Power Automate: a stopped flow is started again (the admin route Microsoft's PowerApps PowerShell uses; not public REST)", () => {
  test('POST .../flows/{id}/start sets the state back to Started; 200', () => {
    const em = new GraphEmulator();
    const url = (op: string) =>
      new URL(
        `http://127.0.0.1/sandbox/flow/providers/Microsoft.ProcessSimple/scopes/admin/environments/${FLOW_ENVIRONMENT}/flows/${A.flowAttacker}${op}?api-version=2016-11-01`,
      );
    const state = () => (em.state.flows.find((f) => f.data.name === A.flowAttacker)!.data.properties as { state: string }).state;
    expect(flowApi(em, 'POST', url('/stop')).status).toBe(200);
    expect(state()).toBe('Stopped');
    expect(flowApi(em, 'POST', url('/start')).status).toBe(200);
    expect(state()).toBe('Started');
    em.state.powerPlatformManagementApp = false;
    expect(flowApi(em, 'POST', url('/start')).status).toBe(403);
  });
});
