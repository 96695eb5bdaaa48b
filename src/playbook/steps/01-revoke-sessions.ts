import { query, segment, withoutAnnotations } from '../../graph/odata';
import type { Step } from '../step';

interface SessionState {
  id: string;
  signInSessionsValidFromDateTime: string | null;
}

export const TOKEN_LIFETIME_NOTE =
  'Revoking invalidates refresh tokens and browser session cookies. Access tokens already issued stay valid until they expire (up to about 1 hour; sooner in apps that support continuous access evaluation).';

/** Step 1: revoke every sign-in session of the user (POST /users/{id}/revokeSignInSessions). */
export const revokeSessions: Step = {
  number: 1,
  kind: 'revokeSessions',
  name: 'Revoke sessions',

  async discover(_ctx, user) {
    // Always proposed: a compromised account's sessions are the attacker's foothold whatever else is found.
    return [{ objectId: user.id, title: `Sessions of ${user.displayName}`, reason: 'The attacker may hold a stolen session cookie or refresh token.' }];
  },

  plan(findings) {
    return findings.map((f) => ({ kind: 'revokeSessions', step: 1, objectId: f.objectId, title: 'Revoke all sessions', detail: TOKEN_LIFETIME_NOTE }));
  },

  async snapshot(ctx, action, { signal }) {
    return withoutAnnotations(await ctx.graph.get<SessionState>(`/users/${segment(action.objectId)}${query({ $select: 'id,signInSessionsValidFromDateTime' })}`, { signal, what: 'reading the session state' }));
  },

  async act(ctx, action, { signal }) {
    await ctx.graph.post(`/users/${segment(action.objectId)}/revokeSignInSessions`, {}, { signal, what: 'revoking sessions' });
    return { outcome: 'succeeded', message: 'All sessions revoked. Refresh tokens and session cookies no longer work; issued access tokens expire within about an hour.' };
  },

  async verify(ctx, action, evidence, { signal }) {
    const before = (evidence as SessionState | undefined)?.signInSessionsValidFromDateTime;
    const now = await ctx.graph.get<SessionState>(`/users/${segment(action.objectId)}${query({ $select: 'id,signInSessionsValidFromDateTime' })}`, { signal, what: 'verifying the revocation' });
    return Boolean(now.signInSessionsValidFromDateTime) && (!before || Date.parse(now.signInSessionsValidFromDateTime!) > Date.parse(before));
  },
};
