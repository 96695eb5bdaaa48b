import { randomUUID } from 'node:crypto';
import { GraphHttpError, json, type GraphEmulator } from './emulator';
import { odataContext } from './http';
import type { SeedUalRecord } from './seed-ual';

const stringList = (v: unknown, name: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new GraphHttpError(400, 'BadRequest', `${name} must be a collection of strings.`);
  return v as string[];
};
const bare = (ip: string) =>
  ip
    .replace(/^\[([^\]]+)\](:\d+)?$/, '$1')
    .replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')
    .toLowerCase();

/**
 * Step 8's unified audit log (Audit Log Query API: create, poll, page records) and steps 9-10's message trace.
 * A query "runs" for `em.auditQueryMs` after creation: notStarted for the first fifth of it, then running, then
 * succeeded, so clients must poll as they would against Purview.
 */
export function registerInvestigationRoutes(em: GraphEmulator): void {
  const s = () => em.state;

  em.on('POST', '/security/auditLog/queries', (c) => {
    const b = (c.body ?? {}) as Record<string, unknown>;
    const start = Date.parse(String(b.filterStartDateTime ?? ''));
    const end = Date.parse(String(b.filterEndDateTime ?? ''));
    if (Number.isNaN(start) || Number.isNaN(end))
      throw new GraphHttpError(400, 'BadRequest', 'filterStartDateTime and filterEndDateTime are required DateTimeOffset values.');
    if (end <= start) throw new GraphHttpError(400, 'BadRequest', 'filterEndDateTime must be after filterStartDateTime.');
    const data = {
      '@odata.type': '#microsoft.graph.security.auditLogQuery',
      id: randomUUID(),
      displayName: typeof b.displayName === 'string' ? b.displayName : null,
      filterStartDateTime: new Date(start).toISOString(),
      filterEndDateTime: new Date(end).toISOString(),
      recordTypeFilters: stringList(b.recordTypeFilters, 'recordTypeFilters'),
      keywordFilter: null,
      serviceFilter: null,
      operationFilters: stringList(b.operationFilters, 'operationFilters'),
      userPrincipalNameFilters: stringList(b.userPrincipalNameFilters, 'userPrincipalNameFilters'),
      ipAddressFilters: stringList(b.ipAddressFilters, 'ipAddressFilters'),
      objectIdFilters: [],
      administrativeUnitIdFilters: [],
      status: 'notStarted',
    };
    s().auditQueries.push({ data, createdAt: em.clock() });
    return json(201, { '@odata.context': odataContext(c, 'security/auditLog/queries/$entity'), ...data });
  });

  const query = (id: string) => {
    const q = s().auditQueries.find((x) => x.data.id === id);
    if (!q) throw new GraphHttpError(404, 'NotFound', `The audit log query '${id}' was not found.`);
    const elapsed = em.clock() - q.createdAt;
    q.data.status = elapsed < em.auditQueryMs / 5 ? 'notStarted' : elapsed < em.auditQueryMs ? 'running' : em.auditQueryOutcome;
    return q;
  };
  const matching = (q: ReturnType<typeof query>): SeedUalRecord[] => {
    const d = q.data as Record<string, unknown> & { filterStartDateTime: string; filterEndDateTime: string };
    const lowerSet = (k: string) => new Set((d[k] as string[]).map((x) => x.toLowerCase()));
    const [upns, ops, types, ips] = [
      lowerSet('userPrincipalNameFilters'),
      lowerSet('operationFilters'),
      lowerSet('recordTypeFilters'),
      lowerSet('ipAddressFilters'),
    ];
    return s()
      .ual.filter(
        (r) =>
          r.createdDateTime >= d.filterStartDateTime.replace(/\.\d{3}Z$/, 'Z') &&
          r.createdDateTime <= d.filterEndDateTime.replace(/\.\d{3}Z$/, 'Z'),
      )
      .filter((r) => !upns.size || upns.has(r.userPrincipalName.toLowerCase()))
      .filter((r) => !ops.size || ops.has(r.operation.toLowerCase()))
      .filter((r) => !types.size || types.has(r.auditLogRecordType.toLowerCase()))
      .filter((r) => !ips.size || ips.has(bare(r.clientIp)))
      .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
  };

  em.on('GET', '/security/auditLog/queries/{id}', (c, m) => {
    const q = query(decodeURIComponent(m[1]));
    const done = q.data.status === 'succeeded';
    return json(200, {
      '@odata.context': odataContext(c, 'security/auditLog/queries/$entity'),
      ...q.data,
      ...(done ? { approximateReturnedRecordCount: matching(q).length } : {}),
    });
  });

  // The sandbox pages records four at a time so that every client exercises nextLink paging.
  em.on('GET', '/security/auditLog/queries/{id}/records', (c, m) => {
    const q = query(decodeURIComponent(m[1]));
    if (q.data.status !== 'succeeded')
      throw new GraphHttpError(400, 'BadRequest', `The audit log query is ${q.data.status}; records are available once it has succeeded.`);
    return em.collection(c, `/security/auditLog/queries/${q.data.id}/records`, matching(q), { defaultTop: 4 });
  });

  // Advanced hunting: the EmailEvents and EmailUrlInfo tables and the KQL Contain sends (where-clauses of ==, =~,
  // in (...) and Timestamp between datetimes, joined by and).
  em.on('POST', '/security/runHuntingQuery', (c) => {
    const q = String((c.body as { Query?: string })?.Query ?? '');
    const m = /^\s*(EmailEvents|EmailUrlInfo)\s*\|\s*where\s+(.+?)\s*(\|\s*(take|limit)\s+(\d+)\s*)?$/is.exec(q);
    if (!m)
      throw new GraphHttpError(
        400,
        'BadRequest',
        'The sandbox understands: EmailEvents|EmailUrlInfo | where <a == "b" and a in ("x", "y") and ... and Timestamp between (datetime(x) .. datetime(y))> [| take N].',
      );
    const str = (lit: string) => JSON.parse(lit) as string;
    const preds = m[2].split(/\s+and\s+/i).map((p) => {
      const eq = /^(\w+)\s*(==|=~)\s*("(?:[^"\\]|\\.)*")$/.exec(p.trim());
      if (eq)
        return (row: Record<string, unknown>) =>
          eq[2] === '=~' ? String(row[eq[1]] ?? '').toLowerCase() === str(eq[3]).toLowerCase() : String(row[eq[1]] ?? '') === str(eq[3]);
      const inList = /^(\w+)\s+in\s*\(\s*((?:"(?:[^"\\]|\\.)*"\s*,?\s*)+)\)$/.exec(p.trim());
      if (inList) {
        const values = new Set([...inList[2].matchAll(/"(?:[^"\\]|\\.)*"/g)].map((x) => str(x[0])));
        return (row: Record<string, unknown>) => values.has(String(row[inList[1]] ?? ''));
      }
      const btw = /^Timestamp\s+between\s*\(\s*datetime\(([^)]+)\)\s*\.\.\s*datetime\(([^)]+)\)\s*\)$/i.exec(p.trim());
      if (btw)
        return (row: Record<string, unknown>) =>
          String(row.Timestamp) >= new Date(btw[1]).toISOString() && String(row.Timestamp) <= new Date(btw[2]).toISOString();
      throw new GraphHttpError(400, 'BadRequest', `Unsupported predicate in the sandbox: ${p.trim()}`);
    });
    const table = (m[1] === 'EmailEvents' ? s().emailEvents : s().emailUrls) as Record<string, unknown>[];
    const rows = table.filter((r) => preds.every((p) => p(r))).slice(0, m[5] ? Number(m[5]) : 10_000);
    const cols =
      m[1] === 'EmailEvents'
        ? [
            'Timestamp',
            'NetworkMessageId',
            'InternetMessageId',
            'SenderFromAddress',
            'SenderIPv4',
            'RecipientEmailAddress',
            'RecipientObjectId',
            'Subject',
            'EmailDirection',
            'DeliveryAction',
            'UrlCount',
            'ThreatTypes',
          ]
        : ['Timestamp', 'NetworkMessageId', 'Url', 'UrlDomain', 'UrlLocation'];
    return json(200, {
      '@odata.context': `${c.base}/${c.version}/$metadata#microsoft.graph.security.huntingQueryResults`,
      schema: cols.map((name) => ({ name, type: name === 'Timestamp' ? 'DateTime' : name === 'UrlCount' ? 'Int32' : 'String' })),
      results: rows,
    });
  });

  // Message trace (Exchange Online): one row per recipient of each inbound message in the EmailEvents table.
  em.on('GET', '/admin/exchange/tracing/messageTraces', (c) => {
    const f = c.query.get('$filter') ?? '';
    const ge = /receivedDateTime ge (\S+)/.exec(f)?.[1];
    const le = /receivedDateTime le (\S+)/.exec(f)?.[1];
    if (!ge || !le) throw new GraphHttpError(400, 'BadRequest', 'A $filter with receivedDateTime ge and le is required.');
    if (Date.parse(le) - Date.parse(ge) > 10 * 86_400_000)
      throw new GraphHttpError(400, 'BadRequest', 'The time range of a message trace query cannot exceed 10 days.');
    const rows = s()
      .emailEvents.filter((e) => e.EmailDirection === 'Inbound')
      .map((e) => ({
        id: `7ace${e.NetworkMessageId.slice(4)}`,
        messageId: e.InternetMessageId,
        senderAddress: e.SenderFromAddress,
        recipientAddress: e.RecipientEmailAddress,
        subject: e.Subject,
        receivedDateTime: e.Timestamp.replace(/\.\d{3}Z$/, 'Z'),
        status: e.DeliveryAction === 'Delivered' ? 'delivered' : 'filteredAsSpam',
        fromIP: e.SenderIPv4,
        toIP: null,
        size: 48213,
      }))
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime));
    return em.collection(c, '/admin/exchange/tracing/messageTraces', rows, { defaultTop: 1000 });
  });
}
