/**
 * What Teams documents about the size and content of a bot's message, checked as the fake Bot Connector sends it.
 *
 * Size: "The bot message size limit is 100 KB. If the bot message size limit exceeds 100 KB, bot receives a 413 status
 * code (RequestEntityTooLarge), which contains the error code MessageSizeTooBig. The bot message size limit includes
 * the entire message payload encoded as UTF-16 and doesn't include Base64 encoded images."
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages; earlier versions of the page
 * said 28 KB, then 40 KB; the current one adds that the limit is approximate, counts @-mentions and reactions too, and
 * advises staying under 80 KB). The answer's body: code `MessageSizeTooBig`, message "Message size too large."
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-codes-from-bot-conversational-apis).
 * 100 KB is read as 100,000 bytes, the stricter reading of an approximate figure.
 *
 * Cards: "Teams platform supports v1.5 or earlier of Adaptive Card features for bot sent cards", and "Media elements are
 * currently not supported in Adaptive Card on the Teams platform"
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#support-for-adaptive-cards);
 * a card using `refresh` or Action.Execute must declare version 1.5, else "Your card stops working", and `refresh.userIds`
 * holds at most 60 user MRIs
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards).
 * Teams itself takes such a message (200) and its clients show "We're sorry, this card couldn't be displayed"; the fake
 * refuses it with 400 BadArgument instead, so that a card nobody can read fails a test rather than passing it.
 */

export const TEAMS_LIMITS = {
  /** UTF-16 bytes of the activity, Base64 images left out. */
  messageBytes: 100_000,
  /** Microsoft's advice: stay under this to be sure of delivery. */
  recommendedBytes: 80_000,
  adaptiveCardVersion: '1.5',
  refreshUserIds: 60,
} as const;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
// A data URI's Base64 payload inside a JSON string: images sent inline are outside the limit.
const BASE64_IMAGE = /data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+/gi;

/** The activity's size as Teams counts it: its JSON as UTF-16 (two bytes a code unit), inline images excluded. */
export function teamsPayloadBytes(activityJson: string): number {
  return activityJson.replace(BASE64_IMAGE, '').length * 2;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "1.10" > "1.5": versions compare by number, part by part. */
function versionAbove(v: string, max: string): boolean {
  const [a, b] = [v, max].map((x) => x.split('.').map(Number));
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

/** Every element and action of a card, nested containers, columns and Action.ShowCard cards included. */
function* nodes(v: unknown): Generator<Json> {
  if (Array.isArray(v)) for (const x of v) yield* nodes(x);
  else if (isObject(v)) {
    if (typeof v.type === 'string') yield v;
    for (const key of ['body', 'items', 'columns', 'actions', 'card', 'inlineAction', 'selectAction']) if (key in v) yield* nodes(v[key]);
  }
}

/** Why Teams could not show this Adaptive Card, or undefined when it can. */
export function adaptiveCardProblem(card: unknown): string | undefined {
  if (!isObject(card)) return undefined;
  const version = typeof card.version === 'string' ? card.version : '1.0';
  if (versionAbove(version, TEAMS_LIMITS.adaptiveCardVersion))
    return `Teams supports Adaptive Cards up to version ${TEAMS_LIMITS.adaptiveCardVersion} for bot messages; this card declares ${version}.`;
  const all = [...nodes(card.body), ...nodes(card.actions)];
  if (all.some((n) => n.type === 'Media')) return 'Media elements are not supported in Adaptive Cards on the Teams platform.';
  const refresh = isObject(card.refresh) ? card.refresh : undefined;
  const universal = refresh !== undefined || all.some((n) => n.type === 'Action.Execute');
  if (universal && versionAbove(TEAMS_LIMITS.adaptiveCardVersion, version))
    return `A card with refresh or Action.Execute must declare version ${TEAMS_LIMITS.adaptiveCardVersion} in Teams; this one declares ${version}.`;
  const userIds = Array.isArray(refresh?.userIds) ? refresh.userIds : [];
  if (userIds.length > TEAMS_LIMITS.refreshUserIds)
    return `refresh.userIds holds at most ${TEAMS_LIMITS.refreshUserIds} user MRIs; this card lists ${userIds.length}.`;
  return undefined;
}

/** The first problem of any Adaptive Card attached to the activity. */
export function activityCardProblem(activity: Json): string | undefined {
  const attachments = Array.isArray(activity.attachments) ? activity.attachments : [];
  for (const a of attachments)
    if (isObject(a) && a.contentType === ADAPTIVE) {
      const problem = adaptiveCardProblem(a.content);
      if (problem) return problem;
    }
  return undefined;
}
