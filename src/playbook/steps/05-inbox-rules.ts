import type { Action } from '../../incidents/model';
import type { ProposedAction, StepModule } from '../types';
import type { Discovery } from '../discover';
import { del, failed, get, gone, ok, patch, seg, suspiciousName } from './common';

const SUSPICIOUS_FOLDERS = new Set(['deleteditems', 'junkemail', 'archive', 'rssfeeds', 'conversationhistory']);
const rulePath = (a: Action) => `/users/${seg(a.params.userId)}/mailFolders/inbox/messageRules/${seg(a.objectId)}`;

type Recipient = { emailAddress?: { address?: string } };

function reasonsFor(rule: Record<string, unknown>, d: Discovery, domains: string[]): string[] {
  const actions = (rule.actions ?? {}) as Record<string, unknown>;
  const reasons: string[] = [];
  const folderId = actions.moveToFolder as string | undefined;
  const folder = folderId ? d.folders.get(folderId) : undefined;
  const moves = !!folderId;
  if (folder?.wellKnown && SUSPICIOUS_FOLDERS.has(folder.wellKnown)) reasons.push(`moves mail to ${folder.name}`);
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
  analyze(d, { user }) {
    const domains = [String(user.userPrincipalName).split('@')[1], String(user.mail ?? '').split('@')[1]].filter(Boolean).map((x) => x.toLowerCase());
    const proposals: ProposedAction[] = [];
    for (const rule of d.rules) {
      if (rule.isEnabled === false) continue;
      const reasons = reasonsFor(rule, d, domains);
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
    if (d.failures.has('rules')) notes.unshift(`Inbox rules could not be read: ${d.failures.get('rules')}`);
    return { proposals, checked: `${d.rules.length} inbox rule(s)`, notes };
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
