import { UNFINISHED, type Action } from '../../incidents/model';
import { recreateGrant, enableServicePrincipal } from './applications';
import { enableDevice } from './device';
import { startFlow } from './flows';
import { enableInboxRule, recreateInboxRule } from './inbox-rules';
import { dismissUserRisk } from './risk';
import { enableHiddenInboxRule, restoreMailboxForwarding } from './exchange';
import type { ContainKind, ProposedUndo, UndoHandler, UndoKind } from './types';

export const UNDO_HANDLERS: UndoHandler[] = [
  enableDevice,
  enableInboxRule,
  recreateInboxRule,
  startFlow,
  enableServicePrincipal,
  recreateGrant,
  dismissUserRisk,
  restoreMailboxForwarding,
  enableHiddenInboxRule,
];

/** Is this kind an undo (it takes back another action, and is never itself taken back)? */
export function isUndoKind(kind: string): kind is UndoKind {
  return UNDO_HANDLERS.some((h) => h.kind === kind);
}

/** The undo of `a` that is waiting, running or done, if any (a failed, rejected or expired one may be asked again). */
export function liveUndoOf(a: Pick<Action, 'id'>, actions: Action[]): Action | undefined {
  return actions
    .filter((u) => u.params.undoes === a.id && (u.state === 'proposed' || u.state === 'succeeded' || UNFINISHED.includes(u.state)))
    .at(-1);
}

/** The undo handler of one kind. */
export function undoHandlerFor(kind: UndoKind): UndoHandler {
  const h = UNDO_HANDLERS.find((x) => x.kind === kind);
  if (!h) throw new Error(`No undo handler for ${kind}`);
  return h;
}

/**
 * Changes that cannot be taken back, and the sentence the card shows before anyone approves them. Every kind of
 * containment action is either here or undone by a handler above (a test keeps it so).
 */
export const IRREVERSIBLE: Partial<Record<ContainKind, string>> = {
  revokeSessions:
    'Cannot be undone: revoked sessions stay revoked. The user signs in again; any session an attacker stole is gone with them.',
  resetPassword:
    'Cannot be undone: the old password is gone for good. The user sets a new one at next sign-in, or the helpdesk issues a Temporary Access Pass.',
  deleteAuthMethod:
    'Cannot be undone: a deleted sign-in method cannot be put back. The user registers it again at https://aka.ms/mysecurityinfo.',
  removeAppSecret: "Cannot be undone: a removed client secret can never be read again. The app's owner creates a new one.",
  removeAppCertificate:
    "Cannot be undone: Contain never puts credentials back on an app. If the certificate was the owner's, they upload it again.",
};

/** What the card says before approval about taking this change back; undefined when Undo will be offered. */
export function irreversibleNote(kind: ContainKind): string | undefined {
  return IRREVERSIBLE[kind];
}

/** A containment action as planUndo reads it: what it did, to what, and the object as it was before. */
export type DoneAction = Pick<Action, 'id' | 'step' | 'objectId' | 'params' | 'title' | 'state' | 'evidence' | 'decision'> & {
  kind: ContainKind;
};

export type UndoPlan = { reversible: true; undo: ProposedUndo } | { reversible: false; why: string };

const RULE_FIELDS = ['displayName', 'sequence', 'isEnabled', 'conditions', 'actions', 'exceptions'] as const;
const pick = (o: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, o[k]]));

/**
 * The undo of a change that was made, restored from its evidence snapshot; or why there is none. The undo is itself a
 * change: the engine runs it after a different approver says yes, snapshots first, and reads it back.
 */
export function planUndo(a: DoneAction): UndoPlan {
  const irreversible = IRREVERSIBLE[a.kind];
  if (irreversible) return { reversible: false, why: irreversible };
  if (a.state !== 'succeeded')
    return { reversible: false, why: `Only a change that was made can be undone; "${a.title}" ended ${a.state}.` };
  const before = (a.evidence ?? undefined) as Record<string, unknown> | undefined;
  const wasOff = (what: string) => ({
    reversible: false as const,
    why: `${what} was already off before containment: there is nothing to undo.`,
  });
  const undo = (kind: UndoKind, title: string, detail: string, params: Record<string, string> = {}): UndoPlan => ({
    reversible: true,
    undo: {
      kind,
      undoes: a.id,
      step: a.step,
      objectId: a.objectId,
      params: { ...a.params, ...params },
      title,
      detail,
      reason: `Takes back "${a.title}" (${a.id}).`,
    },
  });
  const name = a.params.name ?? a.objectId;
  switch (a.kind) {
    case 'disableDevice':
      if (before?.accountEnabled === false) return wasOff(`Device "${name}"`);
      return undo('enableDevice', `Undo: enable device "${name}" again`, 'Sets accountEnabled back to true, as it was before containment.');
    case 'disableInboxRule':
      if (a.decision?.option !== 'delete') {
        if (before?.isEnabled === false) return wasOff(`Inbox rule "${name}"`);
        return undo(
          'enableInboxRule',
          `Undo: enable inbox rule "${name}" again`,
          'Sets the rule back to enabled; it was disabled, not deleted.',
        );
      }
      if (!before?.displayName || !before.actions)
        return {
          reversible: false,
          why: `Inbox rule "${name}" was deleted and its evidence snapshot is missing: it cannot be re-created.`,
        };
      return undo(
        'recreateInboxRule',
        `Undo: re-create inbox rule "${name}"`,
        'Creates the rule again from the evidence snapshot taken before it was deleted: same name, order, conditions and actions (it gets a new id).',
        { restore: JSON.stringify(pick(before, RULE_FIELDS)) },
      );
    case 'stopFlow':
      if ((before?.properties as { state?: string } | undefined)?.state === 'Stopped') return wasOff(`Flow "${name}"`);
      return undo('startFlow', `Undo: start flow "${name}" again`, 'Turns the flow back on; it was stopped, with its history kept.');
    case 'disableServicePrincipal':
      if (before?.accountEnabled === false) return wasOff(`Sign-in to "${name}"`);
      return undo(
        'enableServicePrincipal',
        `Undo: turn sign-in for app "${name}" back on`,
        "Sets the service principal's accountEnabled back to true: the tenant can sign in to the app again.",
      );
    case 'removeGrant': {
      if (!before?.clientId || !before.resourceId || !before.consentType)
        return {
          reversible: false,
          why: `The consent to "${name}" was removed and its evidence snapshot is missing: it cannot be re-created.`,
        };
      const grant = {
        clientId: before.clientId,
        consentType: before.consentType,
        ...(before.consentType === 'Principal' ? { principalId: before.principalId } : {}),
        resourceId: before.resourceId,
        scope: before.scope ?? '',
      };
      return undo(
        'recreateGrant',
        `Undo: re-create the consent to "${name}"`,
        `Creates the delegated permission grant again from the evidence snapshot: same client, resource, scope (${grant.scope}) and consent type (${grant.consentType}).`,
        { restore: JSON.stringify(grant) },
      );
    }
    case 'clearMailboxForwarding': {
      const f = before as
        { forwardingSmtpAddress?: string | null; forwardingAddress?: string | null; deliverToMailboxAndForward?: boolean } | undefined;
      if (!f || f.forwardingSmtpAddress === undefined)
        return {
          reversible: false,
          why: `The forwarding of ${a.params.mailbox} was cleared and its evidence snapshot is missing: it cannot be put back.`,
        };
      if (!f.forwardingSmtpAddress && !f.forwardingAddress) return wasOff(`Forwarding of ${a.params.mailbox}`);
      const restore = {
        mailbox: a.params.mailbox,
        forwardingSmtpAddress: f.forwardingSmtpAddress ?? null,
        forwardingAddress: f.forwardingAddress ?? null,
        deliverToMailboxAndForward: f.deliverToMailboxAndForward === true,
      };
      return undo(
        'restoreMailboxForwarding',
        `Undo: forward ${a.params.mailbox}'s mail to ${name} again`,
        'Sets ForwardingSmtpAddress, ForwardingAddress and DeliverToMailboxAndForward back to the values the evidence snapshot holds.',
        { restore: JSON.stringify(restore) },
      );
    }
    case 'disableHiddenInboxRule':
      if ((before as { Enabled?: boolean } | undefined)?.Enabled === false) return wasOff(`Hidden inbox rule ${name}`);
      return undo(
        'enableHiddenInboxRule',
        `Undo: enable hidden inbox rule ${name} again`,
        'Enable-InboxRule by its RuleIdentity; it was disabled, not removed.',
      );
    case 'confirmCompromised':
      // Someone confirmed it before Contain did (in the portal): dismissing would take back their decision, not ours.
      if ((before as { value?: { riskState?: string }[] } | undefined)?.value?.[0]?.riskState === 'confirmedCompromised')
        return {
          reversible: false,
          why: `${name} was already confirmed compromised in Identity Protection before containment: there is nothing to undo.`,
        };
      return undo(
        'dismissUserRisk',
        `Undo: dismiss the Identity Protection risk of ${name}`,
        'Dismisses the user risk that "confirm compromised" set: Identity Protection then rates the account at no risk.',
      );
    default:
      return { reversible: false, why: `No undo is defined for ${a.kind}.` };
  }
}
