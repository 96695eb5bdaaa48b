/**
 * The rules Graph applies to a JSON batch before running any of it (https://learn.microsoft.com/graph/json-batching,
 * https://learn.microsoft.com/graph/known-issues#json-batching). A batch that breaks one is refused whole with 400;
 * nothing in it runs.
 */
export interface BatchSubRequest {
  id: string;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export const BATCH_LIMIT = 20;

/** Graph's words for a dependency graph that is neither fully parallel nor fully sequential (nor a fan-out). */
export const MIXED_DEPENDENCIES = 'Batch should be either fully sequential or fully parallel';

/** Why Graph refuses this batch, or undefined when it is well formed. */
export function batchRefusal(reqs: unknown): string | undefined {
  if (!Array.isArray(reqs) || reqs.length === 0) return 'Invalid batch payload format.';
  if (reqs.length > BATCH_LIMIT) return `The number of batch requests exceeds the limit of ${BATCH_LIMIT}.`;
  const ids = new Set<string>();
  for (const r of reqs as Partial<BatchSubRequest>[]) {
    if (!r || typeof r.id !== 'string' || r.id === '' || typeof r.method !== 'string' || typeof r.url !== 'string')
      return 'Invalid batch payload format: each request needs id, method and url.';
    if (ids.has(r.id)) return `Request id '${r.id}' is used more than once in the batch.`;
    ids.add(r.id);
    if (/^https?:/i.test(r.url)) return `Request '${r.id}': the url must be relative to the batch's version, not absolute.`;
    const contentType = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    if (r.body !== undefined && !contentType) return `Request '${r.id}' has a body but no Content-Type header.`;
    if (r.dependsOn !== undefined && (!Array.isArray(r.dependsOn) || r.dependsOn.some((d) => typeof d !== 'string')))
      return `Request '${r.id}': dependsOn must be an array of request ids.`;
  }
  for (const r of reqs as BatchSubRequest[])
    for (const d of r.dependsOn ?? [])
      if (!ids.has(d) || d === r.id) return `Request '${r.id}' depends on '${d}', which is not another request of this batch.`;
  return legalShape(reqs as BatchSubRequest[]) ? undefined : MIXED_DEPENDENCIES;
}

/**
 * Graph accepts three dependency shapes: no request depends on another (parallel); every request but one depends on
 * exactly the one before it in a single chain (sequential); or every request but one depends on that same one
 * (all dependents on one request). Anything else, such as pairs "change A -> read A", "change B -> read B", is mixed.
 */
export function legalShape(reqs: BatchSubRequest[]): boolean {
  const deps = reqs.map((r) => r.dependsOn ?? []);
  if (deps.every((d) => d.length === 0)) return true;
  if (deps.some((d) => d.length > 1)) return false;
  const roots = reqs.filter((r) => !(r.dependsOn ?? []).length);
  if (roots.length !== 1) return false;
  const root = roots[0].id;
  if (reqs.every((r) => r.id === root || r.dependsOn![0] === root)) return true;
  // A single chain: each id is depended on by at most one request, and walking from the root reaches every request.
  const next = new Map<string, string>();
  for (const r of reqs) {
    if (r.id === root) continue;
    const parent = r.dependsOn![0];
    if (next.has(parent)) return false;
    next.set(parent, r.id);
  }
  let seen = 1;
  for (let at = next.get(root); at !== undefined; at = next.get(at)) seen++;
  return seen === reqs.length;
}

/** The order a sequential or fan-out batch runs in: each request after the one it depends on. */
export function executionOrder(reqs: BatchSubRequest[]): BatchSubRequest[] {
  const done = new Set<string>();
  const out: BatchSubRequest[] = [];
  while (out.length < reqs.length) {
    const ready = reqs.filter((r) => !done.has(r.id) && (r.dependsOn ?? []).every((d) => done.has(d)));
    for (const r of ready) {
      done.add(r.id);
      out.push(r);
    }
  }
  return out;
}
