/**
 * The sandbox accepts and refuses the defensive measures' requests as Microsoft Graph v1.0 does.
 * L = https://learn.microsoft.com/graph/api/ . Refusal texts Microsoft does not publish are the sandbox's own (said
 * where so); the status and code follow Graph's error model (L/errors).
 */
import { GraphEmulator, type EmulatorResponse } from '../../sandbox/graph/emulator';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { replaySignIns } from '../../sandbox/graph/ca-evaluate';

async function call(
  em: GraphEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<EmulatorResponse> {
  return em.handle(
    method,
    `/v1.0${path}`,
    { 'content-type': 'application/json', ...headers },
    body === undefined ? '' : JSON.stringify(body),
    'http://sandbox/graph',
  );
}
const error = (r: EmulatorResponse) => (r.body as { error: { code: string; message: string } }).error;
const fresh = () => {
  const em = new GraphEmulator();
  em.budgets.enabled = false;
  return em;
};
const valid = () => ({
  displayName: 'Contain test: block device code flow (report-only)',
  state: 'enabledForReportingButNotEnforced',
  conditions: {
    users: { includeUsers: ['All'], excludeUsers: [SEED_IDS.breakGlass] },
    applications: { includeApplications: ['All'] },
    clientAppTypes: ['all'],
    authenticationFlows: { transferMethods: 'deviceCodeFlow' },
  },
  grantControls: { operator: 'OR', builtInControls: ['block'] },
});
const POLICIES = '/identity/conditionalAccess/policies';

describe(`Conditional Access policies: ${L('conditionalaccessroot-post-policies')}`, () => {
  test("a valid report-only policy: 201 and the stored object with Graph's defaults; it appears in the list", async () => {
    const em = fresh();
    const r = await call(em, 'POST', POLICIES, valid());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: 'enabledForReportingButNotEnforced',
      modifiedDateTime: null,
      conditions: { users: { includeGroups: [], excludeRoles: [] }, signInRiskLevels: [] },
      grantControls: { customAuthenticationFactors: [], termsOfUse: [], authenticationStrength: null },
    });
    const list = (await call(em, 'GET', POLICIES)).body as { value: { id: string }[] };
    expect(list.value.map((p) => p.id)).toContain((r.body as { id: string }).id);
  });

  test('a body that does not match the schema (unknown property, unknown enum value): 400 "1007: Incoming ConditionalAccessPolicy object ... does not match the schema" (microsoftgraph/microsoft-graph-docs-contrib#4162)', async () => {
    const em = fresh();
    for (const body of [
      { ...valid(), description: 'not a v1.0 property' },
      { ...valid(), state: 'reportOnly' },
      { ...valid(), grantControls: { operator: 'OR', builtInControls: ['requireFido'] } },
      { ...valid(), conditions: { ...valid().conditions, clientAppTypes: ['browsers'] } },
      null,
    ]) {
      const r = await call(em, 'POST', POLICIES, body);
      expect(r.status).toBe(400);
      expect(error(r).message).toMatch(/^1007: Incoming ConditionalAccessPolicy object is null or does not match the schema/);
    }
    expect(em.state.conditionalAccessPolicies).toHaveLength(4);
  });

  test('"A valid policy should contain at least one application rule, user rule, grant/session control": each missing part is a 400 (text unverified)', async () => {
    const em = fresh();
    const v = valid();
    const cases = [
      { ...v, conditions: { ...v.conditions, users: { includeUsers: [] } } },
      { ...v, conditions: { ...v.conditions, applications: { includeApplications: [] } } },
      { ...v, grantControls: null },
      {
        ...v,
        grantControls: { operator: 'OR', builtInControls: [] },
        sessionControls: { cloudAppSecurity: { isEnabled: false, cloudAppSecurityType: 'mcasConfigured' } },
      },
    ];
    for (const body of cases) expect((await call(em, 'POST', POLICIES, body)).status).toBe(400);
  });

  test(`enums and references: transferMethods (${L('resources/conditionalaccessauthenticationflows')}), user actions (${L('resources/conditionalaccessapplications')}), built-in strengths, groups that exist`, async () => {
    const em = fresh();
    const v = valid();
    const refused = [
      { ...v, conditions: { ...v.conditions, authenticationFlows: { transferMethods: 'deviceCode' } } },
      { ...v, conditions: { ...v.conditions, applications: { includeApplications: [], includeUserActions: ['urn:user:registermfa'] } } },
      {
        ...v,
        conditions: {
          ...v.conditions,
          applications: { includeApplications: ['All'], includeUserActions: ['urn:user:registersecurityinfo'] },
        },
      },
      { ...v, conditions: { ...v.conditions, users: { includeUsers: [], includeGroups: ['00000000-0000-4000-8000-00000000dead'] } } },
      { ...v, conditions: { ...v.conditions, users: { includeUsers: ['All'], excludeUsers: ['breakglass@contoso.example'] } } },
      {
        ...v,
        grantControls: { operator: 'OR', builtInControls: [], authenticationStrength: { id: '00000000-0000-0000-0000-000000000009' } },
      },
      {
        ...v,
        grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: { id: '00000000-0000-0000-0000-000000000004' } },
      },
      { ...v, grantControls: { operator: 'OR', builtInControls: ['block', 'mfa'] } },
      { ...v, grantControls: { builtInControls: ['compliantDevice'] } },
    ];
    for (const body of refused) {
      const r = await call(em, 'POST', POLICIES, body);
      expect([r.status, error(r).code]).toEqual([400, 'BadRequest']);
    }
    const accepted = [
      { ...v, conditions: { ...v.conditions, authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' } } },
      {
        ...v,
        conditions: { ...v.conditions, applications: { includeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] } },
      },
      {
        ...v,
        grantControls: { operator: 'OR', builtInControls: [], authenticationStrength: { id: '00000000-0000-0000-0000-000000000004' } },
      },
      { ...v, grantControls: null, sessionControls: { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'mcasConfigured' } } },
    ];
    for (const body of accepted) expect((await call(em, 'POST', POLICIES, body)).status).toBe(201);
  });

  test('creating needs Policy.Read.All, Policy.ReadWrite.ConditionalAccess and Application.Read.All together (the v1.0 permission table\'s "and"); reading needs Policy.Read.All', async () => {
    const em = fresh();
    const held = em.state.app.permissions;
    em.state.app.permissions = held.filter((p) => p !== 'Policy.ReadWrite.ConditionalAccess');
    expect(error(await call(em, 'POST', POLICIES, valid()))).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    em.state.app.permissions = held.filter((p) => p !== 'Application.ReadWrite.All');
    expect((await call(em, 'POST', POLICIES, valid())).status).toBe(403);
    em.state.app.permissions = [...held.filter((p) => p !== 'Application.ReadWrite.All'), 'Application.Read.All'];
    const created = await call(em, 'POST', POLICIES, valid());
    expect(created.status).toBe(201);
    em.state.app.permissions = held.filter((p) => p !== 'Policy.Read.All');
    expect((await call(em, 'DELETE', `${POLICIES}/${(created.body as { id: string }).id}`)).status).toBe(403);
  });

  test(`update (${L('conditionalaccesspolicy-update')}) from report-only to enabled: 204; the result is validated again; delete: 204 then 404`, async () => {
    const em = fresh();
    const id = ((await call(em, 'POST', POLICIES, valid())).body as { id: string }).id;
    expect((await call(em, 'PATCH', `${POLICIES}/${id}`, { state: 'enabled' })).status).toBe(204);
    expect(((await call(em, 'GET', `${POLICIES}/${id}`)).body as { state: string; modifiedDateTime: string }).state).toBe('enabled');
    expect((await call(em, 'PATCH', `${POLICIES}/${id}`, { grantControls: null })).status).toBe(400);
    expect((await call(em, 'DELETE', `${POLICIES}/${id}`)).status).toBe(204);
    expect((await call(em, 'GET', `${POLICIES}/${id}`)).status).toBe(404);
  });
});

describe(`groups: ${L('group-post-groups')}, ${L('group-post-members')}, ${L('group-delete')}`, () => {
  const group = (extra: Record<string, unknown> = {}) => ({
    displayName: 'Contain pilot',
    description: 'x',
    mailEnabled: false,
    mailNickname: 'contain-pilot',
    securityEnabled: true,
    groupTypes: [],
    ...extra,
  });
  const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;

  test("displayName, mailEnabled, mailNickname and securityEnabled are required; the nickname's forbidden characters and length are refused; security groups cannot be mail-enabled", async () => {
    const em = fresh();
    for (const body of [
      group({ mailNickname: undefined }),
      group({ mailNickname: 'contain pilot' }),
      group({ mailNickname: 'contain.pilot' }),
      group({ mailNickname: 'x'.repeat(65) }),
      group({ mailEnabled: true }),
      group({ displayName: 'x'.repeat(257) }),
      group({ visibilityX: 'Private' }),
    ])
      expect((await call(em, 'POST', '/groups', body)).status).toBe(400);
  });

  test('"a maximum of 20 relationships ... can be added as part of group creation"; members added afterwards one reference at a time; a member added twice is a 400', async () => {
    const em = fresh();
    const ids = em.addWaveUsers(21).map((u) => u.id);
    expect((await call(em, 'POST', '/groups', group({ 'members@odata.bind': ids.map(bind) }))).status).toBe(400);
    const created = await call(em, 'POST', '/groups', group({ 'members@odata.bind': ids.slice(0, 20).map(bind) }));
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((await call(em, 'POST', `/groups/${id}/members/$ref`, { '@odata.id': bind(ids[20]) })).status).toBe(204);
    const again = await call(em, 'POST', `/groups/${id}/members/$ref`, { '@odata.id': bind(ids[20]) });
    expect(error(again).message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    expect(
      (await call(em, 'POST', `/groups/${id}/members/$ref`, { '@odata.id': bind('00000000-0000-4000-8000-00000000dead') })).status,
    ).toBe(404);
    expect((await call(em, 'DELETE', `/groups/${id}`)).status).toBe(204);
    expect((await call(em, 'GET', `/groups/${id}`)).status).toBe(404);
  });

  test('with Group.Create only, members need User.Read.All too ("the app must have at least the User.Read.All permission"); deleting needs Group.ReadWrite.All', async () => {
    const em = fresh();
    em.state.app.permissions = ['Group.Create'];
    expect((await call(em, 'POST', '/groups', group({ 'members@odata.bind': [bind(SEED_IDS.judy)] }))).status).toBe(403);
    expect((await call(em, 'POST', '/groups', group())).status).toBe(201);
    em.state.app.permissions = ['Group.Create', 'User.Read.All'];
    const created = await call(em, 'POST', '/groups', group({ 'members@odata.bind': [bind(SEED_IDS.judy)] }));
    expect(created.status).toBe(201);
    expect((await call(em, 'DELETE', `/groups/${(created.body as { id: string }).id}`)).status).toBe(403);
  });

  test(`list (${L('group-list')}): found again by mailNickname ($filter eq, as ${L('resources/group')} lists for it) and $select; directory roles are not groups; the permission table's reads`, async () => {
    const em = fresh();
    await call(em, 'POST', '/groups', group());
    const found = await call(em, 'GET', `/groups?$filter=${encodeURIComponent("mailNickname eq 'contain-pilot'")}&$select=id`);
    expect(found.status).toBe(200);
    expect((found.body as { value: Record<string, unknown>[] }).value).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    expect(
      ((await call(em, 'GET', `/groups?$filter=${encodeURIComponent("mailNickname eq 'nobody'")}`)).body as { value: unknown[] }).value,
    ).toEqual([]);
    const all = (await call(em, 'GET', '/groups?$select=id,displayName')).body as { value: { id: string }[] };
    expect(all.value.some((g) => g.id === SEED_IDS.globalAdminRole)).toBe(false);
    expect((await call(em, 'GET', `/groups?$filter=${encodeURIComponent("mailNickname eq 'x' or")}`)).status).toBe(400);
    em.state.app.permissions = ['User.Read.All'];
    expect((await call(em, 'GET', '/groups')).status).toBe(403);
    em.state.app.permissions = ['GroupMember.Read.All'];
    expect((await call(em, 'GET', '/groups')).status).toBe(200);
  });
});

describe(`authorization policy: ${L('authorizationpolicy-update')}`, () => {
  test('partial updates keep the other properties (nested too, as the examples send them): 204', async () => {
    const em = fresh();
    expect(
      (await call(em, 'PATCH', '/policies/authorizationPolicy', { defaultUserRolePermissions: { allowedToCreateApps: false } })).status,
    ).toBe(204);
    expect(em.state.authorizationPolicy.defaultUserRolePermissions).toMatchObject({
      allowedToCreateApps: false,
      allowedToCreateSecurityGroups: true,
    });
    expect(
      (await call(em, 'PATCH', '/policies/authorizationPolicy', { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [] } }))
        .status,
    ).toBe(204);
    expect(em.state.authorizationPolicy.defaultUserRolePermissions.permissionGrantPoliciesAssigned).toEqual([]);
  });

  test('unknown properties, wrong types and unknown permission grant policies are refused; nothing changes; only Policy.ReadWrite.Authorization may write', async () => {
    const em = fresh();
    for (const body of [
      { allowedToCreateApps: false },
      { defaultUserRolePermissions: { allowedToCreateApps: 'no' } },
      { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.everything'] } },
      { allowInvitesFrom: 'anyone' },
    ])
      expect((await call(em, 'PATCH', '/policies/authorizationPolicy', body)).status).toBe(400);
    expect(em.state.authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps).toBe(true);
    em.state.app.permissions = em.state.app.permissions.filter((p) => p !== 'Policy.ReadWrite.Authorization');
    expect(
      (await call(em, 'PATCH', '/policies/authorizationPolicy', { defaultUserRolePermissions: { allowedToCreateApps: false } })).status,
    ).toBe(403);
  });
});

describe(`sign-ins' appliedConditionalAccessPolicies: ${L('resources/appliedconditionalaccesspolicy')}`, () => {
  const signIns = async (em: GraphEmulator, headers: Record<string, string> = {}) =>
    (
      (await call(em, 'GET', '/auditLogs/signIns?$top=1000', undefined, headers)).body as {
        value: { id: string; userId: string; appliedConditionalAccessPolicies: { id: string; result: string }[] }[];
      }
    ).value;

  test('each sign-in lists the policies that existed at its time; a policy created now applies only to sign-ins after it', async () => {
    const em = fresh();
    const id = (
      (
        await call(em, 'POST', POLICIES, {
          ...valid(),
          conditions: { ...valid().conditions, authenticationFlows: undefined },
          grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] },
        })
      ).body as { id: string }
    ).id;
    const before = await signIns(em, { prefer: 'include-unknown-enum-members' });
    expect(before.every((s) => s.appliedConditionalAccessPolicies.length === 4)).toBe(true);
    expect(before.some((s) => s.appliedConditionalAccessPolicies.some((p) => p.id === id))).toBe(false);
    replaySignIns(em, { hours: 72 });
    const after = await signIns(em, { prefer: 'include-unknown-enum-members' });
    const replayed = after.filter((s) => s.appliedConditionalAccessPolicies.some((p) => p.id === id));
    expect(replayed.length).toBeGreaterThan(0);
    expect(new Set(replayed.flatMap((s) => s.appliedConditionalAccessPolicies.filter((p) => p.id === id).map((p) => p.result)))).toEqual(
      new Set(['reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyNotApplied']),
    );
  });

  test('report-only results are an evolvable enum: without "Prefer: include-unknown-enum-members" they are unknownFutureValue', async () => {
    const em = fresh();
    await call(em, 'POST', POLICIES, { ...valid(), conditions: { ...valid().conditions, authenticationFlows: undefined } });
    replaySignIns(em, { hours: 72 });
    const plain = await signIns(em);
    expect(plain.flatMap((s) => s.appliedConditionalAccessPolicies.map((p) => p.result)).some((r) => r.startsWith('reportOnly'))).toBe(
      false,
    );
    expect(plain.flatMap((s) => s.appliedConditionalAccessPolicies.map((p) => p.result))).toContain('unknownFutureValue');
  });

  test('"returned only for callers with privileges to read conditional access data": an app without Policy.Read.All gets none (what Graph returns then is not documented)', async () => {
    const em = fresh();
    em.state.app.permissions = em.state.app.permissions.filter(
      (p) => p !== 'Policy.Read.All' && p !== 'Policy.ReadWrite.ConditionalAccess',
    );
    expect((await signIns(em)).every((s) => s.appliedConditionalAccessPolicies.length === 0)).toBe(true);
  });

  test('an enforced blocking policy blocks the replayed sign-ins it applies to (53003, "Access has been blocked by Conditional Access policies")', async () => {
    const em = fresh();
    await call(em, 'POST', POLICIES, {
      ...valid(),
      state: 'enabled',
      conditions: { ...valid().conditions, authenticationFlows: undefined },
    });
    replaySignIns(em, { hours: 72 });
    const replayed = em.state.signIns.filter((s) => s.id.startsWith('5191a000-0000-4000-9000-'));
    expect(replayed.filter((s) => s.status.errorCode === 0)).toEqual([]);
    expect(replayed.filter((s) => s.status.errorCode === 53003).length).toBeGreaterThan(0);
  });
});

function L(page: string): string {
  return `https://learn.microsoft.com/graph/api/${page}`;
}
