import type { Action } from '../../incidents/model';
import type { BatchRequest } from '../../graph/batch';
import type { Answers } from '../answers';
import type { ProposedAction, ReadScope, StepModule } from '../types';
import { del, failed, get, gone, ok, patch, query, read, seg, unreadNotes, userPath } from './common';
import { exchangeRuleHandlers, exchangeStep, readExchange } from './05-exchange';
import { foldersOf, HIDING_PLACES, suspiciousRules, userDomains } from './05-rule-reasons';

export { foldersOf } from './05-rule-reasons';

/**
 * Outlook runs at most 4 requests at once per app and mailbox; a parallel $batch with more for one mailbox gets 429s
 * past the fourth (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits). The first batch reads
 * the rules, the folder list and the two commonest hiding places; the other hiding places ride in the second batch,
 * and only when a rule moves mail somewhere not yet named.
 */
const FIRST_HIDING_PLACES = HIDING_PLACES.slice(0, 2);
const LATER_HIDING_PLACES = HIDING_PLACES.slice(2);

const rulePath = (a: Action) => `/users/${seg(a.params.userId)}/mailFolders/inbox/messageRules/${seg(a.objectId)}`;
const folderRead = (scope: ReadScope, folder: string): BatchRequest =>
  read(`folder:${folder}`, `${userPath(scope)}/mailFolders/${seg(folder)}${query({ $select: 'id,displayName' })}`);
const moveTargets = (answers: Answers) => [
  ...new Set(
    answers
      .list('rules')
      .map((r) => (r.actions as { moveToFolder?: string } | undefined)?.moveToFolder)
      .filter((id): id is string => !!id),
  ),
];

/**
 * Step 5: inbox rules that hide mail from the user or send it out. Disabled by default (the rule stays as evidence);
 * the approver may choose deletion. Hidden rules and mailbox forwarding are invisible to Graph: the Exchange admin API
 * reads them when it may (05-exchange.ts), and the card gives the PowerShell lines when it may not.
 */
export const inboxRulesStep: StepModule = {
  number: 5,
  name: 'Inbox rules',
  reads: {
    exchange: readExchange,
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
      return [
        ...(unnamed ? LATER_HIDING_PLACES.map((w) => folderRead(scope, w)) : []),
        ...targets.filter((id) => !folders.has(id)).map((id) => folderRead(scope, id)),
      ];
    },
  },
  analyze(d, { user }) {
    const rules = d.answers.list('rules');
    const proposals: ProposedAction[] = suspiciousRules(d.answers, userDomains(user)).map(({ rule, reasons }) => {
      const conditions = JSON.stringify(rule.conditions ?? {});
      return {
        kind: 'disableInboxRule',
        step: 5,
        objectId: String(rule.id),
        params: { userId: user.id, name: String(rule.displayName) },
        title: `Disable inbox rule "${rule.displayName}"`,
        detail: `Conditions: ${conditions.length > 160 ? conditions.slice(0, 159) + '…' : conditions}. Disabling keeps the rule as evidence; the approver may delete it instead.`,
        reason: reasons.join('; '),
      };
    });
    // Mailbox forwarding, hidden rules and the audit configuration: the Exchange admin API, or the PowerShell lines.
    const exchange = exchangeStep(d.exchange, user);
    const notes = [...unreadNotes(d.answers, 'rules', 'Inbox rules'), ...exchange.notes];
    return {
      proposals: [...proposals, ...exchange.proposals],
      checked: `${rules.length} inbox rule(s)${exchange.checked ? `; ${exchange.checked}` : ''}`,
      notes,
    };
  },
  handlers: [
    {
      kind: 'disableInboxRule',
      phase: 2,
      snapshot: (a) => get(rulePath(a)),
      change: (a) => (a.decision?.option === 'delete' ? del(rulePath(a)) : patch(rulePath(a), { isEnabled: false })),
      outcome: (a, r) => {
        if (ok(r))
          return {
            outcome: 'succeeded',
            message:
              a.decision?.option === 'delete'
                ? `Inbox rule "${a.params.name}" deleted (its definition is kept in the evidence).`
                : `Inbox rule "${a.params.name}" disabled (kept as evidence).`,
          };
        if (r.status === 404) return gone(`Inbox rule "${a.params.name}"`);
        return failed(r, `Inbox rule "${a.params.name}" could not be changed; use Exchange Online PowerShell (Disable-InboxRule).`);
      },
      check: (a) => get(rulePath(a)),
      verified: (a, _e, r) =>
        a.decision?.option === 'delete' ? r.status === 404 : ok(r) && (r.body as { isEnabled?: boolean })?.isEnabled === false,
    },
    ...exchangeRuleHandlers,
  ],
};
