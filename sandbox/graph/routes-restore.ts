import { randomBytes } from 'node:crypto';
import { GraphHttpError, json, type GraphEmulator } from './emulator';

const ctx = (base: string, version: string, what: string) => `${base}/${version}/$metadata#${what}`;

/**
 * Routes that put back what containment took away: list and create delegated permission grants
 * (oauth2permissiongrant-list, oauth2permissiongrant-post) and create an inbox rule (mailfolder-post-messagerules).
 */
export function registerRestoreRoutes(em: GraphEmulator): void {
  const s = () => em.state;

  em.on('GET', '/oauth2PermissionGrants', (c) => em.collection(c, '/oauth2PermissionGrants', s().grants.map((g) => g.data)));

  // oauth2permissiongrant-post: 201 Created with the grant. clientId and resourceId are service principals; consentType
  // AllPrincipals has no principalId, Principal needs one. One grant per client, resource, consent type and principal:
  // a second is refused 409 "Permission entry already exists." (the docs are silent; public reports quote that
  // message with code Request_MultipleObjectsWithSameKeyValue, some with Request_BadRequest).
  em.on('POST', '/oauth2PermissionGrants', (c) => {
    const b = (c.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' && (b[k] as string).length > 0 ? (b[k] as string) : undefined);
    const [clientId, resourceId, consentType, principalId, scope] = ['clientId', 'resourceId', 'consentType', 'principalId', 'scope'].map(str);
    if (!clientId || !resourceId || !consentType) throw new GraphHttpError(400, 'Request_BadRequest', 'One or more properties are missing: clientId, consentType and resourceId are required.');
    if (consentType !== 'Principal' && consentType !== 'AllPrincipals') throw new GraphHttpError(400, 'Request_BadRequest', `Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.`);
    if (consentType === 'Principal' && !principalId) throw new GraphHttpError(400, 'Request_BadRequest', "A principalId is required when consentType is 'Principal'.");
    if (consentType === 'AllPrincipals' && principalId) throw new GraphHttpError(400, 'Request_BadRequest', "principalId must be null when consentType is 'AllPrincipals'.");
    for (const id of [clientId, resourceId]) if (!s().servicePrincipals.some((p) => p.data.id === id)) throw new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    if (principalId) em.user(principalId);
    const same = s().grants.find((g) => g.data.clientId === clientId && g.data.resourceId === resourceId && g.data.consentType === consentType && (g.data.principalId ?? null) === (principalId ?? null));
    if (same) throw new GraphHttpError(409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.');
    const data = { id: randomBytes(33).toString('base64url').slice(0, 43), clientId, consentType, principalId: principalId ?? null, resourceId, scope: scope ?? '' };
    s().grants.push({ data });
    return json(201, { '@odata.context': ctx(c.base, c.version, 'oauth2PermissionGrants/$entity'), ...data });
  });

  // mailfolder-post-messagerules: displayName, sequence and actions are required; 201 Created with the rule and a
  // new id. Outlook's refusal bodies are not documented: the sandbox answers 400 ErrorInvalidRequest naming the gap.
  em.on('POST', '/users/{id}/mailFolders/inbox/messageRules', (c, m) => {
    const u = em.user(m[1]);
    const b = (c.body ?? {}) as Record<string, unknown>;
    if (typeof b.displayName !== 'string' || !b.displayName) throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The displayName property is required.');
    if (!Number.isInteger(b.sequence) || (b.sequence as number) < 1) throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The sequence property is required and must be a positive integer.');
    if (!b.actions || typeof b.actions !== 'object') throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The actions property is required.');
    const actions = b.actions as Record<string, unknown>;
    for (const k of ['moveToFolder', 'copyToFolder']) {
      const folder = actions[k];
      if (folder !== undefined && folder !== null && !s().folders.some((f) => f.userId === u.id && f.id === folder)) throw new GraphHttpError(400, 'ErrorItemNotFound', 'The specified folder could not be found in the store.');
    }
    const data: Record<string, unknown> = {
      id: `AQAAA${randomBytes(5).toString('base64').replace(/[+/=]/g, 'A')}=`,
      displayName: b.displayName,
      sequence: b.sequence,
      isEnabled: b.isEnabled ?? true,
      hasError: false,
      isReadOnly: false,
      conditions: b.conditions ?? {},
      actions,
      ...(b.exceptions ? { exceptions: b.exceptions } : {}),
    };
    s().rules.push({ userId: u.id, data });
    return json(201, { '@odata.context': ctx(c.base, c.version, `users('${u.id}')/mailFolders('inbox')/messageRules/$entity`), ...data });
  });
}
