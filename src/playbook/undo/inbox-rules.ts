import { failed, get, gone, ok, patch, post, seg } from '../steps/common';
import type { UndoHandler, UndoTarget } from './types';

const rules = (a: UndoTarget) => `/users/${seg(a.params.userId)}/mailFolders/inbox/messageRules`;
type Rule = { id?: string; displayName?: string };
const listed = (body: unknown): Rule[] => (body as { value?: Rule[] })?.value ?? [];

/** Undo of "disable inbox rule": isEnabled back to true (messagerule-update). */
export const enableInboxRule: UndoHandler = {
  kind: 'enableInboxRule',
  undoes: 'disableInboxRule',
  snapshot: (a) => get(`${rules(a)}/${seg(a.objectId)}`),
  change: (a) => patch(`${rules(a)}/${seg(a.objectId)}`, { isEnabled: true }),
  outcome: (a, r) =>
    ok(r)
      ? { outcome: 'succeeded', message: `Inbox rule "${a.params.name}" enabled again.` }
      : r.status === 404
        ? gone(`Inbox rule "${a.params.name}"`)
        : failed(r, `Inbox rule "${a.params.name}" could not be enabled; use Exchange Online PowerShell (Enable-InboxRule).`),
  check: (a) => get(`${rules(a)}/${seg(a.objectId)}`),
  verified: (_a, _e, r) => ok(r) && (r.body as { isEnabled?: boolean })?.isEnabled === true,
};

/**
 * Undo of "delete inbox rule": the rule created again from the evidence snapshot taken before it was deleted
 * (params.restore: name, order, enabled, conditions, actions, exceptions), through POST messageRules. It gets a new
 * id, so the snapshot of this undo is the mailbox's rule list: a rule of that name that was not in it is this one.
 */
export const recreateInboxRule: UndoHandler = {
  kind: 'recreateInboxRule',
  undoes: 'disableInboxRule',
  snapshot: (a) => get(rules(a)),
  change: (a) => post(rules(a), JSON.parse(a.params.restore)),
  outcome: (a, r) => {
    if (ok(r))
      return { outcome: 'succeeded', message: `Inbox rule "${a.params.name}" re-created from its evidence snapshot (it has a new id).` };
    if (r.status === 400)
      return failed(
        r,
        `Outlook would not re-create inbox rule "${a.params.name}" as it was (a folder it moved mail to may be gone); create it again in Outlook from the evidence in the report.`,
      );
    return failed(r, `Inbox rule "${a.params.name}" could not be re-created; create it again in Outlook from the evidence in the report.`);
  },
  check: (a) => get(rules(a)),
  verified: (a, evidence, r) => {
    const before = new Set(listed(evidence).map((x) => x.id));
    const name = (JSON.parse(a.params.restore) as Rule).displayName;
    return ok(r) && listed(r.body).some((x) => !before.has(x.id) && x.displayName === name);
  },
};
