import type { Action } from '../../incidents/model';
import type { ProposedAction, StepModule } from '../types';
import { del, directoryAudits, failed, get, gone, inWindow, ok, read, seg, unreadNotes, userPath } from './common';
import { formatUtc } from '../../views/time';

/** @odata.type of a method -> the path segment its DELETE uses. */
const SEGMENTS: Record<string, { segment: string; label: string; audit: RegExp }> = {
  '#microsoft.graph.phoneAuthenticationMethod': { segment: 'phoneMethods', label: 'phone', audit: /phone|sms/i },
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod': {
    segment: 'microsoftAuthenticatorMethods',
    label: 'Microsoft Authenticator',
    audit: /authenticator/i,
  },
  '#microsoft.graph.fido2AuthenticationMethod': { segment: 'fido2Methods', label: 'FIDO2 security key', audit: /fido|security key/i },
  '#microsoft.graph.emailAuthenticationMethod': { segment: 'emailMethods', label: 'email', audit: /email/i },
  '#microsoft.graph.softwareOathAuthenticationMethod': {
    segment: 'softwareOathMethods',
    label: 'software OATH token',
    audit: /oath|software token/i,
  },
  '#microsoft.graph.temporaryAccessPassAuthenticationMethod': {
    segment: 'temporaryAccessPassMethods',
    label: 'Temporary Access Pass',
    audit: /temporary access pass/i,
  },
  '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod': {
    segment: 'windowsHelloForBusinessMethods',
    label: 'Windows Hello',
    audit: /hello/i,
  },
};

const methodPath = (a: Action) => `/users/${seg(a.params.userId)}/authentication/${a.params.segment}/${seg(a.objectId)}`;

/** Step 3: methods registered in the window, or registered from an attacker IP per the directory audit; never the password. */
export const securityInfoStep: StepModule = {
  number: 3,
  name: 'Suspicious security info',
  reads: { first: (scope) => [read('methods', `${userPath(scope)}/authentication/methods`), directoryAudits(scope)] },
  analyze(d, { user, window, attackerIps }) {
    const methods = d.answers.list('methods');
    const registrations = d.answers
      .list('audits')
      .filter((e) => e.activityDisplayName === 'User registered security info' && String(e.activityDateTime) >= window.start);
    const proposals: ProposedAction[] = [];
    for (const m of methods) {
      const type = String(m['@odata.type']);
      const meta = SEGMENTS[type];
      if (!meta) continue; // the password method, and types Graph cannot delete
      const reasons: string[] = [];
      if (inWindow(m.createdDateTime, window.start))
        reasons.push(`registered ${formatUtc(String(m.createdDateTime))}, inside the intrusion window`);
      const fromAttacker = registrations.find((e) => {
        const ip = (e.initiatedBy as { user?: { ipAddress?: string } })?.user?.ipAddress;
        const what = `${e.resultReason ?? ''} ${JSON.stringify(e.additionalDetails ?? [])}`;
        return (
          !!ip &&
          attackerIps.has(ip) &&
          meta.audit.test(what) &&
          (m.createdDateTime === undefined || inWindow(m.createdDateTime, window.start))
        );
      });
      if (fromAttacker)
        reasons.push(
          `a ${meta.label} was registered from attacker IP ${(fromAttacker.initiatedBy as { user: { ipAddress: string } }).user.ipAddress} at ${formatUtc(String(fromAttacker.activityDateTime))}`,
        );
      if (!reasons.length) continue;
      const label = m.displayName ?? m.phoneNumber ?? m.emailAddress ?? meta.label;
      proposals.push({
        kind: 'deleteAuthMethod',
        step: 3,
        objectId: String(m.id),
        params: { userId: user.id, segment: meta.segment, label: String(label) },
        title: `Delete ${meta.label} "${label}"`,
        detail:
          'Removes the method so the attacker cannot pass MFA with it. The user re-registers their own methods after the password reset.',
        reason: reasons.join('; '),
      });
    }
    return {
      proposals,
      checked: `${methods.length} authentication method(s)`,
      notes: unreadNotes(d.answers, 'methods', 'Authentication methods'),
    };
  },
  handlers: [
    {
      kind: 'deleteAuthMethod',
      phase: 2,
      snapshot: (a) => get(methodPath(a)),
      change: (a) => del(methodPath(a)),
      outcome: (a, r) => {
        if (ok(r)) return { outcome: 'succeeded', message: `Deleted ${a.params.label}.` };
        if (r.status === 404) return gone(`The method ${a.params.label}`);
        if (r.status === 400 && /default/i.test(JSON.stringify(r.body)))
          return {
            ...failed(
              r,
              `"${a.params.label}" is the user's default sign-in method, which cannot be deleted while others exist. Set another method as default (Entra admin center > user > Authentication methods), then approve the deletion again.`,
            ),
            code: 'DEFAULT_METHOD',
          };
        return failed(r, `"${a.params.label}" could not be deleted; remove it in the Entra admin center.`);
      },
      check: (a) => get(methodPath(a)),
      verified: (_a, _e, r) => r.status === 404,
    },
  ],
};
