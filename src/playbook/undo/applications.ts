import { odataString } from '../../graph/odata';
import { failed, get, gone, ok, patch, post, query, seg } from '../steps/common';
import type { UndoHandler, UndoTarget } from './types';

/** Undo of "turn off sign-in for app": the service principal's accountEnabled back to true (serviceprincipal-update). */
export const enableServicePrincipal: UndoHandler = {
  kind: 'enableServicePrincipal',
  undoes: 'disableServicePrincipal',
  snapshot: (a) => get(`/servicePrincipals/${seg(a.objectId)}`),
  change: (a) => patch(`/servicePrincipals/${seg(a.objectId)}`, { accountEnabled: true }),
  outcome: (a, r) =>
    ok(r)
      ? { outcome: 'succeeded', message: `Sign-in to "${a.params.name}" turned back on.` }
      : r.status === 404
        ? gone(`App "${a.params.name}"`)
        : failed(r, `Sign-in to "${a.params.name}" could not be turned back on; do it in Enterprise applications > Properties.`),
  check: (a) => get(`/servicePrincipals/${seg(a.objectId)}${query({ $select: 'id,accountEnabled' })}`),
  verified: (_a, _e, r) => ok(r) && (r.body as { accountEnabled?: boolean })?.accountEnabled === true,
};

interface Grant {
  clientId: string;
  consentType: 'Principal' | 'AllPrincipals';
  principalId?: string | null;
  resourceId: string;
  scope: string;
}
const restored = (a: UndoTarget) => JSON.parse(a.params.restore) as Grant;
/** The grants of this client for this principal (or for everyone): where the re-created one appears. */
const sameClient = (a: UndoTarget) => {
  const g = restored(a);
  const who = g.consentType === 'Principal' ? `principalId eq ${odataString(g.principalId!)}` : `consentType eq 'AllPrincipals'`;
  return get(`/oauth2PermissionGrants${query({ $filter: `clientId eq ${odataString(g.clientId)} and ${who}` })}`);
};
const scopes = (s: string | undefined) => (s ?? '').split(' ').filter(Boolean);

/**
 * Undo of "remove consent": the delegated permission grant created again from the evidence snapshot, with the same
 * client, resource, scope, consent type and principal (oauth2permissiongrant-post; it gets a new id).
 */
export const recreateGrant: UndoHandler = {
  kind: 'recreateGrant',
  undoes: 'removeGrant',
  snapshot: sameClient,
  change: (a) => post('/oauth2PermissionGrants', restored(a)),
  outcome: (a, r) => {
    if (ok(r)) return { outcome: 'succeeded', message: `Consent to "${a.params.name}" re-created (${restored(a).scope}).` };
    // One grant per client, resource, consent type and principal: the user (or an admin) consented again meanwhile.
    if (r.status === 409)
      return {
        outcome: 'skipped',
        code: 'ALREADY_EXISTS',
        message: `A consent to "${a.params.name}" exists again already (given after it was removed); nothing was created. Compare its permissions in Enterprise applications > Permissions.`,
      };
    if (r.status === 404) return gone(`App "${a.params.name}" (or the API it was consented for)`);
    return failed(r, `The consent to "${a.params.name}" could not be re-created; the user (or an admin) can consent again.`);
  },
  check: sameClient,
  verified: (a, _e, r) => {
    const want = restored(a);
    return (
      ok(r) &&
      ((r.body as { value?: Grant[] })?.value ?? []).some(
        (g) =>
          g.resourceId === want.resourceId &&
          g.consentType === want.consentType &&
          scopes(want.scope).every((s) => scopes(g.scope).includes(s)),
      )
    );
  },
};
