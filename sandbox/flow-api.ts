import type { GraphEmulator } from './graph/emulator';

/**
 * The Power Automate admin API of the sandbox tenant (list flows of an environment, get one, stop one), answering
 * with the API's shapes. Its calls are recorded apart from Graph's: they are not Graph round trips.
 */
export function flowApi(em: GraphEmulator, method: string, url: URL): { status: number; body: unknown } {
  const m = /^\/sandbox\/flow\/providers\/Microsoft\.ProcessSimple\/scopes\/admin\/environments\/([^/]+)\/(v2\/flows|flows\/([^/]+)(\/stop)?)$/.exec(url.pathname);
  em.flowRequests.push({ method, path: url.pathname, time: new Date().toISOString() });
  if (!m || url.searchParams.get('api-version') !== '2016-11-01') return { status: 404, body: { error: { code: 'NotFound', message: 'Unknown Power Automate route or api-version.' } } };
  const env = decodeURIComponent(m[1]);
  const flows = em.state.flows.filter((f) => f.environment === env);
  if (m[2] === 'v2/flows' && method === 'GET') return { status: 200, body: { value: flows.map((f) => f.data) } };
  const flow = flows.find((f) => f.data.name === decodeURIComponent(m[3] ?? ''));
  if (!flow) return { status: 404, body: { error: { code: 'FlowNotFound', message: `Could not find flow '${m[3]}'.` } } };
  if (m[4] && method === 'POST') {
    (flow.data.properties as { state: string }).state = 'Stopped';
    return { status: 200, body: {} };
  }
  if (!m[4] && method === 'GET') return { status: 200, body: flow.data };
  return { status: 405, body: { error: { code: 'MethodNotAllowed', message: method } } };
}
