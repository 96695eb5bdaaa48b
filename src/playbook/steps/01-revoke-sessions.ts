import type { AnalyzeContext, ProposedAction, StepModule } from '../types';
import { get, failed, ok, post, query, seg } from './common';

export const TOKEN_LIFETIME_NOTE =
  'Revoking invalidates refresh tokens and browser session cookies. Access tokens already issued stay valid until they expire (up to about 1 hour; sooner in apps that support continuous access evaluation).';

const state = (id: string) => get(`/users/${seg(id)}${query({ $select: 'id,signInSessionsValidFromDateTime' })}`);

/**
 * Step 1's optional action, proposed when Identity Protection itself reported the user: the alert poll raises its
 * signal only for a risky user at high risk and still atRisk (src/alerts/sources.ts), so the signal is the evidence and
 * no further read is made; a plain `contain` reads no risk, and proposes nothing more.
 */
export function confirmCompromisedProposal({ user, alert }: Pick<AnalyzeContext, 'user' | 'alert'>): ProposedAction[] {
  if (!alert?.signals.some((s) => s.source === 'identityProtection')) return [];
  return [
    {
      kind: 'confirmCompromised',
      step: 1,
      objectId: user.id,
      params: { name: user.displayName },
      title: 'Confirm compromised in Identity Protection',
      detail:
        'Sets the user risk to high (riskState confirmedCompromised), so risk-based Conditional Access policies act on the account too. Undo dismisses the risk once the account is recovered.',
      reason: 'Entra ID Protection rates the account at high risk and nobody has confirmed it compromised yet.',
    },
  ];
}

/** Step 1: revoke every sign-in session (POST /users/{id}/revokeSignInSessions). Always proposed. */
export const revokeSessionsStep: StepModule = {
  number: 1,
  name: 'Revoke sessions',
  analyze: (_d, ctx) => {
    const confirm = confirmCompromisedProposal(ctx);
    return {
      proposals: [
        {
          kind: 'revokeSessions',
          step: 1,
          objectId: ctx.user.id,
          params: {},
          title: 'Revoke all sessions',
          detail: TOKEN_LIFETIME_NOTE,
          reason: 'The attacker may hold a stolen session cookie or refresh token.',
        },
        ...confirm,
      ],
      checked: `always proposed for a compromised account${confirm.length ? '; Identity Protection reports the user at high risk' : ''}`,
      notes: [],
    };
  },
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
