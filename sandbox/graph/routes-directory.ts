import { GraphHttpError, json, select, USER_DEFAULT } from './http';
import type { GraphEmulator } from './emulator';
import { withAppliedPolicies } from './ca-evaluate';
import type { SeedSignIn } from './seed';

/** Users, revoking their sessions, their transitive memberships (checkMemberObjects), and sign-in logs. */
export function registerDirectoryRoutes(em: GraphEmulator): void {
  em.on('GET', '/users', (c) => em.collection(c, '/users', em.state.users));
  em.on('GET', '/users/{id}', (c, m) =>
    json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#users/$entity`, ...select(em.user(m[1]), c.query, USER_DEFAULT) }),
  );
  em.on('POST', '/users/{id}/revokeSignInSessions', (c, m) => {
    const u = em.user(m[1]);
    u.signInSessionsValidFromDateTime = new Date(em.clock()).toISOString();
    return json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#Edm.Boolean`, value: true });
  });
  // Transitive membership in groups and directory roles, as checkMemberObjects answers it.
  em.on('POST', '/users/{id}/checkMemberObjects', (c, m) => {
    const u = em.user(m[1]);
    const ids = (c.body as { ids?: unknown })?.ids;
    if (!Array.isArray(ids) || ids.length > 20)
      throw new GraphHttpError(400, 'Request_BadRequest', 'ids must be an array of at most 20 object ids.');
    const mine = transitiveMemberOf(em, u.id);
    return json(200, {
      '@odata.context': `${c.base}/${c.version}/$metadata#Collection(Edm.String)`,
      value: ids.filter((id) => mine.has(String(id).toLowerCase())),
    });
  });
  em.on('GET', '/auditLogs/signIns', (c) => {
    const rows = [...em.state.signIns].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
    // Beta lists interactive sign-ins only, unless the filter asks for other kinds by signInEventTypes.
    const kinds =
      c.version === 'beta' && !/signInEventTypes/.test(c.query.get('$filter') ?? '')
        ? rows.filter((r) => r.signInEventTypes.includes('interactiveUser'))
        : rows;
    const shaped =
      c.version === 'beta' ? kinds : rows.map(({ sessionId: _s, signInEventTypes: _t, autonomousSystemNumber: _a, ...v1 }) => v1);
    if (c.version === 'v1.0' && /signInEventTypes|sessionId/.test(c.query.get('$filter') ?? ''))
      throw new GraphHttpError(
        400,
        'Request_UnsupportedQuery',
        "Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'.",
      );
    // Each sign-in with the Conditional Access policies in force at its time (ca-evaluate.ts).
    return em.collection(c, '/auditLogs/signIns', withAppliedPolicies(em, shaped as SeedSignIn[], c.headers), { defaultTop: 1000 });
  });
}

/** The groups and directory roles an object belongs to, through nested groups. */
function transitiveMemberOf(em: GraphEmulator, objectId: string): Set<string> {
  const out = new Set<string>();
  const visit = (id: string) => {
    for (const g of em.state.groups) {
      if (g.members.includes(id) && !out.has(g.id)) {
        out.add(g.id);
        if (g.kind === 'group') visit(g.id);
      }
    }
  };
  visit(objectId);
  return out;
}
