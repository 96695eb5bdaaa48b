import type { Answers } from '../answers';
import { suspiciousName } from './common';

/**
 * Step 5's judgement of inbox rules, in one place for both sources: the rules Graph lists, and the hidden ones only
 * the Exchange admin API lists (src/exchange/rules.ts turns those into the same shape and answers).
 */

/** The well-known folders a rule hides mail in; any of them is a reason on its own. */
export const HIDING_PLACES = ['deleteditems', 'junkemail', 'archive', 'rssfeeds', 'conversationhistory'] as const;

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
  for (const [id, f] of answers.withPrefix('folder:'))
    if (!(HIDING_PLACES as readonly string[]).includes(id) && !folders.get(id)?.wellKnown) folders.set(id, { name: String(f.displayName) });
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
    const outside = ((actions[key] as Recipient[] | undefined) ?? [])
      .map((r) => r.emailAddress?.address ?? '')
      .filter((a) => a && !domains.some((dom) => a.toLowerCase().endsWith('@' + dom)));
    if (outside.length)
      reasons.push(`${key === 'redirectTo' ? 'redirects' : 'forwards'} mail outside the organisation (${outside.join(', ')})`);
  }
  const name = suspiciousName(rule.displayName);
  if (name && reasons.length) reasons.push(name);
  else if (name && moves) reasons.push(name);
  return reasons;
}

/** The enabled rules among the answers' `rules` that hide mail or send it out, each with why. */
export function suspiciousRules(answers: Answers, domains: string[]): { rule: Record<string, unknown>; reasons: string[] }[] {
  const folders = foldersOf(answers);
  return answers
    .list('rules')
    .filter((rule) => rule.isEnabled !== false)
    .map((rule) => ({ rule, reasons: reasonsFor(rule, folders, domains) }))
    .filter((r) => r.reasons.length);
}

/** The organisation's mail domains as the user's addresses show them: mail to anywhere else leaves the organisation. */
export function userDomains(user: { userPrincipalName: string; mail?: string | null }): string[] {
  return [String(user.userPrincipalName).split('@')[1], String(user.mail ?? '').split('@')[1]].filter(Boolean).map((x) => x.toLowerCase());
}
