import { json, type GraphEmulator } from './emulator';
import { notFound, odataContext, select } from './http';
import {
  EXCHANGE_APP_ID,
  EXCHANGE_APP_ROLES,
  EXCHANGE_SP_ID,
  GRAPH_APP_ID,
  GRAPH_SP_ID,
  ROLE_TEMPLATES,
  SANDBOX_APP,
  nameGuid,
} from './app-identity';
import { GRAPH_PERMISSIONS } from './app-rules';

/**
 * What `contain doctor` reads about Contain's own app, with Graph's shapes: its service principal (by appId), its app
 * role assignments on Microsoft Graph, its directory role assignments, Microsoft Graph's appRoles (to map role ids
 * to permission names) and the tenant's subscriptions. All derived from /sandbox/app and /sandbox/tenant, so what
 * doctor reports is what the routes enforce.
 */
export function registerIdentityRoutes(em: GraphEmulator): void {
  const s = () => em.state;
  const appRoles = () =>
    GRAPH_PERMISSIONS.map((value) => ({
      allowedMemberTypes: ['Application'],
      description: `Allows the app to use ${value} without a signed-in user.`,
      displayName: value,
      id: nameGuid(value),
      isEnabled: true,
      origin: 'Application',
      value,
    }));
  const spData = (p: { data: Record<string, unknown> }) =>
    p.data.appId === GRAPH_APP_ID
      ? { ...p.data, appRoles: appRoles() }
      : p.data.appId === EXCHANGE_APP_ID
        ? { ...p.data, appRoles: EXCHANGE_APP_ROLES }
        : p.data;

  em.on('GET', "/servicePrincipals\\(appId='{appId}'\\)", (c, m) => {
    const appId = decodeURIComponent(m[1]);
    const p = s().servicePrincipals.find((x) => x.data.appId === appId);
    if (!p) throw notFound(`servicePrincipals(appId='${appId}')`);
    return json(200, { '@odata.context': odataContext(c, 'servicePrincipals/$entity'), ...select(spData(p), c.query) });
  });

  em.on('GET', '/servicePrincipals/{id}/appRoleAssignments', (c, m) => {
    const id = decodeURIComponent(m[1]);
    const p = s().servicePrincipals.find((x) => x.data.id === id);
    if (!p) throw notFound(id);
    const mine = id === SANDBOX_APP.servicePrincipalId ? s().app.permissions : [];
    const created = String(p.data.createdDateTime ?? new Date(em.clock()).toISOString());
    const value = mine.map((perm) => ({
      id: nameGuid(`${id}:${perm}`),
      deletedDateTime: null,
      appRoleId: nameGuid(perm),
      createdDateTime: created,
      principalDisplayName: p.data.displayName,
      principalId: id,
      principalType: 'ServicePrincipal',
      resourceDisplayName: 'Microsoft Graph',
      resourceId: GRAPH_SP_ID,
    }));
    // And Office 365 Exchange Online's (Exchange.ManageAsApp), for the Exchange admin API.
    const exchange = (id === SANDBOX_APP.servicePrincipalId ? (s().app.exchange?.permissions ?? []) : []).flatMap((perm) => {
      const r = EXCHANGE_APP_ROLES.find((x) => x.value === perm);
      return r
        ? [
            {
              id: nameGuid(`${id}:${perm}`),
              appRoleId: r.id,
              principalDisplayName: p.data.displayName,
              principalId: id,
              principalType: 'ServicePrincipal',
              resourceDisplayName: 'Office 365 Exchange Online',
              resourceId: EXCHANGE_SP_ID,
              createdDateTime: created,
              deletedDateTime: null,
            },
          ]
        : [];
    });
    return em.collection(c, `/servicePrincipals/${id}/appRoleAssignments`, [...value, ...exchange]);
  });

  // Built-in roles: roleDefinitionId is the role template id. Contain's app from /sandbox/app; people from the seed.
  em.on('GET', '/roleManagement/directory/roleAssignments', (c) => {
    const expand = (c.query.get('$expand') ?? '').split(',').map((x) => x.trim());
    const assignment = (principalId: string, role: string) => {
      const templateId = ROLE_TEMPLATES[role];
      return {
        id: nameGuid(`${principalId}:${role}`),
        principalId,
        roleDefinitionId: templateId,
        directoryScopeId: '/',
        ...(expand.includes('roleDefinition')
          ? { roleDefinition: { id: templateId, displayName: role, isBuiltIn: true, isEnabled: true, templateId } }
          : {}),
      };
    };
    const people = s()
      .groups.filter((g) => g.kind === 'directoryRole')
      .flatMap((g) => g.members.map((u) => assignment(u, g.displayName)));
    const app = s().app.directoryRoles.map((r) => assignment(SANDBOX_APP.servicePrincipalId, r));
    return em.collection(c, '/roleManagement/directory/roleAssignments', [...app, ...people]);
  });

  em.on('GET', '/subscribedSkus', (c) => json(200, { '@odata.context': odataContext(c, 'subscribedSkus'), value: s().subscribedSkus }));
}
