import { GraphHttpError, json, type GraphEmulator } from './emulator';
import { createEmailMethod, createPhoneMethod } from './create-objects';
import { byId, notFound, odataContext } from './http';
import { registerAppRoutes } from './routes-apps';

const METHOD_SEGMENTS: Record<string, string> = {
  phoneMethods: 'phone',
  microsoftAuthenticatorMethods: 'microsoftAuthenticator',
  fido2Methods: 'fido2',
  emailMethods: 'email',
  softwareOathMethods: 'softwareOath',
  temporaryAccessPassMethods: 'temporaryAccessPass',
  windowsHelloForBusinessMethods: 'windowsHelloForBusiness',
  passwordMethods: 'password',
};

/** Steps 2-7: password, authentication methods, devices, inbox rules and folders, consents, apps, directory audits. */
export function registerContainmentRoutes(em: GraphEmulator): void {
  const s = () => em.state;

  // Step 2: password reset by PATCH passwordProfile; synced users answer 400 as Graph does.
  em.on('PATCH', '/users/{id}', (c, m) => {
    const u = em.user(m[1]);
    const body = (c.body ?? {}) as Record<string, unknown>;
    if (body.passwordProfile) {
      if (u.onPremisesSyncEnabled)
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
        );
      const p = body.passwordProfile as { password?: string };
      if (!p.password || p.password.length < 8)
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          'The specified password does not comply with password complexity requirements. Please provide a different password.',
        );
      u.lastPasswordChangeDateTime = new Date().toISOString();
    }
    if (typeof body.accountEnabled === 'boolean') u.accountEnabled = body.accountEnabled;
    return json(204);
  });

  // Step 3: authentication methods.
  em.on('GET', '/users/{id}/authentication/methods', (c, m) => {
    const u = em.user(m[1]);
    return json(200, {
      '@odata.context': odataContext(c, `users('${u.id}')/authentication/methods`),
      value: s()
        .methods.filter((x) => x.userId === u.id)
        .map((x) => x.data),
    });
  });
  const methodOf = (userId: string, seg: string, id: string) => {
    const type = METHOD_SEGMENTS[seg];
    if (!type) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${seg}'.`);
    const found = s().methods.find((x) => x.userId === userId && x.type === type && x.id === id);
    if (!found) throw notFound(id);
    return found;
  };
  // The methods an app may add for a user (authentication-post-phonemethods, -emailmethods): 201 with the method.
  // Microsoft Authenticator, FIDO2, Windows Hello and software OATH methods have no create call in v1.0.
  for (const [segment, create] of [
    ['phoneMethods', createPhoneMethod],
    ['emailMethods', createEmailMethod],
  ] as const) {
    em.on('POST', `/users/{id}/authentication/${segment}`, (c, m) => {
      const u = em.user(m[1]);
      return json(201, {
        '@odata.context': odataContext(c, `users('${u.id}')/authentication/${segment}/$entity`),
        ...create(s(), u.id, (c.body ?? {}) as Record<string, unknown>),
      });
    });
  }
  em.on('GET', '/users/{id}/authentication/{type}/{methodId}', (_c, m) =>
    json(200, methodOf(em.user(m[1]).id, m[2], decodeURIComponent(m[3])).data),
  );
  em.on('DELETE', '/users/{id}/authentication/{type}/{methodId}', (_c, m) => {
    const u = em.user(m[1]);
    const method = methodOf(u.id, m[2], decodeURIComponent(m[3]));
    if (method.type === 'password') throw new GraphHttpError(400, 'badRequest', 'The password authentication method cannot be deleted.');
    const others = s().methods.filter((x) => x.userId === u.id && x !== method && x.type !== 'password');
    if (method.isDefault && others.length > 0)
      throw new GraphHttpError(
        400,
        'badRequest',
        'The default authentication method cannot be deleted while other methods are registered. Change the default method first.',
      );
    s().methods.splice(s().methods.indexOf(method), 1);
    return json(204);
  });

  // Step 4: devices. "In application-only scenarios and for non-Windows devices ... the app can update only the
  // extensionAttributes property" (device-update); Graph answers 400 Request_BadRequest (exact message unverified).
  for (const rel of ['registeredDevices', 'ownedDevices']) {
    em.on('GET', `/users/{id}/${rel}`, (c, m) => {
      const u = em.user(m[1]);
      return em.collection(
        c,
        `/users/${u.id}/${rel}`,
        s()
          .devices.filter((d) => d.ownerId === u.id)
          .map((d) => d.data),
      );
    });
  }
  const device = (id: string) => byId(s().devices, id);
  em.on('GET', '/devices/{id}', (_c, m) => json(200, device(decodeURIComponent(m[1])).data));
  em.on('PATCH', '/devices/{id}', (c, m) => {
    const d = device(decodeURIComponent(m[1]));
    const body = c.body as { accountEnabled?: boolean };
    if (!/^windows/i.test(String(d.data.operatingSystem)) && Object.keys(body ?? {}).some((k) => k !== 'extensionAttributes'))
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        'Properties other than extensionAttributes cannot be updated on non-Windows devices by an application.',
      );
    if (typeof body?.accountEnabled === 'boolean') d.data.accountEnabled = body.accountEnabled;
    return json(204);
  });

  // Step 5: inbox rules and folders.
  const rules = (userId: string) => s().rules.filter((r) => r.userId === userId);
  em.on('GET', '/users/{id}/mailFolders/inbox/messageRules', (c, m) => {
    const u = em.user(m[1]);
    return json(200, {
      '@odata.context': odataContext(c, `users('${u.id}')/mailFolders('inbox')/messageRules`),
      value: rules(u.id).map((r) => r.data),
    });
  });
  const rule = (userId: string, id: string) => {
    const r = rules(userId).find((x) => x.data.id === id);
    if (!r) throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return r;
  };
  em.on('GET', '/users/{id}/mailFolders/inbox/messageRules/{ruleId}', (_c, m) =>
    json(200, rule(em.user(m[1]).id, decodeURIComponent(m[2])).data),
  );
  em.on('PATCH', '/users/{id}/mailFolders/inbox/messageRules/{ruleId}', (c, m) => {
    const r = rule(em.user(m[1]).id, decodeURIComponent(m[2]));
    Object.assign(r.data, c.body as object);
    return json(200, r.data);
  });
  em.on('DELETE', '/users/{id}/mailFolders/inbox/messageRules/{ruleId}', (_c, m) => {
    const r = rule(em.user(m[1]).id, decodeURIComponent(m[2]));
    s().rules.splice(s().rules.indexOf(r), 1);
    return json(204);
  });
  em.on('GET', '/users/{id}/mailFolders', (c, m) => {
    const u = em.user(m[1]);
    return em.collection(
      c,
      `/users/${u.id}/mailFolders`,
      s()
        .folders.filter((f) => f.userId === u.id)
        .map((f) => ({ id: f.id, displayName: f.displayName, parentFolderId: 'root' })),
    );
  });
  em.on('GET', '/users/{id}/mailFolders/{folderId}', (_c, m) => {
    const u = em.user(m[1]);
    const key = decodeURIComponent(m[2]);
    const f = s().folders.find((x) => x.userId === u.id && (x.id === key || x.wellKnown === key.toLowerCase()));
    if (!f) throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return json(200, {
      id: f.id,
      displayName: f.displayName,
      parentFolderId: 'root',
      childFolderCount: 0,
      unreadItemCount: 0,
      totalItemCount: 0,
    });
  });

  // Transitive members of a group (users only, as $select=id on microsoft.graph.user returns them).
  em.on('GET', '/groups/{id}/transitiveMembers/microsoft.graph.user', (c, m) => {
    const id = decodeURIComponent(m[1]);
    const group = s().groups.find((g) => g.id === id && g.kind === 'group');
    if (!group) throw notFound(id);
    const users = new Set<string>();
    const visit = (gid: string) => {
      for (const member of s().groups.find((g) => g.id === gid)?.members ?? []) {
        if (s().groups.some((g) => g.id === member)) visit(member);
        else users.add(member);
      }
    };
    visit(id);
    return em.collection(
      c,
      `/groups/${id}/transitiveMembers`,
      [...users].map((u) => ({ '@odata.type': '#microsoft.graph.user', id: u })),
    );
  });

  // Posture: Conditional Access policies (Policy.Read.All; Entra ID P1) and the authorization policy.
  em.on('GET', '/identity/conditionalAccess/policies', (c) =>
    em.collection(c, '/identity/conditionalAccess/policies', s().conditionalAccessPolicies),
  );
  em.on('GET', '/policies/authorizationPolicy', (c) =>
    json(200, { '@odata.context': `${c.base}/${c.version}/$metadata#policies/authorizationPolicy/$entity`, ...s().authorizationPolicy }),
  );

  // Directory audit: timing of consents, service principals and security-info registrations.
  em.on('GET', '/auditLogs/directoryAudits', (c) => {
    const rows = [...s().audits.map((a) => a.data)].sort((a, b) => String(b.activityDateTime).localeCompare(String(a.activityDateTime)));
    return em.collection(c, '/auditLogs/directoryAudits', rows, { defaultTop: 1000 });
  });
  registerAppRoutes(em);
}
