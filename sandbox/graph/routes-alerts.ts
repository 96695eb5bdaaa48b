import { GraphHttpError, json, type Call, type GraphEmulator } from './emulator';
import { matches, parseFilter, type Expr } from './odata-filter';
import type { IncidentRow, RiskyUserRow } from './seed-alerts';

/** $filter properties the docs list for each collection (security-list-alerts_v2, security-list-incidents). */
const ALERT_FILTERS = [
  'assignedTo',
  'classification',
  'determination',
  'createdDateTime',
  'lastUpdateDateTime',
  'severity',
  'serviceSource',
  'status',
];
const INCIDENT_FILTERS = ['assignedTo', 'classification', 'createdDateTime', 'determination', 'lastUpdateDateTime', 'severity', 'status'];

/**
 * Entra ID Protection (riskyUsers: list, get, confirmCompromised, dismiss) and the Defender XDR security API
 * (alerts_v2, incidents). Permissions, the P2 licence and the budgets are checked by app-rules.ts and budgets.ts.
 */
export function registerAlertRoutes(em: GraphEmulator): void {
  const s = () => em.state;

  em.on('GET', '/identityProtection/riskyUsers', (c) => em.collection(c, '/identityProtection/riskyUsers', s().riskyUsers));
  // riskyuser-confirmcompromised: "sets the targeted user's risk level to high"; riskyuser-dismiss: "to none". Both 204.
  em.on('POST', '/identityProtection/riskyUsers/confirmCompromised', (c) => {
    for (const u of riskUsers(em, c))
      upsertRisk(em, u, { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' });
    return json(204);
  });
  em.on('POST', '/identityProtection/riskyUsers/dismiss', (c) => {
    for (const u of riskUsers(em, c))
      if (s().riskyUsers.some((r) => r.id === u.id))
        upsertRisk(em, u, { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' });
    return json(204);
  });
  em.on('GET', '/identityProtection/riskyUsers/{id}', (c, m) => {
    const row = s().riskyUsers.find((r) => r.id === decodeURIComponent(m[1]).toLowerCase());
    if (!row)
      throw new GraphHttpError(
        404,
        'Request_ResourceNotFound',
        `Resource '${decodeURIComponent(m[1])}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return json(200, {
      '@odata.context': `${c.base}/${c.version}/$metadata#identityProtection/riskyUsers/$entity`,
      '@odata.type': '#microsoft.graph.riskyUser',
      ...row,
    });
  });

  // "The most recent alerts are displayed at the top of the list" (security-list-alerts_v2); the same for incidents.
  const newestFirst = <T>(xs: T[], at: (x: T) => unknown) => [...xs].sort((a, b) => String(at(b)).localeCompare(String(at(a))));
  em.on('GET', '/security/alerts_v2', (c) =>
    securityCollection(
      c,
      '/security/alerts_v2',
      newestFirst(s().securityAlerts, (a) => a.createdDateTime),
      ALERT_FILTERS,
      (a) => a,
    ),
  );
  em.on('GET', '/security/alerts_v2/{id}', (c, m) => {
    const a = s().securityAlerts.find((x) => x.id === decodeURIComponent(m[1]));
    if (!a) throw new GraphHttpError(404, 'NotFound', `Alert ${decodeURIComponent(m[1])} was not found.`);
    return json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#security/alerts_v2/$entity`, ...a });
  });
  const incidentView = (c: Call, row: IncidentRow): Record<string, unknown> =>
    expands(c, 'alerts')
      ? { ...row.data, alerts: row.alertIds.map((id) => s().securityAlerts.find((a) => a.id === id)).filter(Boolean) }
      : row.data;
  em.on('GET', '/security/incidents', (c) =>
    securityCollection(
      c,
      '/security/incidents',
      newestFirst(s().securityIncidents, (r) => r.data.createdDateTime),
      INCIDENT_FILTERS,
      (r) => incidentView(c, r),
    ),
  );
  em.on('GET', '/security/incidents/{id}', (c, m) => {
    const row = s().securityIncidents.find((x) => x.data.id === decodeURIComponent(m[1]));
    if (!row) throw new GraphHttpError(404, 'NotFound', `Incident ${decodeURIComponent(m[1])} was not found.`);
    return json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#security/incidents/$entity`, ...incidentView(c, row) });
  });
}

/** The users a riskyUsers action names: `userIds`, a non-empty collection of the tenant's user ids. */
function riskUsers(em: GraphEmulator, c: Call) {
  const ids = (c.body as { userIds?: unknown })?.userIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== 'string'))
    throw new GraphHttpError(400, 'BadRequest', "The request body must carry 'userIds', a collection of user ids.");
  // Undocumented: what Graph answers for an id that is not a user of the tenant. The sandbox refuses it (404) rather
  // than pretend to change the risk of nobody.
  return (ids as string[]).map((id) => em.user(id));
}

function upsertRisk(
  em: GraphEmulator,
  u: { id: string; displayName: string; userPrincipalName: string },
  risk: Pick<RiskyUserRow, 'riskLevel' | 'riskState' | 'riskDetail'>,
): void {
  const at = new Date(em.clock()).toISOString();
  const row = em.state.riskyUsers.find((r) => r.id === u.id);
  if (row) Object.assign(row, risk, { riskLastUpdatedDateTime: at });
  else
    em.state.riskyUsers.push({
      id: u.id,
      isDeleted: false,
      isProcessing: false,
      riskLastUpdatedDateTime: at,
      userDisplayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      ...risk,
    });
}

const expands = (c: Call, what: string) =>
  (c.query.get('$expand') ?? '')
    .split(',')
    .map((x) => x.trim())
    .includes(what);

/** Every property a filter compares. */
function filterPaths(e: Expr): string[] {
  switch (e.kind) {
    case 'and':
    case 'or':
      return [...filterPaths(e.left), ...filterPaths(e.right)];
    case 'not':
      return filterPaths(e.expr);
    case 'any':
      return [e.path];
    default:
      return [e.path];
  }
}

/**
 * The security API's collections: $filter on the documented properties only, $top and $skip, $count, and
 * @odata.nextLink carrying $skip. The page size without $top is the sandbox's choice (the docs give none): small,
 * so that clients must follow nextLink.
 */
function securityCollection<T>(c: Call, path: string, all: T[], filterable: string[], view: (x: T) => Record<string, unknown>) {
  const filter = c.query.get('$filter');
  let items = all;
  if (filter) {
    const expr = parseFilter(filter);
    const bad = filterPaths(expr).find((p) => !filterable.includes(p));
    // Undocumented wording; the docs list the filterable properties (security-list-alerts_v2, security-list-incidents).
    if (bad) throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: the property '${bad}' is not supported in $filter.`);
    items = items.filter((x) => matches(expr, view(x)));
  }
  const top = Number(c.query.get('$top') ?? 20);
  const skip = Number(c.query.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0)
    throw new GraphHttpError(400, 'BadRequest', "Invalid value for '$top' or '$skip'.");
  const page = items.slice(skip, skip + top);
  const body: Record<string, unknown> = { '@odata.context': `${c.base}/${c.version}/$metadata#${path.slice(1)}` };
  if (c.query.get('$count') === 'true') body['@odata.count'] = items.length;
  body.value = page.map(view);
  if (skip + top < items.length) {
    const next = new URLSearchParams(c.query);
    next.set('$skip', String(skip + top));
    next.set('$top', String(top));
    body['@odata.nextLink'] = `${c.base}/${c.version}${path}?${next.toString().replace(/%24/g, '$')}`;
  }
  return json(200, body);
}
