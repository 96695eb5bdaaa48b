import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';
import { powerPlatformFix } from '../doctor/fixes';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, sleep, defaultRetryPolicy } from '../graph/retry';

export const FLOW_SCOPE = 'https://service.flow.microsoft.com//.default';
const API_VERSION = '2016-11-01';

export interface FlowSummary {
  name: string;
  environment: string;
  displayName: string;
  state: string;
  createdTime: string;
  creatorObjectId: string;
  /** What the admin list carries: type, operation and connector. Never inputs (recipients, subjects, URLs). */
  triggers: FlowStep[];
  actions: FlowStep[];
}

export interface FlowStep {
  type?: string;
  swaggerOperationId?: string;
  api?: { name?: string; displayName?: string };
}

/** The Power Automate admin API, behind its own interface: it is not Graph and has its own token audience. */
export interface FlowClient {
  /** One page of one flow: whether the API answers Contain at all (registration, environment). */
  probe(options?: { signal?: AbortSignal }): Promise<{ status: number; body: unknown }>;
  listByCreator(objectId: string, options?: { signal?: AbortSignal }): Promise<FlowSummary[]>;
  get(environment: string, flowId: string, options?: { signal?: AbortSignal }): Promise<{ status: number; body: unknown }>;
  stop(environment: string, flowId: string, options?: { signal?: AbortSignal }): Promise<{ status: number; body: unknown }>;
  /** Turn a stopped flow back on (the undo of stop). */
  start(environment: string, flowId: string, options?: { signal?: AbortSignal }): Promise<{ status: number; body: unknown }>;
}

/** HTTP client for https://api.flow.microsoft.com (or the sandbox), token for the Flow service audience. */
export function createFlowClient(options: {
  baseUrl: string;
  environment: string;
  credential?: TokenCredential;
  clientId?: string;
}): FlowClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const admin = `${base}/providers/Microsoft.ProcessSimple/scopes/admin/environments`;
  const request = async (method: string, url: string, signal?: AbortSignal): Promise<{ status: number; body: unknown }> => {
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.credential)
        headers.authorization = `Bearer ${(await options.credential.getToken(FLOW_SCOPE, { abortSignal: signal }))?.token}`;
      const res = await fetch(url, { method, headers, signal });
      const text = await res.text();
      const body = text ? safeJson(text) : undefined;
      // Stopping a flow is a change: only a 429 (refused unprocessed) is sent again; the engine verifies the rest.
      if ((method === 'GET' ? isRetryableStatus(res.status) : res.status === 429) && attempt < defaultRetryPolicy.maxAttempts) {
        await sleep(retryDelayMs(defaultRetryPolicy, attempt, parseRetryAfter(res.headers.get('retry-after'))), signal);
        continue;
      }
      return { status: res.status, body };
    }
  };
  return {
    async listByCreator(objectId, o = {}) {
      const out: FlowSummary[] = [];
      let url: string | undefined = `${admin}/${encodeURIComponent(options.environment)}/v2/flows?api-version=${API_VERSION}`;
      while (url) {
        const r = await request('GET', url, o.signal);
        if (r.status >= 300) throw flowError(r, options.clientId);
        const page = r.body as { value: { name: string; properties: Record<string, unknown> }[]; nextLink?: string };
        for (const f of page.value) {
          const p = f.properties as {
            displayName: string;
            state: string;
            createdTime: string;
            creator?: { objectId?: string };
            definitionSummary?: { triggers?: FlowSummary['triggers']; actions?: FlowSummary['actions'] };
          };
          if (p.creator?.objectId?.toLowerCase() !== objectId.toLowerCase()) continue;
          out.push({
            name: f.name,
            environment: options.environment,
            displayName: p.displayName,
            state: p.state,
            createdTime: p.createdTime,
            creatorObjectId: objectId,
            triggers: (p.definitionSummary?.triggers ?? []).map(step),
            actions: (p.definitionSummary?.actions ?? []).map(step),
          });
        }
        url = page.nextLink;
      }
      return out;
    },
    probe: (o = {}) =>
      request('GET', `${admin}/${encodeURIComponent(options.environment)}/v2/flows?api-version=${API_VERSION}&$top=1`, o.signal),
    get: (env, id, o = {}) =>
      request('GET', `${admin}/${encodeURIComponent(env)}/flows/${encodeURIComponent(id)}?api-version=${API_VERSION}`, o.signal),
    stop: (env, id, o = {}) =>
      request('POST', `${admin}/${encodeURIComponent(env)}/flows/${encodeURIComponent(id)}/stop?api-version=${API_VERSION}`, o.signal),
    start: (env, id, o = {}) =>
      request('POST', `${admin}/${encodeURIComponent(env)}/flows/${encodeURIComponent(id)}/start?api-version=${API_VERSION}`, o.signal),
  };
}

/** Only what Contain reads of a step (the list carries a little more, e.g. metadata.operationMetadataId). */
const step = (x: FlowStep): FlowStep => ({
  type: x.type,
  swaggerOperationId: x.swaggerOperationId,
  ...(x.api ? { api: { name: x.api.name, displayName: x.api.displayName } } : {}),
});

/** An unregistered app's 403 names the fix; anything else says what the API answered. */
export function flowError(r: { status: number; body: unknown }, clientId?: string): ContainError {
  if (isUnregistered(r))
    return new ContainError(
      'GRAPH_FORBIDDEN',
      `the Power Automate admin API refused Contain because its app is not registered as a Power Platform management app. ${powerPlatformFix(clientId)}`,
      { details: { status: r.status } },
    );
  return new ContainError('GRAPH_ERROR', `the Power Automate API answered HTTP ${r.status}`, { details: { body: r.body } });
}

/** The admin API's refusal of an app that is not a registered management app (403 "... does not have permission to access the path ..."). */
export function isUnregistered(r: { status: number; body: unknown }): boolean {
  return r.status === 403 && /does not have permission to access the path/i.test(JSON.stringify(r.body ?? ''));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
