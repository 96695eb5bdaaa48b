import type { ContainContext } from '../context';
import { runBatch, subError, type BatchRequest, type BatchResponse } from '../graph/batch';
import { odataString, query, segment } from '../graph/odata';
import type { TargetUser } from '../incidents/model';
import type { FlowClient, FlowSummary } from '../powerautomate/client';
import { MICROSOFT_TENANTS } from './steps/07-applications';

/** What step 7 reads of an app registration; keyCredentials selected so that the certificates come with their key. */
const APP_FIELDS = 'id,appId,displayName,createdDateTime,signInAudience,web,passwordCredentials,keyCredentials';

export const WELL_KNOWN_FOLDERS = ['deleteditems', 'junkemail', 'archive', 'rssfeeds', 'conversationhistory'] as const;
/**
 * Outlook runs at most 4 requests at once per app and mailbox; a parallel $batch with more for one mailbox gets 429s
 * past the fourth (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits). The first batch reads
 * the rules, the folder list and the two commonest hiding places; the other well-known folders ride in the second
 * batch, and only when a rule moves mail somewhere not yet named.
 */
const FIRST_WELL_KNOWN = WELL_KNOWN_FOLDERS.slice(0, 2);
const LATER_WELL_KNOWN = WELL_KNOWN_FOLDERS.slice(2);

/** Everything steps 2-7 look at, read in Graph batches of at most 4 mailbox requests each (plus the Power Automate API). */
export interface Discovery {
  methods: Record<string, unknown>[];
  devices: Record<string, unknown>[];
  rules: Record<string, unknown>[];
  /** Folder id -> display name, and id -> well-known name where it is one. */
  folders: Map<string, { name: string; wellKnown?: string }>;
  grants: Record<string, unknown>[];
  servicePrincipals: Map<string, Record<string, unknown>>;
  /** App registrations the user added (directory audit) or consented to that live in this tenant. */
  applications: Record<string, unknown>[];
  /** Object ids of the applications the user registered ("Add application" initiated by them). */
  appsAddedByUser: Set<string>;
  audits: Record<string, unknown>[];
  flows: FlowSummary[] | { notChecked: string };
  /** Reads that failed, by source, with Graph's reason (e.g. no mailbox, no licence). */
  failures: Map<string, string>;
}

const value = (r: BatchResponse | undefined) => ((r && r.status < 300 ? (r.body as { value?: unknown[] })?.value : undefined) ?? []) as Record<string, unknown>[];

/**
 * Read the user's methods, devices, rules, consents, apps and recent directory audit, batched. Apps are found through
 * the audit log and the consents: Graph does not list a user's owned objects to an app (user-list-ownedobjects).
 */
export async function discover(ctx: ContainContext, user: TargetUser, windowStart: string, flows: FlowClient | undefined, options: { signal?: AbortSignal } = {}): Promise<Discovery> {
  const u = segment(user.id);
  const since = windowStart.replace(/\.\d{3}Z$/, 'Z');
  const reads: BatchRequest[] = [
    { id: 'methods', method: 'GET', url: `/users/${u}/authentication/methods` },
    { id: 'registeredDevices', method: 'GET', url: `/users/${u}/registeredDevices${query({ $top: 100 })}` },
    { id: 'ownedDevices', method: 'GET', url: `/users/${u}/ownedDevices${query({ $top: 100 })}` },
    { id: 'rules', method: 'GET', url: `/users/${u}/mailFolders/inbox/messageRules` },
    { id: 'folders', method: 'GET', url: `/users/${u}/mailFolders${query({ $top: 250, $select: 'id,displayName' })}` },
    ...FIRST_WELL_KNOWN.map((w) => wellKnown(u, w)),
    { id: 'grants', method: 'GET', url: `/users/${u}/oauth2PermissionGrants` },
    {
      id: 'audits',
      method: 'GET',
      url: `/auditLogs/directoryAudits${query({ $filter: `activityDateTime ge ${since} and (targetResources/any(t: t/id eq ${odataString(user.id)}) or initiatedBy/user/id eq ${odataString(user.id)})`, $top: 500 })}`,
    },
  ];
  const [first, flowList] = await Promise.all([runBatch(ctx.graph, reads, { signal: options.signal }), listFlows(flows, user.id, options.signal)]);
  const failures = new Map<string, string>();
  for (const [id, r] of first) if (r.status >= 300 && !id.startsWith('folder:')) failures.set(id, subError(r).message ?? `HTTP ${r.status}`);

  const folders = new Map<string, { name: string; wellKnown?: string }>();
  for (const f of value(first.get('folders'))) folders.set(String(f.id), { name: String(f.displayName) });
  for (const w of WELL_KNOWN_FOLDERS) {
    const r = first.get(`folder:${w}`);
    if (r && r.status < 300) {
      const f = r.body as { id: string; displayName: string };
      folders.set(f.id, { name: f.displayName, wellKnown: w });
    }
  }
  const rules = value(first.get('rules'));
  const grants = value(first.get('grants'));
  const devices = dedupe([...value(first.get('registeredDevices')), ...value(first.get('ownedDevices'))]);

  // Second pass: the service principals behind consents, the apps the user registered, and what the folders rules
  // move mail to are: the other well-known folders when a target is not one of the first two, and folders not in the
  // top-level list by id.
  const audits = value(first.get('audits'));
  const added = new Set(
    audits
      .filter((e) => e.activityDisplayName === 'Add application' && (e.initiatedBy as { user?: { id?: string } } | undefined)?.user?.id === user.id)
      .flatMap((e) => ((e.targetResources as { id?: string; type?: string }[] | undefined) ?? []).filter((t) => t.type === 'Application' && t.id).map((t) => String(t.id))),
  );
  const spIds = [...new Set(grants.map((g) => String(g.clientId)))];
  const targets = [...new Set(rules.map((r) => (r.actions as { moveToFolder?: string } | undefined)?.moveToFolder).filter((id): id is string => !!id))];
  const unnamed = targets.filter((id) => !folders.get(id)?.wellKnown);
  const unknownFolders = targets.filter((id) => !folders.has(id));
  const second: BatchRequest[] = [
    ...spIds.map((id): BatchRequest => ({ id: `sp:${id}`, method: 'GET', url: `/servicePrincipals/${segment(id)}${query({ $select: 'id,appId,displayName,accountEnabled,appOwnerOrganizationId,replyUrls,servicePrincipalType' })}` })),
    ...(unnamed.length ? LATER_WELL_KNOWN.map((w) => wellKnown(u, w)) : []),
    ...unknownFolders.map((id): BatchRequest => ({ id: `folder:${id}`, method: 'GET', url: `/users/${u}/mailFolders/${segment(id)}${query({ $select: 'id,displayName' })}` })),
    ...[...added].map((id): BatchRequest => ({ id: `app:${id}`, method: 'GET', url: `/applications/${segment(id)}${query({ $select: APP_FIELDS })}` })),
  ];
  const more = second.length ? await runBatch(ctx.graph, second, { signal: options.signal }) : new Map<string, BatchResponse>();
  const servicePrincipals = new Map<string, Record<string, unknown>>();
  const applications = new Map<string, Record<string, unknown>>();
  for (const [id, r] of more) {
    if (r.status >= 300) continue;
    if (id.startsWith('sp:')) servicePrincipals.set(id.slice(3), r.body as Record<string, unknown>);
    else if (id.startsWith('app:')) applications.set(String((r.body as { appId: string }).appId), r.body as Record<string, unknown>);
    else {
      const f = r.body as { id: string; displayName: string };
      const w = LATER_WELL_KNOWN.find((x) => id === `folder:${x}`);
      // Answers come in any order: a folder read by id must not hide that it is also a well-known one.
      if (w) folders.set(f.id, { name: String(f.displayName), wellKnown: w });
      else if (!folders.get(id.slice(7))?.wellKnown) folders.set(id.slice(7), { name: String(f.displayName) });
    }
  }
  // Third pass, only when needed: the registrations behind consented apps that are not Microsoft's and not found above
  // (a foreign multi-tenant app answers 404 here: it has no registration in this tenant).
  const byAppId = [...servicePrincipals.values()].filter((sp) => !MICROSOFT_TENANTS.has(String(sp.appOwnerOrganizationId)) && !applications.has(String(sp.appId)));
  if (byAppId.length) {
    const third = await runBatch(ctx.graph, byAppId.map((sp, i): BatchRequest => ({ id: `appid:${i}`, method: 'GET', url: `/applications(appId=${odataString(String(sp.appId))})${query({ $select: APP_FIELDS })}` })), { signal: options.signal });
    for (const r of third.values()) if (r.status < 300) applications.set(String((r.body as { appId: string }).appId), r.body as Record<string, unknown>);
  }
  return { methods: value(first.get('methods')), devices, rules, folders, grants, servicePrincipals, applications: [...applications.values()], appsAddedByUser: added, audits, flows: flowList, failures };
}

async function listFlows(client: FlowClient | undefined, userId: string, signal?: AbortSignal): Promise<FlowSummary[] | { notChecked: string }> {
  if (!client) return { notChecked: 'Power Automate is not configured: set POWER_AUTOMATE_API_URL and POWER_AUTOMATE_ENVIRONMENT and grant Contain the Power Automate admin role (docs/permissions.md).' };
  try {
    return await client.listByCreator(userId, { signal });
  } catch (err) {
    return { notChecked: `Power Automate could not be read: ${(err as Error).message}` };
  }
}

function dedupe(items: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Map<string, Record<string, unknown>>();
  for (const i of items) seen.set(String(i.id), i);
  return [...seen.values()];
}

const wellKnown = (u: string, w: string): BatchRequest => ({ id: `folder:${w}`, method: 'GET', url: `/users/${u}/mailFolders/${w}${query({ $select: 'id,displayName' })}` });
