import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { CloudAdapter, TurnContext } from 'botbuilder';

/**
 * CloudAdapter.process expects restify/express-like req and res objects; an Azure Functions v4 HttpRequest is
 * neither. This shim hands it the parsed body and headers and collects status, headers and body for the reply.
 */
export async function processWithAdapter(adapter: CloudAdapter, req: HttpRequest, logic: (context: TurnContext) => Promise<void>): Promise<HttpResponseInit> {
  let body: Record<string, unknown>;
  try {
    body = (await req.json()) as Record<string, unknown>;
  } catch {
    return { status: 400, jsonBody: { error: 'Body must be a Bot Framework activity (JSON).' } };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 400, jsonBody: { error: 'Body must be a JSON object.' } };
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));

  let status = 200;
  let resBody: unknown;
  const resHeaders: Record<string, string> = {};
  const res = {
    socket: {},
    status(code: number) {
      status = code;
      return res;
    },
    header(name: string, value: unknown) {
      resHeaders[name] = String(value);
      return res;
    },
    send(b?: unknown) {
      if (b !== undefined) resBody = b;
      return res;
    },
    end(b?: unknown) {
      if (b !== undefined && typeof b !== 'function') resBody = b;
      return res;
    },
  };
  await adapter.process({ body, headers, method: req.method }, res, logic);
  if (resBody === undefined) return { status, headers: resHeaders };
  return typeof resBody === 'string' || Buffer.isBuffer(resBody) ? { status, headers: resHeaders, body: resBody } : { status, headers: resHeaders, jsonBody: resBody };
}
