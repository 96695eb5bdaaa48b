import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { GraphEmulator } from '../../sandbox/graph/emulator';
import { exchangeApi, mountExchange } from '../../sandbox/exchange-api';
import { TENANT_ID } from '../../sandbox/graph/ids';

/**
 * The sandbox's Graph (/graph) and Exchange admin API (/sandbox/exchange) on a loopback port, for client tests that
 * need no storage or bot. `seen` records every request's headers, to check what a client sends (and to whom).
 */
export async function serveSandbox(emulator = new GraphEmulator()): Promise<{
  emulator: GraphEmulator;
  graphUrl: string;
  exchangeUrl: string;
  seen: { path: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}> {
  mountExchange(emulator);
  const seen: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    seen.push({ path: req.url!, headers: req.headers, body });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const r = url.pathname.startsWith('/sandbox/exchange/')
      ? await exchangeApi(emulator, req.method!, url, headers, body)
      : await emulator.handle(req.method!, req.url!.slice('/graph'.length), headers, body, `http://${req.headers.host}/graph`);
    if (r.disconnect) return void req.socket.destroy();
    const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status, r.headers ?? {}).end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    emulator,
    graphUrl: `http://127.0.0.1:${port}/graph`,
    exchangeUrl: `http://127.0.0.1:${port}/sandbox/exchange/adminapi/beta/${TENANT_ID}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
