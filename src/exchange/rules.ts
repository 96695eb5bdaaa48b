/**
 * Inbox rules as Get-InboxRule returns them (PowerShell property names), turned into the Graph messageRule shape
 * step 5 analyses (displayName, isEnabled, conditions, actions with forwardTo/redirectTo recipients and a
 * moveToFolder id) plus the folder names those ids stand for, so the same analysis judges rules Graph cannot see.
 */
import { Answers } from '../playbook/answers';

/** One rule as the cmdlet returns it; multi-valued properties are arrays of display strings. */
export interface RawInboxRule {
  Name?: string | null;
  Identity?: string;
  RuleIdentity?: string | number;
  Enabled?: boolean;
  Priority?: number;
  Description?: string | null;
  From?: string[] | null;
  FromAddressContainsWords?: string[] | null;
  SubjectContainsWords?: string[] | null;
  SubjectOrBodyContainsWords?: string[] | null;
  BodyContainsWords?: string[] | null;
  ForwardTo?: string[] | null;
  ForwardAsAttachmentTo?: string[] | null;
  RedirectTo?: string[] | null;
  MoveToFolder?: string | null;
  DeleteMessage?: boolean;
  SoftDeleteMessage?: boolean;
  MarkAsRead?: boolean;
  StopProcessingRules?: boolean;
}

/** A rule in the shape step 5 reads, with where it came from. */
export interface ExchangeInboxRule {
  id: string;
  /** The RuleIdentity number: what Disable-InboxRule is given (a name can match several rules). */
  ruleIdentity: string;
  identity: string;
  displayName: string;
  sequence: number;
  isEnabled: boolean;
  /** Listed only with -IncludeHidden: invisible in Outlook, OWA and Graph. */
  hidden: boolean;
  description?: string;
  conditions: Record<string, unknown>;
  actions: Record<string, unknown>;
}

/** English display names of the well-known folders step 5 treats as hiding places. */
const WELL_KNOWN: Record<string, string> = {
  'deleted items': 'deleteditems',
  'junk email': 'junkemail',
  'junk e-mail': 'junkemail',
  archive: 'archive',
  'rss feeds': 'rssfeeds',
  'rss subscriptions': 'rssfeeds',
  'conversation history': 'conversationhistory',
};

/** Rules Exchange keeps hidden in every mailbox: listing them is noise, not evidence. */
export const SYSTEM_HIDDEN_RULES = new Set([
  'Junk E-mail Rule',
  'Microsoft.Exchange.OOF.InternalSenders.Global',
  'Microsoft.Exchange.OOF.KnownExternalSenders.Global',
  'Microsoft.Exchange.OOF.AllExternalSenders.Global',
]);

/** `"Name" [SMTP:a@b]` or a bare address; internal X.500 recipients (EX:) have no SMTP address. */
export function recipientAddress(s: string): string | undefined {
  const smtp = /\[SMTP:([^\]\s]+)\]/i.exec(s)?.[1] ?? /(?:^|\s|<)([^\s<>"[\]]+@[^\s<>"[\]]+)(?:>|$|\s)/.exec(s)?.[1];
  return smtp?.replace(/^smtp:/i, '');
}

const recipients = (v: string[] | null | undefined) =>
  (v ?? []).map((s) => ({
    emailAddress: { name: s.replace(/\s*\[[^\]]*\]\s*$/, '').replace(/^"|"$/g, ''), address: recipientAddress(s) ?? '' },
  }));

/** "Alice Aoki:\Deleted Items" -> folder path "Deleted Items"; its well-known name when it is one. */
export function folderOf(moveTo: string): { id: string; name: string; wellKnown?: string } {
  const path = moveTo.includes(':\\') ? moveTo.slice(moveTo.indexOf(':\\') + 2) : moveTo;
  return { id: `exo-folder:${path}`, name: path, wellKnown: WELL_KNOWN[path.toLowerCase()] };
}

/** One Get-InboxRule row in step 5's shape; `hidden` says it was listed only with -IncludeHidden. */
export function normalizeRule(raw: RawInboxRule, hidden: boolean): ExchangeInboxRule {
  const ruleIdentity = String(raw.RuleIdentity ?? '');
  const conditions: Record<string, unknown> = {};
  if (raw.SubjectContainsWords?.length) conditions.subjectContains = raw.SubjectContainsWords;
  if (raw.BodyContainsWords?.length) conditions.bodyContains = raw.BodyContainsWords;
  if (raw.SubjectOrBodyContainsWords?.length) conditions.subjectOrBodyContains = raw.SubjectOrBodyContainsWords;
  if (raw.FromAddressContainsWords?.length) conditions.senderContains = raw.FromAddressContainsWords;
  if (raw.From?.length) conditions.fromAddresses = recipients(raw.From);
  const actions: Record<string, unknown> = {};
  if (raw.MoveToFolder) actions.moveToFolder = folderOf(raw.MoveToFolder).id;
  // DeleteMessage moves to Deleted Items; SoftDeleteMessage skips it (Recoverable Items), as Graph's permanentDelete.
  if (raw.DeleteMessage) actions.delete = true;
  if (raw.SoftDeleteMessage) actions.permanentDelete = true;
  if (raw.MarkAsRead) actions.markAsRead = true;
  if (raw.StopProcessingRules) actions.stopProcessingRules = true;
  if (raw.ForwardTo?.length) actions.forwardTo = recipients(raw.ForwardTo);
  if (raw.RedirectTo?.length) actions.redirectTo = recipients(raw.RedirectTo);
  if (raw.ForwardAsAttachmentTo?.length) actions.forwardAsAttachmentTo = recipients(raw.ForwardAsAttachmentTo);
  return {
    id: `exo:${ruleIdentity}`,
    ruleIdentity,
    identity: String(raw.Identity ?? ruleIdentity),
    displayName: raw.Name ?? '',
    sequence: Number(raw.Priority ?? 0),
    isEnabled: raw.Enabled !== false,
    hidden,
    ...(raw.Description ? { description: raw.Description } : {}),
    conditions,
    actions,
  };
}

/**
 * The rules of a mailbox from two listings: all of them (-IncludeHidden) and the visible ones; a rule only in the
 * first is hidden. Exchange's own hidden system rules are left out.
 */
export function mergeListings(all: RawInboxRule[], visible: RawInboxRule[]): ExchangeInboxRule[] {
  const seen = new Set(visible.map((r) => String(r.RuleIdentity)));
  return all
    .filter((r) => !(r.Name && SYSTEM_HIDDEN_RULES.has(r.Name) && !seen.has(String(r.RuleIdentity))))
    .map((r) => normalizeRule(r, !seen.has(String(r.RuleIdentity))));
}

/**
 * The two listings as the answers step 5 judges (src/playbook/steps/05-inbox-rules.ts): the rules under its `rules`
 * read, and the folders their MoveToFolder names, well-known ones as its hiding-place reads, so the same analysis
 * judges rules Graph cannot see.
 */
export function stepFiveAnswers(rules: ExchangeInboxRule[], raw: RawInboxRule[]): Answers {
  const folders = new Map<string, { id: string; displayName: string }>();
  const hidingPlaces: Record<string, { status: number; body: unknown }> = {};
  for (const r of raw) {
    if (!r.MoveToFolder) continue;
    const f = folderOf(r.MoveToFolder);
    if (f.wellKnown) hidingPlaces[`folder:${f.wellKnown}`] = { status: 200, body: { id: f.id, displayName: f.name } };
    else folders.set(f.id, { id: f.id, displayName: f.name });
  }
  return Answers.from({
    rules: { status: 200, body: { value: rules.map((r) => ({ ...r })) } },
    folders: { status: 200, body: { value: [...folders.values()] } },
    ...hidingPlaces,
  });
}
