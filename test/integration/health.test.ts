import { createServer, type Server } from 'node:http';
import type { LocalStack } from '../../sandbox/local-stack';
import { startTestStack } from '../helpers/stack';
import { getContext, createContext } from '../../src/runtime';
import { loadConfig } from '../../src/config';
import { runDoctor } from '../../src/doctor/run';
import { keepDoctor } from '../../src/doctor/latest';
import { checkHealth } from '../../src/health';
import { SANDBOX_LINK_KEY, SANDBOX_SLACK_SECRET } from '../../sandbox/local-env';

const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.health-test-access-token.c2lnbmF0dXJl';
const IDENTITY_HEADER = 'identity-header-secret-4f1c';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Nothing secret in what /api/health answered: keys, tokens, headers, connection strings, Bearer values. */
function expectNoSecrets(text: string): void {
  for (const secret of [
    ACCESS_TOKEN,
    IDENTITY_HEADER,
    ACCOUNT_KEY,
    'AccountKey',
    SANDBOX_SLACK_SECRET,
    'xoxb-',
    SANDBOX_LINK_KEY,
    'Bearer',
    'eyJ',
    process.env.STORAGE_CONNECTION_STRING!,
  ])
    expect(text).not.toContain(secret);
}

const get = async (stack: LocalStack) => {
  const r = await fetch(`${stack.url}/api/health`);
  return { status: r.status, text: await r.text() };
};

describe('/api/health', () => {
  describe('local mode (the sandbox tenant)', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(() => stack?.stop());

    test('storage, Graph and the sandbox (no token needed) are reported; degraded until doctor has run, ok after', async () => {
      const first = await get(stack);
      expect(first.status).toBe(200);
      const before = JSON.parse(first.text);
      expect(before).toMatchObject({ status: 'degraded', mode: 'local', doctor: { ran: false } });
      for (const c of ['table', 'queue', 'results', 'token', 'graph'])
        expect(before.checks[c]).toMatchObject({ ok: true, ms: expect.any(Number) });
      expect(before.checks.token.note).toBe('no credential configured: the sandbox tenant takes no token');
      expectNoSecrets(first.text);

      const ctx = await getContext();
      await keepDoctor(ctx, await runDoctor(ctx)); // as `contain doctor` does
      const after = JSON.parse((await get(stack)).text);
      expect(after).toMatchObject({ status: 'ok', doctor: { ran: true, ok: true, stale: false, failing: [] } });
    });

    test('doctor failing (a permission taken away) makes it degraded and names the check, nothing more', async () => {
      const ctx = await getContext();
      stack.emulator.state.app.permissions = stack.emulator.state.app.permissions.filter((p: string) => p !== 'Device.ReadWrite.All');
      await keepDoctor(ctx, await runDoctor(ctx));
      const r = await get(stack);
      expect(r.status).toBe(200);
      const body = JSON.parse(r.text);
      expect(body.status).toBe('degraded');
      expect(body.doctor.ok).toBe(false);
      expect(body.doctor.failing.length).toBeGreaterThan(0);
      expect(r.text).not.toContain('fix'); // doctor's fixes (commands, ids) stay in doctor's own output
      stack.emulator.reset();
    });

    test('unreachable storage is failing (503 from the function), with error classes only', async () => {
      const config = loadConfig({
        ...process.env,
        STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;`,
      });
      const report = await checkHealth(await createContext(config), { timeoutMs: 1_500 });
      expect(report.status).toBe('failing');
      for (const c of [report.checks.table, report.checks.queue, report.checks.results])
        expect(c).toMatchObject({ ok: false, error: expect.any(String) });
      expectNoSecrets(JSON.stringify(report));
    });
  });

  describe('a managed identity (the Functions token endpoint, IDENTITY_ENDPOINT)', () => {
    let stack: LocalStack;
    let endpoint: Server;
    let answer = 500;
    const saved = { ...process.env };
    beforeAll(async () => {
      // What App Service and Functions give a managed identity: a local token endpoint guarded by a header.
      endpoint = createServer((req, res) => {
        if (req.headers['x-identity-header'] !== IDENTITY_HEADER || answer !== 200)
          return res
            .writeHead(answer === 200 ? 401 : answer, { 'content-type': 'application/json' })
            .end('{"error":"invalid_request","error_description":"refused"}');
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: ACCESS_TOKEN,
            expires_on: String(Math.floor(Date.now() / 1000) + 3600),
            resource: 'https://graph.microsoft.com',
            token_type: 'Bearer',
          }),
        );
      });
      await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
      stack = await startTestStack({
        AZURE_USE_MANAGED_IDENTITY: 'true',
        IDENTITY_ENDPOINT: `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/msi/token`,
        IDENTITY_HEADER,
      });
    });
    afterAll(async () => {
      await stack?.stop();
      for (const k of ['AZURE_USE_MANAGED_IDENTITY', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER'])
        if (saved[k] === undefined) delete process.env[k];
      await new Promise((r) => endpoint.close(r));
    });

    // First, while the endpoint refuses: a credential caches the token it once had (MSAL keeps it per process).
    test('a credential that gets no token makes health failing: 503, the error class only', async () => {
      const r = await get(stack);
      expect(r.status).toBe(503);
      const body = JSON.parse(r.text);
      expect(body.status).toBe('failing');
      expect(body.checks.token).toMatchObject({ ok: false, error: expect.any(String) });
      expectNoSecrets(r.text);
    }, 30_000);

    test('a token is acquired and said so, without the token or the identity header', async () => {
      answer = 200;
      const r = await get(stack);
      const body = JSON.parse(r.text);
      expect(body.checks.token).toMatchObject({ ok: true, note: expect.stringMatching(/^managedIdentity token valid for (59|60) min$/) });
      expectNoSecrets(r.text);
    });
  });
});
