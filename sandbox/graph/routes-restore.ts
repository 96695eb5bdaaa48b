import { randomBytes } from 'node:crypto';
import { GraphHttpError, json, type GraphEmulator } from './emulator';
import { odataContext } from './http';
import { createMessageRule } from './create-objects';

/**
 * Routes that put back what containment took away: list and create delegated permission grants
 * (oauth2permissiongrant-list, oauth2permissiongrant-post) and create an inbox rule (mailfolder-post-messagerules).
 */
export function registerRestoreRoutes(em: GraphEmulator): void {
  const s = () => em.state;

  em.on('GET', '/oauth2PermissionGrants', (c) =>
    em.collection(
      c,
      '/oauth2PermissionGrants',
      s().grants.map((g) => g.data),
    ),
  );

  // oauth2permissiongrant-post: 201 Created with the grant. clientId and resourceId are service principals; consentType
  // AllPrincipals has no principalId, Principal needs one. One grant per client, resource, consent type and principal:
  // a second is refused 409 "Permission entry already exists." (the docs are silent; public reports quote that
  // message with code Request_MultipleObjectsWithSameKeyValue, some with Request_BadRequest).
  em.on('POST', '/oauth2PermissionGrants', (c) => {
    const b = (c.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' && (b[k] as string).length > 0 ? (b[k] as string) : undefined);
    const [clientId, resourceId, consentType, principalId, scope] = ['clientId', 'resourceId', 'consentType', 'principalId', 'scope'].map(
      str,
    );
    if (!clientId || !resourceId || !consentType)
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'One or more properties are missing: clientId, consentType and resourceId are required.',
      );
    if (consentType !== 'Principal' && consentType !== 'AllPrincipals')
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        `Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.`,
      );
    if (consentType === 'Principal' && !principalId)
      throw new GraphHttpError(400, 'Request_BadRequest', "A principalId is required when consentType is 'Principal'.");
    if (consentType === 'AllPrincipals' && principalId)
      throw new GraphHttpError(400, 'Request_BadRequest', "principalId must be null when consentType is 'AllPrincipals'.");
    for (const id of [clientId, resourceId])
      if (!s().servicePrincipals.some((p) => p.data.id === id))
        throw new GraphHttpError(
          404,
          'Request_ResourceNotFound',
          `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
        );
    if (principalId) em.user(principalId);
    const same = s().grants.find(
      (g) =>
        g.data.clientId === clientId &&
        g.data.resourceId === resourceId &&
        g.data.consentType === consentType &&
        (g.data.principalId ?? null) === (principalId ?? null),
    );
    if (same) throw new GraphHttpError(409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.');
    const data = {
      id: randomBytes(33).toString('base64url').slice(0, 43),
      clientId,
      consentType,
      principalId: principalId ?? null,
      resourceId,
      scope: scope ?? '',
    };
    s().grants.push({ data });
    return json(201, { '@odata.context': odataContext(c, 'oauth2PermissionGrants/$entity'), ...data });
  });

  // mailfolder-post-messagerules: 201 Created with the rule and a new id (create-objects.ts has the rules).
  em.on('POST', '/users/{id}/mailFolders/inbox/messageRules', (c, m) => {
    const u = em.user(m[1]);
    const data = createMessageRule(s(), u.id, (c.body ?? {}) as Record<string, unknown>);
    return json(201, { '@odata.context': odataContext(c, `users('${u.id}')/mailFolders('inbox')/messageRules/$entity`), ...data });
  });
}
