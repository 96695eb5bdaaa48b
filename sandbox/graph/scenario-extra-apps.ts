import { GRAPH_SP_ID } from './app-identity';
import { TENANT_ID } from './ids';
import type { Builders } from './scenario-extra-builders';
import { CERT, FOREIGN_TENANTS, HOUR, iso, pad, pick } from './scenario-extra-data';

/**
 * One suspicious app for `b`'s user: consents (k % 6 in 0-2: in the window; punctuation name and mail scopes; localhost
 * reply URL) and registrations (3-5). Returns the consent's grant id or the registration's application object id.
 */
export function addApp(b: Builders, k: number, at: number): string {
  const n =
    b.seq(
      '5b0e0000-',
      b.s.servicePrincipals.map((p) => String(p.data.id)),
    ) +
    b.seq(
      'a99e0000-',
      b.s.applications.map((a) => String(a.data.id)),
    );
  const spId = `5b0e0000-0000-4000-8000-${pad(n)}`;
  const appObjectId = `a99e0000-0000-4000-8000-${pad(n)}`;
  const appId = `a9a1d000-0000-4000-8000-${pad(n)}`;
  const sp = (displayName: string, owner: string, replyUrls: string[]) =>
    b.s.servicePrincipals.push({
      data: {
        id: spId,
        appId,
        displayName,
        accountEnabled: true,
        appOwnerOrganizationId: owner,
        servicePrincipalType: 'Application',
        replyUrls,
        tags: [],
      },
    });
  const grant = (scope: string) => {
    const id = `gX${pad(n)}${'0'.repeat(29)}`;
    b.s.grants.push({
      data: { id, clientId: spId, consentType: 'Principal', principalId: b.user.id, resourceId: GRAPH_SP_ID, scope },
    });
    return id;
  };
  const spTarget = (displayName: string) => ({ id: spId, displayName, type: 'ServicePrincipal' });
  const secret = (start: number, hint: string) => ({
    keyId: `ce5e0000-0000-4000-8000-${pad(n * 2 + (start < at ? 0 : 1))}`,
    displayName: 'key',
    hint,
    startDateTime: iso(start),
    endDateTime: iso(start + 730 * 24 * HOUR),
    secretText: null,
  });
  const register = (displayName: string, created: number, redirectUris: string[], credentials: Record<string, unknown>) => {
    b.s.applications.push({
      ownerIds: [b.user.id],
      data: {
        id: appObjectId,
        appId,
        displayName,
        createdDateTime: iso(created),
        signInAudience: 'AzureADMultipleOrgs',
        web: { redirectUris },
        passwordCredentials: [],
        keyCredentials: [],
        ...credentials,
      },
    });
    return appObjectId;
  };
  switch (k % 6) {
    case 0: {
      const name = pick(['Mail Backup Pro', 'PDF Reader Online', 'Secure Docs Viewer'], n);
      sp(name, pick(FOREIGN_TENANTS, n), [`https://${name.toLowerCase().replace(/ /g, '-')}.example/auth`]);
      b.audit(at, 'ApplicationManagement', 'Add service principal', spTarget(name), {
        additionalDetails: [{ key: 'AppId', value: appId }],
      });
      b.audit(at + 60_000, 'ApplicationManagement', 'Consent to application', spTarget(name), {
        operationType: 'Assign',
        additionalDetails: [
          { key: 'AppId', value: appId },
          { key: 'ConsentType', value: 'Principal' },
        ],
      });
      return grant('Mail.Read offline_access User.Read');
    }
    case 1:
      sp(pick(['...', '-', '_', '..'], n), pick(FOREIGN_TENANTS, n + 1), ['https://login.app-consent.example/callback']);
      return grant('Mail.ReadWrite Mail.Send User.Read');
    case 2:
      sp('Outlook Sync Tool', pick(FOREIGN_TENANTS, n + 2), [`http://localhost:${8400 + n}/`]);
      return grant('EWS.AccessAsUser.All offline_access openid');
    case 3: {
      const name = pick(['Docs Viewer', 'Teams Helper', 'Invoice App'], n);
      b.audit(
        at,
        'ApplicationManagement',
        'Add application',
        { id: appObjectId, displayName: name, type: 'Application' },
        { additionalDetails: [{ key: 'AppId', value: appId }] },
      );
      return register(name, at, [`http://localhost:${3000 + n}/auth`], { passwordCredentials: [secret(at, 'Qx~')] });
    }
    case 4: {
      b.audit(
        at,
        'ApplicationManagement',
        'Add application',
        { id: appObjectId, displayName: ':', type: 'Application' },
        { additionalDetails: [{ key: 'AppId', value: appId }] },
      );
      const key = {
        keyId: `ce5e0000-0000-4000-8000-${pad(n * 2 + 1)}`,
        displayName: 'CN=:',
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        startDateTime: iso(at),
        endDateTime: iso(at + 365 * 24 * HOUR),
        customKeyIdentifier: null,
        key: CERT,
      };
      return register(':', at, ['https://jwt.ms'], { keyCredentials: [key] });
    }
    default: {
      // The user's own old app, consented long ago: only the secret the attacker added in the window is theirs.
      const created = b.now - 200 * 24 * HOUR;
      sp('zz', TENANT_ID, [`http://localhost:${5000 + n}/`]);
      grant('User.Read offline_access');
      b.audit(
        at,
        'ApplicationManagement',
        'Update application – Certificates and secrets management ',
        { id: appObjectId, displayName: 'zz', type: 'Application' },
        { operationType: 'Update' },
      );
      return register('zz', created, [`http://localhost:${5000 + n}/`], {
        passwordCredentials: [secret(created, 'old'), secret(at, 'N7~')],
      });
    }
  }
}
