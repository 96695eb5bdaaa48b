/**
 * The sandbox app's identity and Graph's authorization rules. Each test names the documentation it follows
 * (L = https://learn.microsoft.com/graph/api/); where the docs are silent the test says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphEmulator, type EmulatorResponse } from '../../sandbox/graph/emulator';
import {
  DEFAULT_APP,
  MESSAGE_TRACE_APP_ID,
  SANDBOX_APP,
  GRAPH_APP_ID,
  nameGuid,
  updateTenantSettings,
} from '../../sandbox/graph/app-identity';
import { L, RULES } from '../../sandbox/graph/app-rules';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';

const since = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const until = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

async function call(em: GraphEmulator, method: string, path: string, body?: unknown): Promise<EmulatorResponse> {
  return em.handle(
    method,
    `/v1.0${path}`,
    { 'content-type': 'application/json' },
    body === undefined ? '' : JSON.stringify(body),
    'http://sandbox/graph',
  );
}
const error = (r: EmulatorResponse) => (r.body as { error: { code: string; message: string } }).error;
const without = (em: GraphEmulator, what: { permissions?: string[]; roles?: string[] }) => {
  em.state.app.permissions = em.state.app.permissions.filter((p) => !what.permissions?.includes(p));
  em.state.app.directoryRoles = em.state.app.directoryRoles.filter((r) => !what.roles?.includes(r));
};
const resetPassword = (em: GraphEmulator, user: string) =>
  call(em, 'PATCH', `/users/${user}`, { passwordProfile: { password: 'Xy7#kLm9!pQr2$tUv4', forceChangePasswordNextSignIn: true } });

describe('every emulated Graph route declares what the app needs', () => {
  test('one rule per registered route, each citing its Microsoft Graph API page', () => {
    const em = new GraphEmulator();
    const keys = em.routeKeys();
    expect(keys.length).toBeGreaterThan(40);
    for (const k of keys) {
      expect(RULES[k]).toBeDefined();
      expect(RULES[k].doc.startsWith(L)).toBe(true);
    }
    // No rule for a route that does not exist (a renamed route would leave a stale rule behind).
    expect(Object.keys(RULES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  test('the default app is exactly what docs/permissions.md says Contain needs: the Graph roles and the directory roles', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'permissions.md'), 'utf8');
    const graph = [...doc.matchAll(/^\| `([A-Za-z-]+(?:\.[A-Za-z-]+)+)` \|/gm)].map((m) => m[1]);
    const roles = [...doc.matchAll(/^\| `((?:[A-Z][a-z]+ )+Administrator)` \|/gm)].map((m) => m[1]);
    expect([...graph].sort()).toEqual([...DEFAULT_APP.permissions].sort());
    expect([...roles].sort()).toEqual([...DEFAULT_APP.directoryRoles].sort());
  });
});

describe(`password reset app-only: ${L}user-update (passwordProfile: User-PasswordProfile.ReadWrite.All or User.ReadWrite.All "and at least the User Administrator Microsoft Entra role")`, () => {
  test('without the User Administrator role: 403 Authorization_RequestDenied, nothing changed', async () => {
    const em = new GraphEmulator();
    without(em, { roles: ['User Administrator'] });
    const before = em.user(SEED_IDS.alice).lastPasswordChangeDateTime;
    const r = await resetPassword(em, SEED_IDS.alice);
    expect(r.status).toBe(403);
    expect(error(r)).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect(em.user(SEED_IDS.alice).lastPasswordChangeDateTime).toBe(before);
  });

  test('the least privileged permission and the higher privileged one are both accepted; neither is a 403', async () => {
    const em = new GraphEmulator();
    expect((await resetPassword(em, SEED_IDS.alice)).status).toBe(204);
    without(em, { permissions: ['User-PasswordProfile.ReadWrite.All'] });
    expect((await resetPassword(em, SEED_IDS.alice)).status).toBe(403);
    em.state.app.permissions.push('User.ReadWrite.All');
    expect((await resetPassword(em, SEED_IDS.alice)).status).toBe(204);
  });

  test('a user holding an admin role needs Privileged Authentication Administrator (or Global Administrator): User Administrator is not enough', async () => {
    const em = new GraphEmulator();
    expect((await resetPassword(em, SEED_IDS.galeAdmin)).status).toBe(403);
    em.state.app.directoryRoles.push('Privileged Authentication Administrator');
    expect((await resetPassword(em, SEED_IDS.galeAdmin)).status).toBe(204);
  });

  test('inside $batch the refusal is that sub-response, with its error body; the envelope is 200', async () => {
    const em = new GraphEmulator();
    without(em, { roles: ['User Administrator'] });
    const r = await call(em, 'POST', '/$batch', {
      requests: [
        {
          id: 'pw',
          method: 'PATCH',
          url: `/users/${SEED_IDS.alice}`,
          headers: { 'Content-Type': 'application/json' },
          body: { passwordProfile: { password: 'Xy7#kLm9!pQr2$tUv4' } },
        },
        {
          id: 'revoke',
          method: 'POST',
          url: `/users/${SEED_IDS.alice}/revokeSignInSessions`,
          headers: { 'Content-Type': 'application/json' },
          body: {},
        },
      ],
    });
    expect(r.status).toBe(200);
    const subs = (r.body as { responses: { id: string; status: number; body: unknown }[] }).responses;
    const pw = subs.find((s) => s.id === 'pw')!;
    expect(pw.status).toBe(403);
    expect((pw.body as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
    expect(subs.find((s) => s.id === 'revoke')!.status).toBe(200);
  });
});

describe(`devices: ${L}device-update`, () => {
  test('accountEnabled needs at least the Cloud Device Administrator role: without it 403', async () => {
    const em = new GraphEmulator();
    without(em, { roles: ['Cloud Device Administrator'] });
    const r = await call(em, 'PATCH', `/devices/${A.attackerWindowsDevice}`, { accountEnabled: false });
    expect(r.status).toBe(403);
    expect(error(r).code).toBe('Authorization_RequestDenied');
    em.state.app.directoryRoles.push('Intune Administrator'); // "or higher"
    expect((await call(em, 'PATCH', `/devices/${A.attackerWindowsDevice}`, { accountEnabled: false })).status).toBe(204);
  });

  test('"In application-only scenarios and for non-Windows devices ... the app can update only the extensionAttributes property": 400 Request_BadRequest, not 403 (message text unverified)', async () => {
    const em = new GraphEmulator();
    const r = await call(em, 'PATCH', `/devices/${A.attackerIphone}`, { accountEnabled: false });
    expect(r.status).toBe(400);
    expect(error(r).code).toBe('Request_BadRequest');
    expect(em.state.devices.find((d) => d.data.id === A.attackerIphone)!.data.accountEnabled).toBe(true);
    expect((await call(em, 'PATCH', `/devices/${A.attackerWindowsDevice}`, { accountEnabled: false })).status).toBe(204);
  });
});

describe('refusal bodies by workload', () => {
  test(`Outlook (${L}mailfolder-list-messagerules) refuses with ErrorAccessDenied; the docs name no body, this is the most cited one`, async () => {
    const em = new GraphEmulator();
    without(em, { permissions: ['MailboxSettings.ReadWrite'] });
    const r = await call(em, 'GET', `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`);
    expect(r.status).toBe(403);
    expect(error(r)).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    em.state.app.permissions.push('MailboxSettings.Read');
    expect((await call(em, 'GET', `/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules`)).status).toBe(200);
  });

  test(`sign-ins (${L}signin-list): without AuditLog.Read.All 403 Authentication_MSGraphPermissionMissing; without Entra ID P1/P2 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant`, async () => {
    const em = new GraphEmulator();
    const path = `/auditLogs/signIns?$filter=${encodeURIComponent(`createdDateTime ge ${since}`)}`;
    expect((await call(em, 'GET', path)).status).toBe(200);
    updateTenantSettings(em, { servicePlans: ['EXCHANGE_S_ENTERPRISE'] });
    const unlicensed = await call(em, 'GET', path);
    expect(unlicensed.status).toBe(403);
    expect(error(unlicensed).code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    without(em, { permissions: ['AuditLog.Read.All', 'Directory.Read.All'] });
    const r = await call(em, 'GET', path);
    expect(error(r).code).toBe('Authentication_MSGraphPermissionMissing');
  });

  test(`owned objects (${L}user-list-ownedobjects): "Application: Not supported." even with every directory permission`, async () => {
    const em = new GraphEmulator();
    em.state.app.permissions.push('Directory.ReadWrite.All', 'User.ReadWrite.All');
    const r = await call(em, 'GET', `/users/${SEED_IDS.alice}/ownedObjects/microsoft.graph.application`);
    expect(r.status).toBe(403);
    expect(error(r).code).toBe('Authorization_RequestDenied');
  });
});

describe(`message trace: ${L}messagetracingroot-list-messagetraces and ${L}resources/exchangemessagetrace (Prerequisites: provision the service principal of app ${MESSAGE_TRACE_APP_ID})`, () => {
  const trace = (em: GraphEmulator) =>
    call(
      em,
      'GET',
      `/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(`receivedDateTime ge ${since} and receivedDateTime le ${until}`)}`,
    );

  test('without the service principal: 401 "Service principal-less Authentication failed" (the docs give no body; this is the one public reports quote); with it: 200', async () => {
    const em = new GraphEmulator();
    expect((await trace(em)).status).toBe(200);
    updateTenantSettings(em, { messageTraceServicePrincipal: false });
    const r = await trace(em);
    expect(r.status).toBe(401);
    expect(error(r).message).toMatch(/^Service principal-less Authentication failed/);
    expect(error(r).message).toContain(MESSAGE_TRACE_APP_ID);
    expect((await call(em, 'GET', `/servicePrincipals(appId='${MESSAGE_TRACE_APP_ID}')`)).status).toBe(404);
    updateTenantSettings(em, { messageTraceServicePrincipal: true });
    expect((await trace(em)).status).toBe(200);
  });

  test('without ExchangeMessageTrace.Read.All: 403 before the prerequisite is looked at', async () => {
    const em = new GraphEmulator();
    without(em, { permissions: ['ExchangeMessageTrace.Read.All'] });
    expect((await trace(em)).status).toBe(403);
  });
});

describe(`certificates: ${L}application-update and ${L}resources/keycredential`, () => {
  test('`key` is returned only when keyCredentials is $selected; otherwise it is null', async () => {
    const em = new GraphEmulator();
    const plain = (await call(em, 'GET', `/applications/${A.appAttacker}`)).body as { keyCredentials: { key: string | null }[] };
    expect(plain.keyCredentials[0].key).toBeNull();
    const selected = (await call(em, 'GET', `/applications/${A.appAttacker}?$select=id,keyCredentials`)).body as {
      keyCredentials: { key: string | null }[];
    };
    expect(selected.keyCredentials[0].key).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('keyCredentials is replaced whole; an existing certificate must be sent back with its key, type and usage (a bare keyId is refused)', async () => {
    const em = new GraphEmulator();
    const second = {
      keyId: 'ce500000-0000-4000-8000-0000000000b2',
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: 'TUlJQkJCQg==',
      displayName: 'CN=second',
    };
    (em.state.applications[0].data.keyCredentials as unknown[]).push(second);
    const bare = await call(em, 'PATCH', `/applications/${A.appAttacker}`, { keyCredentials: [{ keyId: second.keyId }] });
    expect(bare.status).toBe(400);
    const badPair = await call(em, 'PATCH', `/applications/${A.appAttacker}`, { keyCredentials: [{ ...second, usage: 'Encrypt' }] });
    expect(error(badPair).message).toContain('Acceptable values are Sign, Verify');
    const swapped = await call(em, 'PATCH', `/applications/${A.appAttacker}`, { keyCredentials: [{ ...second, key: 'T1RIRVI=' }] });
    expect(error(swapped).message).toContain('is not allowed');
    expect((em.state.applications[0].data.keyCredentials as unknown[]).length).toBe(2);
    // Removing one: send the other back whole.
    expect((await call(em, 'PATCH', `/applications/${A.appAttacker}`, { keyCredentials: [second] })).status).toBe(204);
    expect((em.state.applications[0].data.keyCredentials as { keyId: string }[]).map((k) => k.keyId)).toEqual([second.keyId]);
    expect((await call(em, 'PATCH', `/applications/${A.appAttacker}`, { keyCredentials: [] })).status).toBe(204);
  });
});

describe("what contain doctor reads, in Graph's shapes, derived from /sandbox/app and /sandbox/tenant", () => {
  test(`${L}serviceprincipal-get by appId, ${L}serviceprincipal-list-approleassignments and Microsoft Graph's appRoles`, async () => {
    const em = new GraphEmulator();
    em.state.app = { permissions: ['User.Read.All', 'Application.Read.All'], directoryRoles: [] };
    const sp = (await call(em, 'GET', `/servicePrincipals(appId='${SANDBOX_APP.appId}')?$select=id,appId`)).body as { id: string };
    expect(sp.id).toBe(SANDBOX_APP.servicePrincipalId);
    const assignments = (
      (await call(em, 'GET', `/servicePrincipals/${sp.id}/appRoleAssignments`)).body as {
        value: { appRoleId: string; resourceId: string; principalType: string }[];
      }
    ).value;
    const graph = (await call(em, 'GET', `/servicePrincipals(appId='${GRAPH_APP_ID}')?$select=id,appRoles`)).body as {
      id: string;
      appRoles: { id: string; value: string }[];
    };
    const names = assignments.filter((a) => a.resourceId === graph.id).map((a) => graph.appRoles.find((r) => r.id === a.appRoleId)!.value);
    expect(names.sort()).toEqual(['Application.Read.All', 'User.Read.All']);
    expect(assignments[0].principalType).toBe('ServicePrincipal');
  });

  test(`${L}rbacapplication-list-roleassignments filtered by principal, with the role definition expanded`, async () => {
    const em = new GraphEmulator();
    const r = await call(
      em,
      'GET',
      `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${SANDBOX_APP.servicePrincipalId}'`)}&$expand=roleDefinition`,
    );
    const roles = (
      r.body as {
        value: { roleDefinitionId: string; directoryScopeId: string; roleDefinition: { displayName: string; templateId: string } }[];
      }
    ).value;
    expect(roles.map((x) => x.roleDefinition.displayName).sort()).toEqual([...DEFAULT_APP.directoryRoles].sort());
    expect(roles.find((x) => x.roleDefinition.displayName === 'User Administrator')!.roleDefinitionId).toBe(
      'fe930be7-5e62-47db-91af-98c3a49a38b1',
    );
    expect(roles.every((x) => x.directoryScopeId === '/')).toBe(true);
    without(em, { permissions: ['Directory.Read.All'] });
    expect((await call(em, 'GET', '/roleManagement/directory/roleAssignments')).status).toBe(403);
  });

  test(`${L}subscribedsku-list: the service plans the tenant's subscriptions carry`, async () => {
    const em = new GraphEmulator();
    updateTenantSettings(em, { servicePlans: ['AAD_PREMIUM'] });
    const skus = (
      (await call(em, 'GET', '/subscribedSkus')).body as {
        value: { skuPartNumber: string; servicePlans: { servicePlanName: string; provisioningStatus: string }[] }[];
      }
    ).value;
    expect(skus[0].servicePlans).toEqual([expect.objectContaining({ servicePlanName: 'AAD_PREMIUM', provisioningStatus: 'Success' })]);
    expect(nameGuid('AAD_PREMIUM')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
