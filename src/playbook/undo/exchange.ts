import type { MailboxForwarding } from '../../exchange/forwarding';
import { powershellFallback } from '../../exchange/powershell';
import type { ActionResult } from '../../incidents/model';
import type { CallResult } from '../types';
import { gone, ok } from '../steps/common';
import type { UndoHandler, UndoTarget } from './types';

const restored = (a: UndoTarget) => JSON.parse(a.params.restore) as MailboxForwarding;
const failed = (r: CallResult, advice: string, ps: string[]): ActionResult => {
  const e = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return {
    outcome: 'failed',
    code: e?.code ?? `HTTP_${r.status}`,
    message: `${advice}${e?.message ? ` (Exchange: ${e.message})` : ''} By hand: ${ps.join(' ; ')}`,
  };
};

/** Undo of "clear mailbox forwarding": Set-Mailbox with the forwarding the evidence snapshot held. */
export const restoreMailboxForwarding: UndoHandler = {
  kind: 'restoreMailboxForwarding',
  undoes: 'clearMailboxForwarding',
  snapshot: (a) => ({ api: 'exchange', op: 'getForwarding', mailbox: a.params.mailbox }),
  change: (a) => ({ api: 'exchange', op: 'restoreForwarding', mailbox: a.params.mailbox, forwarding: restored(a) }),
  outcome: (a, r) => {
    if (ok(r)) return { outcome: 'succeeded', message: `Mailbox forwarding to ${a.params.name} put back as it was before containment.` };
    if (r.status === 404) return gone(`The mailbox ${a.params.mailbox}`);
    return failed(
      r,
      `The forwarding of ${a.params.mailbox} could not be put back.`,
      powershellFallback({ kind: 'restoreForwarding', ...restored(a), mailbox: a.params.mailbox }),
    );
  },
  check: (a) => ({ api: 'exchange', op: 'getForwarding', mailbox: a.params.mailbox }),
  verified: (a, _e, r) => {
    const now = r.body as MailboxForwarding | undefined;
    const want = restored(a);
    return (
      ok(r) &&
      !!now &&
      now.forwardingSmtpAddress?.toLowerCase() === want.forwardingSmtpAddress?.toLowerCase() &&
      now.deliverToMailboxAndForward === want.deliverToMailboxAndForward &&
      !!now.forwardingAddress === !!want.forwardingAddress
    );
  },
};

/** Undo of "disable hidden inbox rule": Enable-InboxRule by its RuleIdentity. */
export const enableHiddenInboxRule: UndoHandler = {
  kind: 'enableHiddenInboxRule',
  undoes: 'disableHiddenInboxRule',
  snapshot: (a) => ({ api: 'exchange', op: 'getInboxRule', mailbox: a.params.mailbox, ruleIdentity: a.objectId }),
  change: (a) => ({ api: 'exchange', op: 'enableInboxRule', mailbox: a.params.mailbox, ruleIdentity: a.objectId }),
  outcome: (a, r) => {
    if (ok(r)) return { outcome: 'succeeded', message: `Hidden inbox rule ${a.params.name} enabled again.` };
    if (r.status === 404) return gone(`Hidden inbox rule ${a.params.name}`);
    return failed(
      r,
      `Hidden inbox rule ${a.params.name} could not be enabled.`,
      powershellFallback({ kind: 'enableInboxRule', mailbox: a.params.mailbox, ruleIdentity: a.objectId }),
    );
  },
  check: (a) => ({ api: 'exchange', op: 'getInboxRule', mailbox: a.params.mailbox, ruleIdentity: a.objectId }),
  verified: (_a, _e, r) => ok(r) && (r.body as { Enabled?: boolean } | undefined)?.Enabled === true,
};
