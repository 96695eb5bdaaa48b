import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { INCIDENT_ID } from '../src/ids';
import { tracedHttp } from './lib/telemetry';

/** GET /api/incidents/{id}/report: the Markdown report as a file. Function-key protected in Azure (authLevel). */
export const incidentReport = tracedHttp(
  'incident-report',
  async (req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const id = (req.params.id ?? '').toUpperCase();
    if (!INCIDENT_ID.test(id)) return { status: 400, jsonBody: { error: 'incident id must look like INC-YYYYMMDD-NNNN' } };
    const [{ getContext }, { buildReport }, { ContainError }] = await Promise.all([
      import('../src/runtime'),
      import('../src/incidents/report'),
      import('../src/errors'),
    ]);
    try {
      const report = await buildReport(await getContext(), id);
      return {
        status: 200,
        headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `attachment; filename="${id}.md"` },
        body: report.markdown,
      };
    } catch (err) {
      if (err instanceof ContainError && err.code === 'NOT_FOUND') return { status: 404, jsonBody: { error: err.userMessage } };
      throw err;
    }
  },
);

app.http('incident-report', { methods: ['GET'], authLevel: 'function', route: 'incidents/{id}/report', handler: incidentReport });
