import type { Action, ActionKind, ActionState } from '../incidents/model';
import type { ActionView, ContainmentView, StepView } from './types';

/**
 * How a big incident reads on a card: per playbook step, the most suspicious findings first, a count of the rest, and
 * one decision for the whole step in words ("disable 13 inbox rules"). The renderers decide how many findings fit.
 */

/** Findings a step shows in full before the rest go behind "Show all". */
export const TOP_FINDINGS = 3;

/** A step of at most this many actions is shown whole: hiding one or two behind "Show all" saves nothing. */
export const WHOLE_STEP = TOP_FINDINGS + 1;

/** Signs that point at the attacker: their address, or mail leaving the organisation. */
const ATTACKER = /attacker IP|outside the organisation/i;
/** Signs of harm done to mail: destroyed, or sent on. */
const HARM = /deletes mail|forwards mail|redirects mail|sends mail/i;

/**
 * How strongly discovery's reasons point at the attacker: one point a reason (steps join them with "; "), three more
 * when one names the attacker's IP address or mail leaving the organisation, one more when mail is destroyed or sent on.
 */
export function suspicion(reason: string): number {
  const reasons = reason.split('; ').filter((r) => r.trim()).length;
  return reasons + (ATTACKER.test(reason) ? 3 : 0) + (HARM.test(reason) ? 1 : 0);
}

/** Failed changes need a person first, then what still waits for a decision, then the rest. */
const URGENCY: Partial<Record<ActionState, number>> = { failed: 0, proposed: 1 };

/** Order within a step: urgency, then suspicion, then the order discovery proposed them in. */
export function rank<T extends Pick<Action, 'step' | 'state' | 'reason'>>(actions: T[]): T[] {
  return actions
    .map((a, i) => ({ a, i }))
    .sort(
      (x, y) =>
        x.a.step - y.a.step ||
        (URGENCY[x.a.state] ?? 2) - (URGENCY[y.a.state] ?? 2) ||
        suspicion(y.a.reason) - suspicion(x.a.reason) ||
        x.i - y.i,
    )
    .map((x) => x.a);
}

/** How each kind of change reads in a step's decision: the verb, and the object in the singular and plural. */
const PHRASES: Partial<Record<ActionKind, [string, string, string]>> = {
  revokeSessions: ['revoke', "the user's sessions", "the user's sessions"],
  resetPassword: ['reset', 'the password', 'passwords'],
  deleteAuthMethod: ['delete', 'sign-in method', 'sign-in methods'],
  disableDevice: ['disable', 'device', 'devices'],
  disableInboxRule: ['disable', 'inbox rule', 'inbox rules'],
  stopFlow: ['stop', 'flow', 'flows'],
  disableServicePrincipal: ['turn off sign-in for', 'app', 'apps'],
  removeGrant: ['remove', 'consent', 'consents'],
  removeAppSecret: ['remove', 'app secret', 'app secrets'],
  removeAppCertificate: ['remove', 'app certificate', 'app certificates'],
  clearMailboxForwarding: ['clear', 'the mailbox forwarding', 'mailbox forwardings'],
  disableHiddenInboxRule: ['disable', 'hidden inbox rule', 'hidden inbox rules'],
  confirmCompromised: ['confirm', 'the account compromised', 'accounts compromised'],
};

/** "disable 13 inbox rules", "turn off sign-in for 5 apps, remove 9 consents and remove 5 app secrets". */
export function decisionWords(actions: Pick<Action, 'kind'>[]): string {
  const counts = new Map<ActionKind, number>();
  for (const a of actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => {
    const [verb, one, many] = PHRASES[kind] ?? ['make', 'change', 'changes'];
    return n === 1 ? `${verb} ${one.startsWith('the ') ? one : `1 ${one}`}` : `${verb} ${n} ${many}`;
  });
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'change nothing');
}

const STATE_WORDS: Record<ActionState, string> = {
  proposed: 'waiting for approval',
  approved: 'approved',
  running: 'running',
  sending: 'running',
  succeeded: 'done',
  failed: 'failed',
  rejected: 'rejected',
  expired: 'expired',
  skipped: 'skipped',
};

/** "13 actions: 10 done, 2 failed, 1 waiting for approval", "12 actions, all waiting for approval". */
export function stateSummary(actions: Pick<ActionView, 'state'>[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(STATE_WORDS[a.state], (counts.get(STATE_WORDS[a.state]) ?? 0) + 1);
  const all = `${actions.length} action${actions.length === 1 ? '' : 's'}`;
  if (counts.size === 1 && actions.length > 1) return `${all}, all ${[...counts.keys()][0]}`;
  return `${all}: ${[...counts].map(([w, n]) => `${n} ${w}`).join(', ')}`;
}

/** The steps a card shows: the incident's own, and one for any step that has actions but was not listed. */
export function stepsOf(v: Pick<ContainmentView, 'steps' | 'actions'>): StepView[] {
  const listed = new Set(v.steps.map((s) => s.step));
  const unlisted = [...new Set(v.actions.map((a) => a.step))]
    .filter((n) => !listed.has(n))
    .map((n) => ({ step: n, name: `Step ${n}`, checked: '', notes: [] }));
  return unlisted.length ? [...v.steps, ...unlisted].sort((a, b) => a.step - b.step) : v.steps;
}

/** A step's actions, in the order the view gives them (ranked by the view builder). */
export const actionsOf = (v: Pick<ContainmentView, 'actions'>, step: number): ActionView[] => v.actions.filter((a) => a.step === step);
