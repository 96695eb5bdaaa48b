import type { GraphEmulator } from '../graph/emulator';
import { notFound } from './failures';
import { exchangeState, ruleIdentityOf, type SandboxHiddenRule, type SandboxMailbox } from './state';

// Mailboxes and inbox rules as the emulated cmdlets print them, from the sandbox's Graph state and Exchange's own.

export const alias = (upn: string) => upn.split('@')[0];

/** Mailbox identities Exchange accepts: UPN, primary SMTP address, alias, display name, ExternalDirectoryObjectId. */
export function mailboxOf(em: GraphEmulator, identity: string): { user: GraphEmulator['state']['users'][number]; mbx: SandboxMailbox } {
  const key = identity.trim().toLowerCase();
  const user = em.state.users.find((u) =>
    [u.userPrincipalName, u.mail, alias(u.userPrincipalName), u.displayName, u.id].some((x) => x.toLowerCase() === key),
  );
  const mbx = user && exchangeState(em).mailboxes.find((x) => x.userId === user.id);
  if (!user || !mbx) throw notFound(identity);
  return { user, mbx };
}

export function mailboxView(em: GraphEmulator, identity: string) {
  const { user, mbx } = mailboxOf(em, identity);
  const { userId: _u, AuditBypassEnabled: _b, ...settings } = mbx;
  return {
    Identity: alias(user.userPrincipalName),
    Name: alias(user.userPrincipalName),
    Alias: alias(user.userPrincipalName),
    DisplayName: user.displayName,
    UserPrincipalName: user.userPrincipalName,
    PrimarySmtpAddress: user.mail,
    ExternalDirectoryObjectId: user.id,
    RecipientTypeDetails: 'UserMailbox',
    ...settings,
  };
}

type GraphRule = {
  id: string;
  displayName?: string;
  sequence?: number;
  isEnabled?: boolean;
  hasError?: boolean;
  conditions?: Record<string, unknown>;
  actions?: Record<string, unknown>;
};
type Recipient = { emailAddress?: { name?: string; address?: string } };

/** A Graph messageRule as Get-InboxRule prints it. */
function ruleView(em: GraphEmulator, user: { id: string; displayName: string; userPrincipalName: string }, r: GraphRule) {
  const c = r.conditions ?? {};
  const a = r.actions ?? {};
  const people = (v: unknown) =>
    (v as Recipient[] | undefined)?.length
      ? (v as Recipient[]).map((x) => `"${x.emailAddress?.name ?? x.emailAddress?.address}" [SMTP:${x.emailAddress?.address}]`)
      : null;
  const words = (v: unknown) => ((v as string[] | undefined)?.length ? (v as string[]) : null);
  const folder = a.moveToFolder ? em.state.folders.find((f) => f.userId === user.id && f.id === a.moveToFolder) : undefined;
  const ruleIdentity = ruleIdentityOf(r.id);
  return {
    Name: r.displayName ?? '',
    Identity: `${alias(user.userPrincipalName)}\\${ruleIdentity}`,
    RuleIdentity: ruleIdentity,
    Enabled: r.isEnabled !== false,
    Priority: r.sequence ?? 0,
    Description: '',
    From: people(c.fromAddresses),
    SubjectContainsWords: words(c.subjectContains),
    SubjectOrBodyContainsWords: words(c.subjectOrBodyContains),
    BodyContainsWords: words(c.bodyContains),
    FromAddressContainsWords: words(c.senderContains),
    ForwardTo: people(a.forwardTo),
    RedirectTo: people(a.redirectTo),
    ForwardAsAttachmentTo: people(a.forwardAsAttachmentTo),
    MoveToFolder: a.moveToFolder ? `${user.displayName}:\\${folder?.displayName ?? a.moveToFolder}` : null,
    DeleteMessage: a.delete === true,
    SoftDeleteMessage: a.permanentDelete === true,
    MarkAsRead: a.markAsRead === true,
    StopProcessingRules: a.stopProcessingRules === true,
    MailboxOwnerId: user.displayName,
    InError: r.hasError === true,
  };
}

function hiddenView(user: { displayName: string; userPrincipalName: string }, h: SandboxHiddenRule) {
  const { userId: _u, system: _s, ...rest } = h;
  return {
    ...rest,
    Identity: `${alias(user.userPrincipalName)}\\${h.RuleIdentity}`,
    SubjectContainsWords: null,
    BodyContainsWords: null,
    From: null,
    ForwardAsAttachmentTo: null,
    MailboxOwnerId: user.displayName,
    InError: false,
  };
}

/** Every rule of the mailbox, Graph's and the hidden ones, as the cmdlet shows them. */
export function rulesOf(em: GraphEmulator, identity: string, includeHidden: boolean) {
  const { user } = mailboxOf(em, identity);
  const visible = em.state.rules
    .filter((r) => r.userId === user.id)
    .map((r) => ({ graph: r, view: ruleView(em, user, r.data as GraphRule) }));
  const hidden = includeHidden
    ? exchangeState(em)
        .hiddenRules.filter((h) => h.userId === user.id)
        .map((h) => ({ hidden: h, view: hiddenView(user, h) }))
    : [];
  return {
    user,
    rules: [...visible, ...hidden] as {
      graph?: (typeof em.state.rules)[number];
      hidden?: SandboxHiddenRule;
      view: { Name: string; RuleIdentity: string };
    }[],
  };
}
