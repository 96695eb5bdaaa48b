/**
 * The defensive measures' request bodies, applied through Contain's Graph client to the sandbox, which validates them
 * as Graph does (test/conformance/posture-policies.test.ts holds the refusals). Each body is checked against its doc:
 * L = https://learn.microsoft.com/graph/api/ ; E = https://learn.microsoft.com/entra/identity/conditional-access/
 *  - L/resources/conditionalaccesspolicy, L/conditionalaccessroot-post-policies (state enabledForReportingButNotEnforced)
 *  - L/resources/conditionalaccessgrantcontrols (compliantDevice, domainJoinedDevice, block; operator OR)
 *  - L/authenticationstrengthroot-list-policies (built-in Phishing-resistant MFA = 00000000-0000-0000-0000-000000000004)
 *  - L/resources/conditionalaccessauthenticationflows (transferMethods deviceCodeFlow), E/how-to-policy-authentication-flows
 *  - L/resources/conditionalaccessapplications (includeUserActions urn:user:registersecurityinfo), E/howto-conditional-access-policy-registration
 *  - L/resources/cloudappsecuritysessioncontrol (cloudAppSecurityType mcasConfigured), https://learn.microsoft.com/defender-cloud-apps/access-policy-aad
 *  - L/authorizationpolicy-update (permissionGrantPoliciesAssigned [], allowedToCreateApps false), L/group-post-groups
 */
import { createGraph, type Graph } from '../../src/graph/client';
import { ContainError } from '../../src/errors';
import { applyAuthorization, applyConditionalAccess, send } from '../../src/posture/apply';
import { resolveExclusions } from '../../src/posture/exclusions';
import { groupRequests } from '../../src/posture/groups';
import {
  AUTH_STRENGTH,
  blockDeviceCodePlan,
  compliantDevicePlan,
  DIRECTORY_SYNC_ROLE,
  harmfulUserAgentPlan,
  phishingResistantMfaPlan,
  registrationPlan,
  userConsentOffPlan,
  usersCannotRegisterAppsPlan,
  type MeasureInput,
} from '../../src/posture/measures';
import type { ConditionalAccessPlan, Exclusions } from '../../src/posture/types';
import { GLOBAL_ADMIN_TEMPLATE, SEED_IDS } from '../../sandbox/graph/seed';
import type { CreatedGroup } from '../../sandbox/graph/routes-posture';
import { serveSandbox } from '../helpers/sandbox-server';

let server: Awaited<ReturnType<typeof serveSandbox>>;
let graph: Graph;
let exclusions: Exclusions;
beforeAll(async () => {
  server = await serveSandbox();
  graph = createGraph({ baseUrl: server.graphUrl, pacer: false, retry: { baseDelayMs: 5 }, random: () => 0 });
});
afterAll(() => server.close());
beforeEach(async () => {
  server.emulator.reset();
  server.emulator.budgets.enabled = false;
  // The local stack's protected accounts: the break-glass user and the Global Administrator role (by object id).
  exclusions = await resolveExclusions(graph, [SEED_IDS.breakGlass, SEED_IDS.globalAdminRole]);
});

const input = (): MeasureInput => ({ label: 'INC-20260101-0001', exclusions });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read deep into Graph's policy JSON
type Json = Record<string, any>;
const stored = (id: string) => (server.emulator.state.conditionalAccessPolicies as unknown as Json[]).find((p) => p.id === id)!;
const groups = () => server.emulator.state.groups as CreatedGroup[];

test('protected accounts resolve to what Conditional Access excludes: the break-glass user id and the Global Administrator role template', async () => {
  expect(exclusions).toEqual({ users: [SEED_IDS.breakGlass], groups: [], roles: [GLOBAL_ADMIN_TEMPLATE] });
  expect(await resolveExclusions(graph, ['breakglass@contoso.example', SEED_IDS.socApprovers])).toEqual({
    users: [SEED_IDS.breakGlass],
    groups: [SEED_IDS.socApprovers],
    roles: [],
  });
  // Fails closed: a protected entry that cannot be resolved stops the measure.
  await expect(resolveExclusions(graph, ['00000000-0000-4000-8000-0000000000ff'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  await expect(resolveExclusions(graph, ['gone@contoso.example'])).rejects.toBeInstanceOf(ContainError);
});

describe.each([
  [
    'compliant or hybrid-joined device',
    () => compliantDevicePlan(input()),
    { grantControls: { operator: 'OR', builtInControls: ['compliantDevice', 'domainJoinedDevice'] } },
  ],
  [
    'phishing-resistant authentication strength',
    () => phishingResistantMfaPlan(input()),
    { grantControls: { operator: 'OR', builtInControls: [], authenticationStrength: { id: AUTH_STRENGTH.phishingResistantMfa } } },
  ],
  [
    'security info registration from trusted locations only',
    () => registrationPlan(input()),
    {
      conditions: {
        applications: { includeApplications: [], includeUserActions: ['urn:user:registersecurityinfo'] },
        locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
      },
      grantControls: { builtInControls: ['block'] },
    },
  ],
  [
    'device code flow blocked except an exclusion group',
    () => blockDeviceCodePlan(input()),
    { conditions: { authenticationFlows: { transferMethods: 'deviceCodeFlow' } }, grantControls: { builtInControls: ['block'] } },
  ],
] as [string, () => ConditionalAccessPlan, Record<string, unknown>][])('%s', (_name, plan, expected) => {
  test("created report-only, named for an admin, protected accounts excluded, the tenant's policies kept as evidence; Undo removes it; Enforce turns it on", async () => {
    const p = plan();
    expect(p.displayName).toMatch(/^Contain INC-20260101-0001: .+ \(report-only\)$/);
    const applied = await applyConditionalAccess(graph, p);
    expect((applied.before as { value: unknown[] }).value).toHaveLength(4);
    const policy = stored(applied.policyId);
    expect(policy).toMatchObject({ displayName: p.displayName, state: 'enabledForReportingButNotEnforced', ...expected });
    expect(policy.conditions.users.includeUsers).toEqual(['All']);
    expect(policy.conditions.users.excludeUsers).toContain(SEED_IDS.breakGlass);
    expect(policy.conditions.users.excludeRoles).toEqual(expect.arrayContaining([GLOBAL_ADMIN_TEMPLATE, DIRECTORY_SYNC_ROLE]));
    await send(graph, p.enforce(applied.policyId));
    expect(stored(applied.policyId).state).toBe('enabled');
    for (const r of p.undo(applied)) await send(graph, r);
    expect(stored(applied.policyId)).toBeUndefined();
    expect(groups().filter((g) => g.displayName.startsWith('Contain '))).toEqual([]);
  });
});

test('device code flow: the exclusion group is created (with its members) and excluded; an existing group can be given instead', async () => {
  const p = blockDeviceCodePlan({ ...input(), exclusionMemberIds: [SEED_IDS.frank] });
  const applied = await applyConditionalAccess(graph, p);
  const g = groups().find((x) => x.id === applied.groupIds.exclusion)!;
  expect(g).toMatchObject({
    displayName: 'Contain INC-20260101-0001: device code flow allowed',
    securityEnabled: true,
    mailEnabled: false,
    members: [SEED_IDS.frank],
  });
  expect(stored(applied.policyId).conditions.users.excludeGroups).toEqual([applied.groupIds.exclusion]);
  const existing = blockDeviceCodePlan({ ...input(), exclusionGroupId: SEED_IDS.securityTeam });
  expect(existing.groups).toEqual([]);
  expect((existing.policy({}).body as Record<string, any>).conditions.users.excludeGroups).toEqual([SEED_IDS.securityTeam]); // eslint-disable-line @typescript-eslint/no-explicit-any
});

describe('the harmful-user-agent policy (Conditional Access App Control)', () => {
  const plan = () =>
    harmfulUserAgentPlan({
      ...input(),
      targetedUserIds: [SEED_IDS.judy, SEED_IDS.ivan],
      legitimateUserIds: [SEED_IDS.frank],
      userAgents: ['axios', 'python-requests'],
    });

  test('the pilot group holds the targeted users, the exclusion group the legitimate ones; the policy routes the pilot through App Control, report-only', async () => {
    const p = plan();
    const applied = await applyConditionalAccess(graph, p);
    expect(
      groups()
        .find((g) => g.id === applied.groupIds.pilot)!
        .members.sort(),
    ).toEqual([SEED_IDS.ivan, SEED_IDS.judy].sort());
    expect(groups().find((g) => g.id === applied.groupIds.exclusion)!.members).toEqual([SEED_IDS.frank]);
    expect(stored(applied.policyId)).toMatchObject({
      state: 'enabledForReportingButNotEnforced',
      conditions: {
        clientAppTypes: ['browser', 'mobileAppsAndDesktopClients'],
        users: {
          includeUsers: [],
          includeGroups: [applied.groupIds.pilot],
          excludeGroups: [applied.groupIds.exclusion],
          excludeUsers: [SEED_IDS.breakGlass],
          excludeRoles: [GLOBAL_ADMIN_TEMPLATE],
        },
      },
      sessionControls: { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'mcasConfigured' } },
      grantControls: null,
    });
    for (const r of p.undo(applied)) await send(graph, r);
    expect(groups().some((g) => g.id === applied.groupIds.pilot || g.id === applied.groupIds.exclusion)).toBe(false);
  });

  test('the Defender for Cloud Apps access policy has no API: exact portal steps naming the groups and the user agents', () => {
    const steps = plan().portalSteps;
    expect(steps[0]).toContain('Cloud Apps > Policies > Policy management > Conditional Access');
    expect(steps[1]).toBe('Select Create policy > Access policy.');
    expect(steps.join('\n')).toContain('"Contain INC-20260101-0001: harmful user agents - pilot"');
    expect(steps.join('\n')).toContain('User agent string > contains any of: "axios", "python-requests"');
    expect(steps.join('\n')).toMatch(/Audit for the monitoring period.*change it to Block/);
  });

  test('more than 20 targeted users: 20 bound at creation, the rest added one by one', async () => {
    const many = server.emulator.addWaveUsers(25).map((u) => u.id);
    const g = groupRequests({ key: 'pilot', displayName: 'x', description: 'x', mailNickname: 'x', memberIds: many });
    expect((g.create.body as Record<string, string[]>)['members@odata.bind']).toHaveLength(20);
    const applied = await applyConditionalAccess(
      graph,
      harmfulUserAgentPlan({ ...input(), targetedUserIds: many, legitimateUserIds: [], userAgents: [] }),
    );
    expect(groups().find((x) => x.id === applied.groupIds.pilot)!.members).toHaveLength(25);
  });

  test('a refused policy leaves no orphan groups behind', async () => {
    server.emulator.state.app.permissions = server.emulator.state.app.permissions.filter((x) => x !== 'Policy.ReadWrite.ConditionalAccess');
    await expect(applyConditionalAccess(graph, plan())).rejects.toMatchObject({ code: 'GRAPH_FORBIDDEN' });
    expect(groups().filter((g) => g.displayName.startsWith('Contain '))).toEqual([]);
  });
});

describe('authorization policy measures (no report-only mode: snapshot, change after approval, Undo)', () => {
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const authz = () => server.emulator.state.authorizationPolicy.defaultUserRolePermissions;

  test('user consent off removes only the self-consent grant policies; Undo puts the snapshot back', async () => {
    authz().permissionGrantPoliciesAssigned.push(
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    );
    const p = userConsentOffPlan({ ...input(), since });
    expect(p.noReportOnly).toMatch(/no report-only mode.*Undo puts back exactly that value/);
    const before = await applyAuthorization(graph, p);
    expect(authz().permissionGrantPoliciesAssigned).toEqual([
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    ]);
    expect(p.apply(before).body).toEqual({
      defaultUserRolePermissions: {
        permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team'],
      },
    });
    await send(graph, p.undo(before));
    expect(authz().permissionGrantPoliciesAssigned).toEqual([
      'ManagePermissionGrantsForSelf.microsoft-user-default-legacy',
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    ]);
    // The impact read lists recent consents (Alice's consent to "..").
    const recent = await send<{ value: { activityDisplayName: string }[] }>(graph, p.impactReads[0]);
    expect(recent.value.map((a) => a.activityDisplayName)).toEqual(['Consent to application']);
  });

  test('users may not register applications; Undo restores allowedToCreateApps; the rest of the policy is untouched', async () => {
    const p = usersCannotRegisterAppsPlan({ ...input(), since });
    const before = await applyAuthorization(graph, p);
    expect(authz()).toMatchObject({
      allowedToCreateApps: false,
      allowedToCreateSecurityGroups: true,
      permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'],
    });
    await send(graph, p.undo(before));
    expect(authz().allowedToCreateApps).toBe(true);
  });
});
