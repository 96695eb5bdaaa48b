import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { RESULT_ID } from '../src/ids';
import { tracedHttp } from './lib/telemetry';

const REFUSED = {
  unsigned: [401, 'This link is not signed. Use the link on the card in the incident thread.'],
  forged: [403, 'This link was altered or was not made by Contain.'],
  expired: [410, 'This link has expired. Run the command again in the thread for a new one.'],
} as const;

/**
 * GET /api/results/{id}?format=md|json|svg&expires=...&sig=...: the full result behind an investigation card (svg: its
 * timeline picture). Anonymous at the Functions level because the link itself carries the permission (HMAC over id
 * and expiry, like a SAS).
 */
export const results = tracedHttp('results', async (req: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
  const id = req.params.id ?? '';
  if (!RESULT_ID.test(id)) return { status: 400, jsonBody: { error: 'not a result id' } };
  const format = req.query.get('format') ?? 'md';
  if (format !== 'md' && format !== 'json' && format !== 'svg')
    return { status: 400, jsonBody: { error: 'format must be md, json or svg' } };
  const [{ getContext }, { checkResultLink }] = await Promise.all([import('../src/runtime'), import('../src/links')]);
  const ctx = await getContext();
  const refused = checkResultLink(ctx.config, id, req.query.get('expires'), req.query.get('sig'), ctx.now());
  if (refused) {
    ctx.log.warn('result link refused', { id, reason: refused });
    return { status: REFUSED[refused][0], jsonBody: { error: REFUSED[refused][1] } };
  }
  const file = await ctx.results.get(id, format);
  if (!file) return { status: 404, jsonBody: { error: 'No such result (results are kept for 90 days).' } };
  return {
    status: 200,
    // Results name people and addresses: keep them out of shared caches, and never let a browser run them as a page.
    // The picture is shown inline, so it also gets a policy that forbids scripts and fetches should anything slip in.
    headers: {
      'content-type': file.contentType,
      'content-disposition': `${format === 'md' ? 'attachment' : 'inline'}; filename="${id}.${format}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      ...(format === 'svg' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" } : {}),
    },
    body: file.body,
  };
});

app.http('results', { methods: ['GET'], authLevel: 'anonymous', route: 'results/{id}', handler: results });
