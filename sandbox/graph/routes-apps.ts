import { randomUUID } from 'node:crypto';
import { GraphHttpError, json, type Call, type GraphEmulator } from './emulator';
import { byId, notFound } from './http';

/** Step 7: consents, the service principals behind them, and app registrations with their secrets and certificates. */
export function registerAppRoutes(em: GraphEmulator): void {
  const s = () => em.state;
  em.on('GET', '/users/{id}/oauth2PermissionGrants', (c, m) => {
    const u = em.user(m[1]);
    return em.collection(
      c,
      `/users/${u.id}/oauth2PermissionGrants`,
      s()
        .grants.filter((g) => g.data.principalId === u.id)
        .map((g) => g.data),
    );
  });
  const grant = (id: string) => byId(s().grants, id);
  em.on('GET', '/oauth2PermissionGrants/{id}', (_c, m) => json(200, grant(decodeURIComponent(m[1])).data));
  em.on('DELETE', '/oauth2PermissionGrants/{id}', (_c, m) => {
    s().grants.splice(s().grants.indexOf(grant(decodeURIComponent(m[1]))), 1);
    return json(204);
  });
  const sp = (id: string) => byId(s().servicePrincipals, id);
  em.on('GET', '/servicePrincipals/{id}', (_c, m) => json(200, sp(decodeURIComponent(m[1])).data));
  em.on('PATCH', '/servicePrincipals/{id}', (c, m) => {
    const x = sp(decodeURIComponent(m[1]));
    const body = c.body as { accountEnabled?: boolean };
    if (typeof body?.accountEnabled === 'boolean') x.data.accountEnabled = body.accountEnabled;
    return json(204);
  });
  em.on('GET', '/users/{id}/ownedObjects/microsoft.graph.application', (c, m) => {
    const u = em.user(m[1]);
    return em.collection(
      c,
      `/users/${u.id}/ownedObjects/microsoft.graph.application`,
      s()
        .applications.filter((a) => a.ownerIds.includes(u.id))
        .map((a) => ({ '@odata.type': '#microsoft.graph.application', ...applicationView(a.data, c) })),
    );
  });
  const app = (id: string) => byId(s().applications, id);
  em.on('GET', '/applications/{id}', (c, m) => json(200, applicationView(app(decodeURIComponent(m[1])).data, c)));
  em.on('GET', "/applications\\(appId='{appId}'\\)", (c, m) => {
    const appId = decodeURIComponent(m[1]);
    const a = s().applications.find((x) => x.data.appId === appId);
    if (!a) throw notFound(`applications(appId='${appId}')`);
    return json(200, applicationView(a.data, c));
  });
  em.on('POST', '/applications/{id}/removePassword', (c, m) => {
    const a = app(decodeURIComponent(m[1]));
    const keyId = (c.body as { keyId?: string })?.keyId;
    const creds = a.data.passwordCredentials as { keyId: string }[];
    const i = creds.findIndex((p) => p.keyId === keyId);
    if (i < 0) throw new GraphHttpError(400, 'Request_BadRequest', `No password credential found with keyId '${keyId}'.`);
    creds.splice(i, 1);
    return json(204);
  });
  // keyCredentials is replaced as a whole collection (application-update). Each credential carries its certificate
  // (`key`), with type/usage AsymmetricX509Cert/Verify or X509CertAndPassword/Sign; an existing keyId may not change
  // its key. A bare {keyId} is refused: Graph cannot keep a certificate it is not given (keycredential: `key` is
  // returned only on $select, so a client can always send it back).
  em.on('PATCH', '/applications/{id}', (c, m) => {
    const a = app(decodeURIComponent(m[1]));
    const body = (c.body ?? {}) as { keyCredentials?: unknown };
    if (body.keyCredentials !== undefined)
      a.data.keyCredentials = replacedKeys(a.data.keyCredentials as KeyCredential[], body.keyCredentials);
    return json(204);
  });
}

interface KeyCredential {
  keyId: string;
  type: string;
  usage: string;
  key: string | null;
  displayName?: string | null;
  customKeyIdentifier?: string | null;
  startDateTime?: string;
  endDateTime?: string;
}

/** An application as Graph returns it: certificate `key`s only when keyCredentials is $selected, else null. */
function applicationView(data: Record<string, unknown>, c: Call): Record<string, unknown> {
  const sel = c.query
    .get('$select')
    ?.split(',')
    .map((k) => k.trim());
  const withKeys = !!sel?.includes('keyCredentials');
  const shaped = {
    ...data,
    keyCredentials: ((data.keyCredentials as KeyCredential[] | undefined) ?? []).map((k) => ({ ...k, key: withKeys ? k.key : null })),
  };
  return sel ? Object.fromEntries(sel.filter((k) => k in shaped).map((k) => [k, (shaped as Record<string, unknown>)[k]])) : shaped;
}

const PAIRS = new Set(['AsymmetricX509Cert/Verify', 'X509CertAndPassword/Sign']);

/** The new keyCredentials collection, or Graph's 400 for a payload it would not accept. */
function replacedKeys(existing: KeyCredential[], input: unknown): KeyCredential[] {
  if (!Array.isArray(input))
    throw new GraphHttpError(400, 'BadRequest', 'Property keyCredentials in payload has a value that does not match schema.');
  return input.map((raw: Partial<KeyCredential>) => {
    if (!raw || typeof raw !== 'object')
      throw new GraphHttpError(400, 'BadRequest', 'Property keyCredentials in payload has a value that does not match schema.');
    if (!PAIRS.has(`${raw.type}/${raw.usage}`))
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'The value for the property "usage" in one of your credentials is invalid. Acceptable values are Sign, Verify.',
      );
    if (typeof raw.key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw.key))
      throw new GraphHttpError(400, 'Request_BadRequest', "Invalid value specified for property 'key' of resource 'KeyCredential'.");
    const old = raw.keyId ? existing.find((k) => k.keyId === raw.keyId) : undefined;
    if (old && old.key !== raw.key)
      throw new GraphHttpError(400, 'Request_BadRequest', `Update to existing credential with KeyId '${raw.keyId}' is not allowed.`);
    return { ...old, ...raw, keyId: raw.keyId ?? randomUUID(), type: raw.type!, usage: raw.usage!, key: raw.key };
  });
}
