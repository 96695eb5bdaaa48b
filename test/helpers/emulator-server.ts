import { createServer, type Server } from 'node:http';
import { GraphEmulator } from '../../sandbox/graph/emulator';

/** The sandbox Graph alone on a loopback port, for Graph client tests that need no storage or bot. */
export async function serveEmulator(
  emulator = new GraphEmulator(),
): Promise<{ emulator: GraphEmulator; baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const base = `http://${req.headers.host}/graph`;
    const r = await emulator.handle(req.method!, req.url!.slice('/graph'.length), headers, Buffer.concat(chunks).toString(), base);
    if (r.disconnect) return void req.socket.destroy();
    res.writeHead(r.status, r.headers).end(r.body === undefined ? undefined : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    emulator,
    baseUrl: `http://127.0.0.1:${port}/graph`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
