/**
 * Slack's documented Block Kit and message limits, checked as Slack's Web API checks them, with its wording.
 *
 * Sources (each limit's test in test/conformance/slack-limits.test.ts cites its page):
 * - https://api.slack.com/reference/block-kit/blocks: 50 blocks per message; section text 3,000, at most 10 fields
 *   of 2,000; actions at most 25 elements; context at most 10 elements; header text 150; block_id 255.
 * - https://api.slack.com/reference/block-kit/block-elements#button: text 75, action_id 255, url 3,000, value 2,000,
 *   accessibility_label 75.
 * - https://api.slack.com/reference/block-kit/composition-objects: any text object 3,000; confirm dialog title 100,
 *   text 300, confirm 30, deny 30.
 * - https://api.slack.com/methods/chat.postMessage#truncating and
 *   https://api.slack.com/changelog/2018-04-truncating-really-long-messages: `text` over 40,000 characters is
 *   truncated and posted with a `message_truncated` warning (chat.postMessage and chat.postEphemeral alike).
 * - https://api.slack.com/reference/block-kit/block-elements#checkboxes: "A maximum of 10 options are allowed"; and
 *   composition-objects#option: an option's text 75, value 150, description 75.
 * - https://api.slack.com/methods/chat.update#errors: `msg_too_long`, "The `text` field cannot exceed 4,000 characters".
 *
 * Slack's refusal of blocks is `{"ok":false,"error":"invalid_blocks","errors":[...],"response_metadata":{"messages":
 * ["[ERROR] ..."]}}`, each sentence a JSON-schema message with a JSON pointer: "must be less than 3001 characters
 * [json-pointer:/blocks/0/text/text]" (preceded by "failed to match all allowed schemas [json-pointer:/blocks/0/text]"
 * for a section's text) and "no more than 50 items allowed [json-pointer:/blocks]". The docs do not quote these
 * sentences; the wording is the one public reports and client libraries record from Slack's answers.
 *
 * Characters are counted as JavaScript counts them (UTF-16 code units). Slack does not say how it counts; an astral
 * character counts two here and at most two there, so the sandbox is never more lenient than Slack.
 */

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  actionsElements: 25,
  contextElements: 10,
  headerText: 150,
  blockId: 255,
  buttonText: 75,
  buttonActionId: 255,
  buttonUrl: 3000,
  buttonValue: 2000,
  buttonAccessibilityLabel: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  checkboxOptions: 10,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  /** chat.postMessage / chat.postEphemeral truncate `text` past this. */
  messageText: 40_000,
  /** chat.update refuses `text` past this with msg_too_long. */
  updateText: 4000,
} as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const tooLong = (max: number, pointer: string) => `must be less than ${max + 1} characters [json-pointer:${pointer}]`;
const tooMany = (max: number, pointer: string) => `no more than ${max} items allowed [json-pointer:${pointer}]`;

/** A string field over `max`, as Slack words it. */
function stringField(errors: string[], value: unknown, max: number, pointer: string): void {
  if (typeof value === 'string' && value.length > max) errors.push(tooLong(max, pointer));
}

/** A text object's `text` over `max` (the smaller of the field's limit and the text object's own 3,000). */
function textObject(errors: string[], value: unknown, max: number, pointer: string, union = false): void {
  if (!isObject(value) || typeof value.text !== 'string') return;
  const limit = Math.min(max, SLACK_LIMITS.textObject);
  if (value.text.length <= limit) return;
  // A section's text may be plain_text or mrkdwn: Slack first says neither schema matched, then why.
  if (union) errors.push(`failed to match all allowed schemas [json-pointer:${pointer}]`);
  errors.push(tooLong(limit, `${pointer}/text`));
}

function confirmDialog(errors: string[], value: unknown, pointer: string): void {
  if (!isObject(value)) return;
  // The limits only: the docs now call the dialog's text plain_text, but the type is not what this module checks.
  textObject(errors, value.title, SLACK_LIMITS.confirmTitle, `${pointer}/title`);
  textObject(errors, value.text, SLACK_LIMITS.confirmText, `${pointer}/text`);
  textObject(errors, value.confirm, SLACK_LIMITS.confirmButton, `${pointer}/confirm`);
  textObject(errors, value.deny, SLACK_LIMITS.confirmButton, `${pointer}/deny`);
}

function element(errors: string[], value: unknown, pointer: string): void {
  if (!isObject(value)) return;
  stringField(errors, value.action_id, SLACK_LIMITS.buttonActionId, `${pointer}/action_id`);
  if (value.type === 'button') {
    textObject(errors, value.text, SLACK_LIMITS.buttonText, `${pointer}/text`);
    stringField(errors, value.value, SLACK_LIMITS.buttonValue, `${pointer}/value`);
    stringField(errors, value.url, SLACK_LIMITS.buttonUrl, `${pointer}/url`);
    stringField(errors, value.accessibility_label, SLACK_LIMITS.buttonAccessibilityLabel, `${pointer}/accessibility_label`);
  }
  if (value.type === 'checkboxes') checkboxes(errors, value, pointer);
  confirmDialog(errors, value.confirm, `${pointer}/confirm`);
}

/** A checkboxes element: at most ten options (and as many initial ones), each option's text, value and description. */
function checkboxes(errors: string[], value: Json, pointer: string): void {
  for (const key of ['options', 'initial_options'] as const) {
    const list = Array.isArray(value[key]) ? (value[key] as unknown[]) : [];
    if (list.length > SLACK_LIMITS.checkboxOptions) errors.push(tooMany(SLACK_LIMITS.checkboxOptions, `${pointer}/${key}`));
    list.forEach((o, j) => {
      if (!isObject(o)) return;
      textObject(errors, o.text, SLACK_LIMITS.optionText, `${pointer}/${key}/${j}/text`);
      textObject(errors, o.description, SLACK_LIMITS.optionDescription, `${pointer}/${key}/${j}/description`);
      stringField(errors, o.value, SLACK_LIMITS.optionValue, `${pointer}/${key}/${j}/value`);
    });
  }
}

function block(errors: string[], b: unknown, pointer: string): void {
  if (!isObject(b)) return;
  stringField(errors, b.block_id, SLACK_LIMITS.blockId, `${pointer}/block_id`);
  const list = (key: string) => (Array.isArray(b[key]) ? (b[key] as unknown[]) : []);
  switch (b.type) {
    case 'section':
      textObject(errors, b.text, SLACK_LIMITS.sectionText, `${pointer}/text`, true);
      if (list('fields').length > SLACK_LIMITS.sectionFields) errors.push(tooMany(SLACK_LIMITS.sectionFields, `${pointer}/fields`));
      list('fields').forEach((f, j) => textObject(errors, f, SLACK_LIMITS.sectionFieldText, `${pointer}/fields/${j}`));
      element(errors, b.accessory, `${pointer}/accessory`);
      break;
    case 'header':
      textObject(errors, b.text, SLACK_LIMITS.headerText, `${pointer}/text`);
      break;
    case 'context':
      if (list('elements').length > SLACK_LIMITS.contextElements) errors.push(tooMany(SLACK_LIMITS.contextElements, `${pointer}/elements`));
      list('elements').forEach((e, j) => textObject(errors, e, SLACK_LIMITS.textObject, `${pointer}/elements/${j}`));
      break;
    case 'actions':
      if (list('elements').length > SLACK_LIMITS.actionsElements) errors.push(tooMany(SLACK_LIMITS.actionsElements, `${pointer}/elements`));
      list('elements').forEach((e, j) => element(errors, e, `${pointer}/elements/${j}`));
      break;
  }
}

/**
 * Slack's sentences refusing these blocks, or [] when Slack would take them: a message's (at most 50, at /blocks), or
 * a view's (`max` 100 at /view/blocks).
 */
export function blockKitErrors(
  blocks: unknown,
  where: { pointer: string; max: number } = { pointer: '/blocks', max: SLACK_LIMITS.blocksPerMessage },
): string[] {
  if (!Array.isArray(blocks)) return [];
  const errors: string[] = [];
  if (blocks.length > where.max) errors.push(tooMany(where.max, where.pointer));
  blocks.forEach((b, i) => block(errors, b, `${where.pointer}/${i}`));
  return errors;
}

/** A plain_text object's text over `max`, as a view's title and buttons are checked. */
export function plainTextErrors(value: unknown, max: number, pointer: string): string[] {
  const errors: string[] = [];
  textObject(errors, value, max, pointer);
  return errors;
}

/** A string over `max` characters, as Slack words it. */
export function stringErrors(value: unknown, max: number, pointer: string): string[] {
  const errors: string[] = [];
  stringField(errors, value, max, pointer);
  return errors;
}

/** The `invalid_blocks` answer carrying `errors`, as Slack sends it. */
export function invalidBlocks(errors: string[]): Json {
  return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}

/** The warning chat.postMessage adds when it truncated `text` (the 2018 changelog's example response). */
export const TRUNCATED_WARNING = {
  messages: [
    `[WARN] Your message was truncated but still posted. The \`text\` field accepts up to ${SLACK_LIMITS.messageText.toLocaleString('en-US')} characters.`,
  ],
  warnings: ['message_truncated'],
};
