import { odataString } from '../../graph/odata';
import type { Action } from '../../incidents/model';
import type { Answers } from '../answers';
import type { ProposedAction, StepModule } from '../types';
import {
  del,
  directoryAudits,
  failed,
  get,
  gone,
  inWindow,
  ok,
  patch,
  post,
  query,
  read,
  seg,
  suspiciousName,
  unreadNotes,
  userPath,
} from './common';
import { formatUtc } from '../../views/time';

interface KeyCredential {
  keyId: string;
  type?: string;
  usage?: string;
  key?: string | null;
  displayName?: string | null;
  customKeyIdentifier?: string | null;
  startDateTime?: string;
  endDateTime?: string;
}

const MAIL_SCOPES =
  /^(Mail\.(Read|ReadWrite|Send)(\.Shared)?|MailboxSettings\.ReadWrite|EWS\.AccessAsUser\.All|offline_access|full_access_as_user)$/i;
/** Tenants Microsoft's own apps are registered in: their consents are not the attacker's. */
export const MICROSOFT_TENANTS = new Set(['f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47']);

/** What step 7 reads of an app registration; keyCredentials selected so that the certificates come with their key. */
const APP_FIELDS = 'id,appId,displayName,createdDateTime,signInAudience,web,passwordCredentials,keyCredentials';
const SP_FIELDS = 'id,appId,displayName,accountEnabled,appOwnerOrganizationId,replyUrls,servicePrincipalType';

/** Object ids of the applications the user registered ("Add application" initiated by them, per the directory audit). */
function appsAddedBy(answers: Answers, userId: string): Set<string> {
  const added = answers
    .list('audits')
    .filter(
      (e) => e.activityDisplayName === 'Add application' && (e.initiatedBy as { user?: { id?: string } } | undefined)?.user?.id === userId,
    );
  return new Set(
    added.flatMap((e) =>
      ((e.targetResources as { id?: string; type?: string }[] | undefined) ?? [])
        .filter((t) => t.type === 'Application' && t.id)
        .map((t) => String(t.id)),
    ),
  );
}

/** The service principals behind the user's consents, by object id. */
const servicePrincipalsOf = (answers: Answers) => new Map(answers.withPrefix('sp:'));

/** App registrations in this tenant that the user added or consented to, by appId (read by object id or by appId). */
const applicationsOf = (answers: Answers) =>
  new Map([...answers.withPrefix('app:'), ...answers.withPrefix('appid:')].map(([, app]) => [String(app.appId), app]));

/**
 * Step 7: the user's consents and the apps behind them, plus apps the user registered. Contain turns sign-in off, removes
 * the grant and the app's secrets and certificates; it never deletes an app (the evidence the investigation needs).
 */
export const applicationsStep: StepModule = {
  number: 7,
  name: 'Applications',
  reads: {
    first: (scope) => [read('grants', `${userPath(scope)}/oauth2PermissionGrants`), directoryAudits(scope)],
    // Apps are found through the audit log and the consents: Graph does not list a user's owned objects to an app
    // (user-list-ownedobjects). Then the registrations behind consented apps that are not Microsoft's and not found by
    // object id (a foreign multi-tenant app answers 404: it has no registration in this tenant).
    next(answers, scope) {
      const spIds = [...new Set(answers.list('grants').map((g) => String(g.clientId)))];
      const applications = applicationsOf(answers);
      const foreign = [...servicePrincipalsOf(answers).values()].filter(
        (sp) => !MICROSOFT_TENANTS.has(String(sp.appOwnerOrganizationId)) && !applications.has(String(sp.appId)),
      );
      return [
        ...spIds.map((id) => read(`sp:${id}`, `/servicePrincipals/${seg(id)}${query({ $select: SP_FIELDS })}`)),
        ...[...appsAddedBy(answers, scope.user.id)].map((id) =>
          read(`app:${id}`, `/applications/${seg(id)}${query({ $select: APP_FIELDS })}`),
        ),
        ...foreign.map((sp) =>
          read(`appid:${sp.appId}`, `/applications(appId=${odataString(String(sp.appId))})${query({ $select: APP_FIELDS })}`),
        ),
      ];
    },
  },
  analyze(d, { user, window, attackerIps }) {
    const proposals: ProposedAction[] = [];
    const grants = d.answers.list('grants');
    const audits = d.answers.list('audits');
    const servicePrincipals = servicePrincipalsOf(d.answers);
    const applications = [...applicationsOf(d.answers).values()];
    const appsAddedByUser = appsAddedBy(d.answers, user.id);
    const audit = (activity: string, targetId: string) =>
      audits.find(
        (e) => e.activityDisplayName === activity && (e.targetResources as { id?: string }[] | undefined)?.some((t) => t.id === targetId),
      );
    const ownedAppIds = new Set(applications.filter((a) => appsAddedByUser.has(String(a.id))).map((a) => String(a.appId)));
    for (const g of grants) {
      const sp = servicePrincipals.get(String(g.clientId));
      const name = String(sp?.displayName ?? g.clientId);
      const scopes = String(g.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const timing: string[] = [];
      const traits: string[] = [];
      const consent = audit('Consent to application', String(g.clientId));
      if (consent && inWindow(consent.activityDateTime, window.start)) {
        const ip = (consent.initiatedBy as { user?: { ipAddress?: string } })?.user?.ipAddress;
        timing.push(
          `consent given ${formatUtc(String(consent.activityDateTime))}, inside the intrusion window${ip && attackerIps.has(ip) ? `, from attacker IP ${ip}` : ''}`,
        );
      }
      const added = audit('Add service principal', String(g.clientId));
      if (added && inWindow(added.activityDateTime, window.start))
        timing.push(`app added to the tenant ${formatUtc(String(added.activityDateTime))}`);
      const mail = scopes.filter((s) => MAIL_SCOPES.test(s));
      if (mail.length) traits.push(`mail permissions: ${mail.join(', ')}`);
      const odd = suspiciousName(name);
      if (odd) traits.push(odd);
      const replyUrls = (sp?.replyUrls as string[] | undefined) ?? [];
      if (replyUrls.some((u) => /^https?:\/\/(localhost|127\.0\.0\.1)/i.test(u))) traits.push('reply URL on localhost');
      if (sp && ownedAppIds.has(String(sp.appId))) traits.push(`registered by ${user.displayName} in this tenant`);
      const microsoft = sp && MICROSOFT_TENANTS.has(String(sp.appOwnerOrganizationId));
      // Timing alone or two independent traits: a lone trait (say, a mail scope) is how many honest apps look.
      if (microsoft || !(timing.length || traits.length >= 2)) continue;
      const reason = [...timing, ...traits].join('; ');
      if (sp && sp.accountEnabled !== false)
        proposals.push({
          kind: 'disableServicePrincipal',
          step: 7,
          objectId: String(sp.id),
          params: { name },
          title: `Turn off sign-in for app "${name}"`,
          detail:
            'Sets the service principal to accountEnabled=false: nobody in the tenant can sign in to it or use its tokens for new requests. The app is kept as evidence.',
          reason,
        });
      proposals.push({
        kind: 'removeGrant',
        step: 7,
        objectId: String(g.id),
        params: { name, scope: scopes.join(' ') },
        title: `Remove ${user.displayName}'s consent to "${name}"`,
        detail: `Deletes the delegated permission grant (${scopes.join(' ')}).`,
        reason,
      });
    }
    for (const app of applications) {
      const reasons: string[] = [];
      if (inWindow(app.createdDateTime, window.start))
        reasons.push(`registered ${formatUtc(String(app.createdDateTime))}, inside the intrusion window`);
      const odd = suspiciousName(app.displayName);
      if (odd) reasons.push(odd);
      const redirect = ((app.web as { redirectUris?: string[] } | undefined)?.redirectUris ?? []).filter((u) =>
        /localhost|127\.0\.0\.1/i.test(u),
      );
      if (redirect.length) reasons.push(`redirect URI on localhost (${redirect.join(', ')})`);
      if (!reasons.length || !(inWindow(app.createdDateTime, window.start) || reasons.length >= 2)) continue;
      const name = String(app.displayName);
      // An app registered in the window is the attacker's, credentials and all; an older one may be the user's own,
      // where only the credentials added in the window are the attacker's (removing the others breaks its owner).
      const attackers = inWindow(app.createdDateTime, window.start);
      const added = <T extends { startDateTime?: string }>(creds: T[] | undefined) =>
        (creds ?? []).filter((c) => attackers || inWindow(c.startDateTime, window.start));
      for (const p of added(
        app.passwordCredentials as { keyId: string; hint?: string; displayName?: string; startDateTime?: string }[] | undefined,
      ))
        proposals.push({
          kind: 'removeAppSecret',
          step: 7,
          objectId: String(app.id),
          params: { keyId: p.keyId, name, hint: p.hint ?? '' },
          title: `Remove secret "${p.displayName ?? p.hint ?? p.keyId}" of app "${name}"`,
          detail: 'Calls removePassword: the secret stops working at once. The app registration is kept.',
          reason: reasons.join('; '),
        });
      // One action for all of an app's certificates: Graph replaces keyCredentials as a whole, so two rewrites of the
      // same app, each leaving out its own certificate, would put back the one the other removed.
      const certs = added(app.keyCredentials as { keyId: string; displayName?: string; startDateTime?: string }[] | undefined);
      if (certs.length)
        proposals.push({
          kind: 'removeAppCertificate',
          step: 7,
          objectId: String(app.id),
          params: { keyIds: certs.map((k) => k.keyId).join(','), name },
          title: `Remove ${certs.length === 1 ? 'certificate' : `${certs.length} certificates`} ${certs.map((k) => `"${k.displayName ?? k.keyId}"`).join(', ')} of app "${name}"`,
          detail:
            "Rewrites keyCredentials without these certificates, sending the app's other certificates back whole with their key (Graph replaces the collection). removeKey would need a proof-of-possession token signed with the app's own private key, which Contain never has.",
          reason: reasons.join('; '),
        });
    }
    return {
      proposals,
      checked: `${grants.length} consent(s), ${applications.length} owned app(s)`,
      notes: unreadNotes(d.answers, 'grants', 'Consents'),
    };
  },
  handlers: [
    {
      kind: 'disableServicePrincipal',
      phase: 2,
      snapshot: (a) => get(`/servicePrincipals/${seg(a.objectId)}`),
      change: (a) => patch(`/servicePrincipals/${seg(a.objectId)}`, { accountEnabled: false }),
      outcome: (a, r) =>
        ok(r)
          ? { outcome: 'succeeded', message: `Sign-in to "${a.params.name}" turned off for the whole tenant.` }
          : r.status === 404
            ? gone(`App "${a.params.name}"`)
            : failed(r, `Sign-in to "${a.params.name}" could not be turned off; do it in Enterprise applications > Properties.`),
      check: (a) => get(`/servicePrincipals/${seg(a.objectId)}${query({ $select: 'id,accountEnabled' })}`),
      verified: (_a, _e, r) => ok(r) && (r.body as { accountEnabled?: boolean })?.accountEnabled === false,
    },
    {
      kind: 'removeGrant',
      phase: 2,
      snapshot: (a) => get(`/oauth2PermissionGrants/${seg(a.objectId)}`),
      change: (a) => del(`/oauth2PermissionGrants/${seg(a.objectId)}`),
      outcome: (a, r) =>
        ok(r)
          ? { outcome: 'succeeded', message: `Consent to "${a.params.name}" removed (${a.params.scope}).` }
          : r.status === 404
            ? gone(`The consent to "${a.params.name}"`)
            : failed(r, `The consent to "${a.params.name}" could not be removed; remove it in Enterprise applications > Permissions.`),
      check: (a) => get(`/oauth2PermissionGrants/${seg(a.objectId)}`),
      verified: (_a, _e, r) => r.status === 404,
    },
    {
      kind: 'removeAppSecret',
      phase: 2,
      snapshot: (a) => get(`/applications/${seg(a.objectId)}${query({ $select: 'id,appId,displayName,passwordCredentials' })}`),
      change: (a) => post(`/applications/${seg(a.objectId)}/removePassword`, { keyId: a.params.keyId }),
      outcome: (a, r) =>
        ok(r)
          ? { outcome: 'succeeded', message: `Secret ${a.params.hint ? `"${a.params.hint}…" ` : ''}of "${a.params.name}" removed.` }
          : r.status === 404
            ? gone(`App "${a.params.name}"`)
            : failed(r, `The secret of "${a.params.name}" could not be removed; delete it in App registrations > Certificates & secrets.`),
      check: (a) => get(`/applications/${seg(a.objectId)}${query({ $select: 'id,passwordCredentials' })}`),
      verified: (a, _e, r) =>
        ok(r) &&
        !((r.body as { passwordCredentials?: { keyId: string }[] })?.passwordCredentials ?? []).some((p) => p.keyId === a.params.keyId),
    },
    {
      kind: 'removeAppCertificate',
      phase: 2,
      snapshot: (a) => get(`/applications/${seg(a.objectId)}${query({ $select: 'id,appId,displayName,keyCredentials' })}`),
      // Graph takes keyCredentials as a whole collection: the certificates that stay are sent back as the snapshot read
      // them ($select=keyCredentials returns each one's key), so none is dropped or altered by the rewrite.
      change: (a, evidence) => {
        const keys = ((evidence as { keyCredentials?: KeyCredential[] })?.keyCredentials ?? []).filter(
          (k) => !certIds(a).includes(k.keyId),
        );
        return patch(`/applications/${seg(a.objectId)}`, {
          keyCredentials: keys.map(({ keyId, type, usage, key, displayName, customKeyIdentifier, startDateTime, endDateTime }) => ({
            keyId,
            type,
            usage,
            key,
            displayName,
            customKeyIdentifier,
            startDateTime,
            endDateTime,
          })),
        });
      },
      outcome: (a, r) => {
        if (ok(r))
          return {
            outcome: 'succeeded',
            message: `${certIds(a).length === 1 ? 'Certificate' : `${certIds(a).length} certificates`} removed from "${a.params.name}"; its other certificates are unchanged.`,
          };
        if (r.status === 404) return gone(`App "${a.params.name}"`);
        if (r.status === 400)
          return failed(
            r,
            `Graph would not rewrite the certificates of "${a.params.name}" (it needs every remaining certificate sent back with its key, and Contain could not read one), so nothing changed. Delete the certificate in App registrations > "${a.params.name}" > Certificates & secrets.`,
          );
        return failed(
          r,
          `The certificate of "${a.params.name}" could not be removed; delete it in App registrations > Certificates & secrets.`,
        );
      },
      check: (a) => get(`/applications/${seg(a.objectId)}${query({ $select: 'id,keyCredentials' })}`),
      verified: (a, _e, r) =>
        ok(r) && !((r.body as { keyCredentials?: { keyId: string }[] })?.keyCredentials ?? []).some((k) => certIds(a).includes(k.keyId)),
    },
  ],
};

/** The certificates one removeAppCertificate action takes off its app. */
const certIds = (a: Action) => (a.params.keyIds ?? '').split(',').filter(Boolean);
