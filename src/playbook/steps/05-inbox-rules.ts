import type { Action } from '../../incidents/model';
import type { BatchRequest } from '../../graph/batch';
import type { Answers } from '../answers';
import type { ProposedAction, ReadScope, StepModule } from '../types';
import { del, failed, get, gone, ok, patch, query, read, seg, suspiciousName, userPath } from './common';

/** The well-known folders a rule hides mail in; any of them is a reason on its own. */
const HIDING_PLACES = ['deleteditems', 'junkemail', 'archive', 'rssfeeds', 'conversationhistory'] as const;
/**
 * Outlook runs at most 4 requests at once per app and mailbox; a parallel $batch with more for one mailbox gets 429s
 * past the fourth (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits). The first batch reads
 * the rules, the folder list and the two commonest hiding places; the other hiding places ride in the second batch,
 * and only when a rule moves mail somewhere not yet named.
 */
const FIRST_HIDING_PLACES = HIDING_PLACES.slice(0, 2);
const LATER_HIDING_PLACES = HIDING_PLACES.slice(2);

const rulePath = (a: Action) => `/users/${seg(a.params.userId)}/mailFolders/inbox/messageRules/${seg(a.objectId)}`;
const folderRead = (scope: ReadScope, folder: string): BatchRequest => read(`folder:${folder}`, `${userPath(scope)}/mailFolders/${seg(folder)}${query({ $select: 'id,displayName' })}`);
const moveTargets = (answers: Answers) => [...new Set(answers.list('rules').map((r) => (r.actions as { moveToFolder?: string } | undefined)?.moveToFolder).filter((id): id is string => !!id))];

type Folders = Map<string, { name: string; wellKnown?: string }>;

/** Folder id -> display name, and which hiding place it is, from the folder list and the folders read one by one. */
export function foldersOf(answers: Answers): Folders {
  const folders: Folders = new Map();
  for (const f of answers.list('folders')) folders.set(String(f.id), { name: String(f.displayName) });
  for (const w of HIDING_PLACES) {
    const f = answers.body(`folder:${w}`);
    if (f) folders.set(String(f.id), { name: String(f.displayName), wellKnown: w });
  }
  // Folders read by id: answers come in any order, and one may also be a hiding place read by name.
  for (const [id, f] of answers.withPrefix('folder:')) if (!(HIDING_PLACES as readonly string[]).includes(id) && !folders.get(id)?.wellKnown) folders.set(id, { name: String(f.displayName) });
  return folders;
}

type Recipient = { emailAddress?: { address?: string } };

function reasonsFor(rule: Record<string, unknown>, folders: Folders, domains: string[]): string[] {
  const actions = (rule.actions ?? {}) as Record<string, unknown>;
  const reasons: string[] = [];
  const folderId = actions.moveToFolder as string | undefined;
  const folder = folderId ? folders.get(folderId) : undefined;
  const moves = !!folderId;
  if (folder?.wellKnown) reasons.push(`moves mail to ${folder.name}`);
  if (folderId && !folder) reasons.push('moves mail to a folder Contain could not resolve');
  if (actions.delete || actions.permanentDelete) reasons.push(actions.permanentDelete ? 'permanently deletes mail' : 'deletes mail');
  if (actions.markAsRead && moves) reasons.push('marks the moved mail as read');
  for (const key of ['forwardTo', 'redirectTo', 'forwardAsAttachmentTo']) {
    const outside = ((actions[key] as Recipient[] | undefined) ?? []).map((r) => r.emailAddress?.address ?? '').filter((a) => a && !domains.some((dom) => a.toLowerCase().endsWith('@' + dom)));
    if (outside.length) reasons.push(`${key === 'redirectTo' ? 'redirects' : 'forwards'} mail outside the organisation (${outside.join(', ')})`);
  }
  const name = suspiciousName(rule.displayName);
  if (name && reasons.length) reasons.push(name);
  else if (name && moves) reasons.push(name);
  return reasons;
}

/**
 * Step 5: inbox rules that hide mail from the user or send it out. Disabled by default (the rule stays as evidence);
 * the approver may choose deletion. Hidden rules and mailbox forwarding are invisible to Graph and said so.
 */
export const inboxRulesStep: StepModule = {
  number: 5,
  name: 'Inbox rules',
  reads: {
    first: (scope) => [
      read('rules', `${userPath(scope)}/mailFolders/inbox/messageRules`),
      read('folders', `${userPath(scope)}/mailFolders${query({ $top: 250, $select: 'id,displayName' })}`),
      ...FIRST_HIDING_PLACES.map((w) => folderRead(scope, w)),
    ],
    // Where rules move mail: the other hiding places when a target is not named yet, and folders not in the top-level list.
    next: (answers, scope) => {
      const folders = foldersOf(answers);
      const targets = moveTargets(answers);
      const unnamed = targets.some((id) => !folders.get(id)?.wellKnown);
      return [...(unnamed ? LATER_HIDING_PLACES.map((w) => folderRead(scope, w)) : []), ...targets.filter((id) => !folders.has(id)).map((id) => folderRead(scope, id))];
    },
  },
  analyze(d, { user }) {
    const rules = d.answers.list('rules');
    const folders = foldersOf(d.answers);
    const domains = [String(user.userPrincipalName).split('@')[1], String(user.mail ?? '').split('@')[1]].filter(Boolean).map((x) => x.toLowerCase());
    const proposals: ProposedAction[] = [];
    for (const rule of rules) {
      if (rule.isEnabled === false) continue;
      const reasons = reasonsFor(rule, folders, domains);
      if (!reasons.length) continue;
      const conditions = JSON.stringify(rule.conditions ?? {});
      proposals.push({
        kind: 'disableInboxRule',
        step: 5,
        objectId: String(rule.id),
        params: { userId: user.id, name: String(rule.displayName) },
        title: `Disable inbox rule "${rule.displayName}"`,
        detail: `Conditions: ${conditions.length > 160 ? conditions.slice(0, 159) + '…' : conditions}. Disabling keeps the rule as evidence; the approver may delete it instead.`,
        reason: reasons.join('; '),
      });
    }
    const notes = ['Hidden inbox rules and mailbox-level forwarding (ForwardingSmtpAddress) are not visible through Microsoft Graph: not checked. Check them with Exchange Online PowerShell (Get-InboxRule -IncludeHidden, Get-Mailbox | fl Forwarding*).'];
    const failure = d.answers.failure('rules');
    if (failure) notes.unshift(`Inbox rules could not be read: ${failure}`);
    return { proposals, checked: `${rules.length} inbox rule(s)`, notes };
  },
  handlers: [
    {
      kind: 'disableInboxRule',
      phase: 2,
      snapshot: (a) => get(rulePath(a)),
      change: (a) => (a.decision?.option === 'delete' ? del(rulePath(a)) : patch(rulePath(a), { isEnabled: false })),
      outcome: (a, r) => {
        if (ok(r)) return { outcome: 'succeeded', message: a.decision?.option === 'delete' ? `Inbox rule "${a.params.name}" deleted (its definition is kept in the evidence).` : `Inbox rule "${a.params.name}" disabled (kept as evidence).` };
        if (r.status === 404) return gone(`Inbox rule "${a.params.name}"`);
        return failed(r, `Inbox rule "${a.params.name}" could not be changed; use Exchange Online PowerShell (Disable-InboxRule).`);
      },
      check: (a) => get(rulePath(a)),
      verified: (a, _e, r) => (a.decision?.option === 'delete' ? r.status === 404 : ok(r) && (r.body as { isEnabled?: boolean })?.isEnabled === false),
    },
  ],
};
