import type { GraphEmulator } from './graph/emulator';
import { SANDBOX_APP } from './graph/app-identity';
import { TENANT_ID } from './graph/ids';

export interface FlowAnswer {
  status: number;
  body: unknown;
  /** The caller gets no answer (dropped connection, killed worker). */
  disconnect?: 'drop' | 'kill';
}

/**
 * The Power Automate admin API of the sandbox tenant (list flows of an environment, get one, stop or start one), answering
 * with the API's shapes. Its calls are recorded apart from Graph's: they are not Graph round trips. Faults match the
 * path below /sandbox (e.g. "^/flow/.*\/stop$"), before or after the call is applied, as for Graph.
 *
 * An app that is not registered as a Power Platform management app is refused. The admin API is not documented as
 * public REST, so the refusal's shape comes from public reports of the Power Platform (BAP) admin API, which answers
 * 403 {"error":{"code":"Forbidden","message":"The service principal with id '...' for application '...' does not
 * have permission to access the path '...' in tenant '...'."}}; that the flow admin API answers the same way is
 * unverified. One flow's GET answers the list's shape: no public source shows the admin GET returning the full
 * definition, so Contain must not depend on it.
 */
export function flowApi(em: GraphEmulator, method: string, url: URL): FlowAnswer {
  const faultPath = url.pathname.slice('/sandbox'.length);
  const time = new Date().toISOString();
  const before = em.faults.failure(method, faultPath);
  if (before) {
    em.flowRequests.push({ method, path: url.pathname, time, status: before.drop ? 0 : before.status, applied: false });
    return before.drop
      ? { status: 0, body: undefined, disconnect: 'drop' }
      : { status: before.status, body: { error: { code: before.code, message: before.message } } };
  }
  const res = serve(em, method, url);
  const applied = res.status < 400;
  const after = applied ? em.faults.after(method, faultPath) : undefined;
  const answered: FlowAnswer = after?.disconnect
    ? { status: 0, body: undefined, disconnect: after.disconnect }
    : after?.status
      ? { status: after.status, body: { error: { code: after.code, message: after.message } } }
      : res;
  em.flowRequests.push({ method, path: url.pathname, time, status: answered.status, applied });
  return answered;
}

function serve(em: GraphEmulator, method: string, url: URL): FlowAnswer {
  const m =
    /^\/sandbox\/flow\/providers\/Microsoft\.ProcessSimple\/scopes\/admin\/environments\/([^/]+)\/(v2\/flows|flows\/([^/]+)(\/stop|\/start)?)$/.exec(
      url.pathname,
    );
  if (!m || url.searchParams.get('api-version') !== '2016-11-01')
    return { status: 404, body: { error: { code: 'NotFound', message: 'Unknown Power Automate route or api-version.' } } };
  if (!em.state.powerPlatformManagementApp) {
    const path = url.pathname.replace(/^\/sandbox\/flow/, '');
    return {
      status: 403,
      body: {
        error: {
          code: 'Forbidden',
          message: `The service principal with id '${SANDBOX_APP.servicePrincipalId}' for application '${SANDBOX_APP.appId}' does not have permission to access the path '${path}?api-version=2016-11-01' in tenant '${TENANT_ID}'.`,
        },
      },
    };
  }
  const env = decodeURIComponent(m[1]);
  const flows = em.state.flows.filter((f) => f.environment === env);
  if (m[2] === 'v2/flows' && method === 'GET') {
    const top = Number(url.searchParams.get('$top') ?? flows.length);
    return { status: 200, body: { value: flows.slice(0, Number.isInteger(top) && top > 0 ? top : flows.length).map((f) => f.data) } };
  }
  const flow = flows.find((f) => f.data.name === decodeURIComponent(m[3] ?? ''));
  if (!flow) return { status: 404, body: { error: { code: 'FlowNotFound', message: `Could not find flow '${m[3]}'.` } } };
  if (m[4] && method === 'POST') {
    // stop and start answer the same way, 200 with an empty body; start is the route Microsoft's PowerApps PowerShell
    // module posts to enable a flow (Enable-Flow; Enable-AdminFlow under scopes/admin), as stop is for disabling.
    (flow.data.properties as { state: string }).state = m[4] === '/stop' ? 'Stopped' : 'Started';
    return { status: 200, body: {} };
  }
  if (!m[4] && method === 'GET') return { status: 200, body: flow.data };
  return { status: 405, body: { error: { code: 'MethodNotAllowed', message: method } } };
}
