import { randomInt } from 'node:crypto';
import type { StepModule } from '../types';
import { roleFix } from '../../doctor/fixes';
import { failed, get, ok, patch, query, seg } from './common';

const SETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@_~'];

/** A 24-character password from a CSPRNG with every character class; it lives only in this request body. */
export function generatePassword(length = 24): string {
  const all = SETS.join('');
  const chars = SETS.map((s) => s[randomInt(s.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

const state = (id: string) => get(`/users/${seg(id)}${query({ $select: 'id,lastPasswordChangeDateTime,onPremisesSyncEnabled' })}`);

/**
 * Step 2: reset the password to a random one and force a change at next sign-in. Nobody sees the new password: the
 * helpdesk gives the user a way back in (Temporary Access Pass or a reset) after identity proofing.
 */
export const resetPasswordStep: StepModule = {
  number: 2,
  name: 'Reset password',
  analyze: (_d, { user }) => ({
    proposals: [
      {
        kind: 'resetPassword',
        step: 2,
        objectId: user.id,
        params: {},
        title: 'Reset the password',
        detail: user.onPremisesSyncEnabled
          ? 'This account is synced from on-premises AD: the password must be reset there (Contain will try and report).'
          : 'A random password, never shown to anyone, with a forced change at next sign-in. The helpdesk then issues a Temporary Access Pass after verifying the user.',
        reason: 'The attacker knows or can replay the current password.',
      },
    ],
    checked: user.onPremisesSyncEnabled ? 'synced from on-premises AD' : 'cloud account',
    notes: [],
  }),
  handlers: [
    {
      kind: 'resetPassword',
      phase: 1,
      snapshot: (a) => state(a.objectId),
      change: (a) =>
        patch(`/users/${seg(a.objectId)}`, { passwordProfile: { password: generatePassword(), forceChangePasswordNextSignIn: true } }),
      outcome: (a, r) => {
        if (ok(r))
          return {
            outcome: 'succeeded',
            message:
              'Password reset to a random value nobody has seen; the user must change it at next sign-in. Ask the helpdesk to verify the user and issue a Temporary Access Pass.',
          };
        const synced = r.status === 400 && /on-premises|Directory Sync/i.test(JSON.stringify(r.body));
        if (synced)
          return {
            outcome: 'skipped',
            code: 'ON_PREMISES_SYNCED',
            message: `Reset on-premises: ${a.objectId} is synced from Active Directory, so its password must be reset in AD (it reaches Entra ID with the next sync). Nothing was changed in the cloud.`,
          };
        // user-update: app-only passwordProfile needs User-PasswordProfile.ReadWrite.All AND at least the User
        // Administrator role (Privileged Authentication Administrator for users who hold an admin role); the 403 is the same.
        if (r.status === 403)
          return {
            ...failed(
              r,
              `Not changed: resetting passwords needs the User Administrator directory role on Contain's app, in addition to User-PasswordProfile.ReadWrite.All (a user who holds an admin role needs Privileged Authentication Administrator instead; protect such accounts). ${roleFix('User Administrator')} Until then, reset the password in the Entra admin center (Users > the user > Reset password).`,
            ),
            code: 'NEEDS_ROLE',
          };
        return failed(r, 'The password could not be reset; reset it in the Entra admin center.');
      },
      check: (a) => state(a.objectId),
      verified: (_a, evidence, r) => {
        const before = (evidence as { lastPasswordChangeDateTime?: string })?.lastPasswordChangeDateTime;
        const now = (r.body as { lastPasswordChangeDateTime?: string })?.lastPasswordChangeDateTime;
        return ok(r) && !!now && (!before || now > before);
      },
    },
  ],
};
