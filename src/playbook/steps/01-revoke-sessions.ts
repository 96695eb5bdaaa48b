import type { StepModule } from '../types';
import { get, failed, ok, post, query, seg } from './common';

export const TOKEN_LIFETIME_NOTE =
  'Revoking invalidates refresh tokens and browser session cookies. Access tokens already issued stay valid until they expire (up to about 1 hour; sooner in apps that support continuous access evaluation).';

const state = (id: string) => get(`/users/${seg(id)}${query({ $select: 'id,signInSessionsValidFromDateTime' })}`);

/** Step 1: revoke every sign-in session (POST /users/{id}/revokeSignInSessions). Always proposed. */
export const revokeSessionsStep: StepModule = {
  number: 1,
  name: 'Revoke sessions',
  analyze: (_d, { user }) => ({
    proposals: [
      {
        kind: 'revokeSessions',
        step: 1,
        objectId: user.id,
        params: {},
        title: 'Revoke all sessions',
        detail: TOKEN_LIFETIME_NOTE,
        reason: 'The attacker may hold a stolen session cookie or refresh token.',
      },
    ],
    checked: 'always proposed for a compromised account',
    notes: [],
  }),
  handlers: [
    {
      kind: 'revokeSessions',
      phase: 1,
      snapshot: (a) => state(a.objectId),
      change: (a) => post(`/users/${seg(a.objectId)}/revokeSignInSessions`),
      outcome: (_a, r) =>
        ok(r)
          ? {
              outcome: 'succeeded',
              message:
                'All sessions revoked. Refresh tokens and session cookies no longer work; issued access tokens expire within about an hour.',
            }
          : failed(r, 'Sessions could not be revoked; revoke them in the Entra admin center.'),
      check: (a) => state(a.objectId),
      verified: (_a, evidence, r) => {
        const before = (evidence as { signInSessionsValidFromDateTime?: string })?.signInSessionsValidFromDateTime;
        const now = (r.body as { signInSessionsValidFromDateTime?: string })?.signInSessionsValidFromDateTime;
        return ok(r) && !!now && (!before || now > before);
      },
    },
  ],
};
