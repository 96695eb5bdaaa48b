import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { tracedHttp } from './lib/telemetry';

/**
 * GET /api/health: storage, the Graph token, a Graph read and the last `contain doctor` result, as JSON; 200 when
 * Contain can work (status ok or degraded), 503 when it cannot. Function-key protected: the answer says which
 * permissions the app lacks, which is nobody's business but the operator's, and the callers an Azure admin points at
 * it (Application Insights availability tests, monitoring scripts) send a key header; Flex Consumption has no
 * platform health-check probe that would need anonymous access.
 */
export const health = tracedHttp('health', async (_req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
  const [{ getContext }, { checkHealth }] = await Promise.all([import('../src/runtime'), import('../src/health')]);
  const report = await checkHealth(await getContext());
  return { status: report.status === 'failing' ? 503 : 200, headers: { 'cache-control': 'no-store' }, jsonBody: report };
});

app.http('health', { methods: ['GET'], authLevel: 'function', route: 'health', handler: health });
