/**
 * The Power Automate admin API as the sandbox serves it, and the /sandbox/app and /sandbox/tenant controls.
 * The admin API is not documented as public REST: its shapes follow what Microsoft's and PnP's tools show.
 */
import type { IncomingMessage } from 'node:http';
import { GraphEmulator } from '../../sandbox/graph/emulator';
import { flowApi } from '../../sandbox/flow-api';
import { sandboxAppRoutes } from '../../sandbox/app-routes';
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { FLOW_ENVIRONMENT, ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';

const base = `http://127.0.0.1/sandbox/flow/providers/Microsoft.ProcessSimple/scopes/admin/environments/${FLOW_ENVIRONMENT}`;

describe('Power Automate admin API', () => {
  // The list's definitionSummary carries each trigger's and action's type, operation and connector but not its inputs
  // (PnP CLI for Microsoft 365's recorded `flow list` responses: https://pnp.github.io/cli-microsoft365/cmd/flow/flow-list/).
  test('the admin list names operations and connectors, never recipients or other inputs', () => {
    const em = new GraphEmulator();
    const r = flowApi(em, 'GET', new URL(`${base}/v2/flows?api-version=2016-11-01`));
    expect(r.status).toBe(200);
    const flows = (
      r.body as {
        value: {
          name: string;
          properties: { definitionSummary: { actions: Record<string, unknown>[]; triggers: Record<string, unknown>[] } };
        }[];
      }
    ).value;
    const attacker = flows.find((f) => f.name === A.flowAttacker)!;
    expect(attacker.properties.definitionSummary.actions[0]).toMatchObject({
      type: 'OpenApiConnection',
      swaggerOperationId: 'ForwardEmail_V2',
      api: { name: 'shared_office365' },
    });
    for (const f of flows)
      for (const step of [...f.properties.definitionSummary.actions, ...f.properties.definitionSummary.triggers])
        expect(Object.keys(step).sort()).toEqual(expect.arrayContaining(['metadata', 'type']));
    expect(JSON.stringify(flows)).not.toMatch(/@[a-z0-9-]+\.example|"to"|inputs/);
  });

  // PnP's recorded `flow get` (https://pnp.github.io/cli-microsoft365/cmd/flow/flow-get/) shows the definition for the
  // owner's GET; for the admin GET no public source shows it, so the sandbox keeps to the list's shape (strictest).
  test("one flow's admin GET answers the same summary, no definition (no public source shows the admin GET returning it)", () => {
    const em = new GraphEmulator();
    const r = flowApi(em, 'GET', new URL(`${base}/flows/${A.flowAttacker}?api-version=2016-11-01`));
    expect(r.status).toBe(200);
    expect((r.body as { properties: Record<string, unknown> }).properties.definition).toBeUndefined();
  });

  // https://learn.microsoft.com/power-platform/admin/powershell-create-service-principal: an app must be registered as
  // a management app. The refusal's body is the one public reports quote for the Power Platform admin API (403
  // "Forbidden", "The service principal with id ... does not have permission to access the path ..."); that the flow
  // admin API answers identically is unverified.
  test('an app not registered as a Power Platform management app is refused with 403 and nothing changes', () => {
    const em = new GraphEmulator();
    em.state.powerPlatformManagementApp = false;
    const list = flowApi(em, 'GET', new URL(`${base}/v2/flows?api-version=2016-11-01`));
    expect(list.status).toBe(403);
    expect((list.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'Forbidden',
      message: expect.stringMatching(
        /^The service principal with id '.+' for application '.+' does not have permission to access the path '.+' in tenant '.+'\.$/,
      ),
    });
    expect(flowApi(em, 'POST', new URL(`${base}/flows/${A.flowAttacker}/stop?api-version=2016-11-01`)).status).toBe(403);
    expect((em.state.flows.find((f) => f.data.name === A.flowAttacker)!.data.properties as { state: string }).state).toBe('Started');
  });
});

describe('/sandbox/app and /sandbox/tenant', () => {
  const routes = (em: GraphEmulator) => sandboxAppRoutes(em);
  const send = async (em: GraphEmulator, method: string, path: string, body = '') => {
    const route = routes(em).find(([m, re]) => m === method && re.test(path))!;
    return route[2]({} as IncomingMessage, body, new URL(`http://127.0.0.1${path}`));
  };

  test('GET shows the app; PUT replaces it; names are validated so a typo is an error, not a silent denial; reset restores the default', async () => {
    const em = new GraphEmulator();
    expect((await send(em, 'GET', '/sandbox/app')).body).toEqual(DEFAULT_APP);
    const put = await send(
      em,
      'PUT',
      '/sandbox/app',
      JSON.stringify({ permissions: ['User.Read.All'], directoryRoles: ['Cloud Device Administrator'] }),
    );
    expect(put.status).toBe(200);
    expect(em.state.app).toEqual({ permissions: ['User.Read.All'], directoryRoles: ['Cloud Device Administrator'] });
    const typo = await send(em, 'PUT', '/sandbox/app', JSON.stringify({ permissions: ['User.Reed.All'], directoryRoles: [] }));
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).toContain('permissions.0');
    expect((await send(em, 'PUT', '/sandbox/app', JSON.stringify({ permissions: [] }))).status).toBe(400);
    em.reset();
    expect(em.state.app).toEqual(DEFAULT_APP);
  });

  test("the tenant's prerequisites switch on and off; the default tenant has them all", async () => {
    const em = new GraphEmulator();
    expect((await send(em, 'GET', '/sandbox/tenant')).body).toMatchObject({
      messageTraceServicePrincipal: true,
      powerPlatformManagementApp: true,
      servicePlans: expect.arrayContaining(['AAD_PREMIUM_P2', 'THREAT_INTELLIGENCE']),
    });
    const r = await send(
      em,
      'PUT',
      '/sandbox/tenant',
      JSON.stringify({ messageTraceServicePrincipal: false, powerPlatformManagementApp: false }),
    );
    expect(r.body).toMatchObject({ messageTraceServicePrincipal: false, powerPlatformManagementApp: false });
    expect((await send(em, 'PUT', '/sandbox/tenant', JSON.stringify({ servicePlans: ['not a plan'] }))).status).toBe(400);
  });
});
