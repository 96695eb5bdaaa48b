import { blockKitErrors, plainTextErrors, stringErrors } from './slack-limits';

/**
 * Slack's modals as the fake Web API keeps them: views.open exchanges a trigger for a modal, views.update replaces it.
 *
 * Sources (each in a test in test/conformance/slack-views.test.ts):
 * - https://docs.slack.dev/reference/views/modal-views: `title` a plain_text of at most 24 characters, `blocks` at most
 *   100, `close` and `submit` at most 24, `private_metadata` at most 3,000, `callback_id` at most 255.
 * - https://docs.slack.dev/reference/methods/views.open and views.update: `view_too_large` past 250 kB, `not_found`
 *   for an unknown view_id, `hash_conflict` when the hash given is not the view's current one.
 * - Trigger ids: "Pass a valid trigger_id within 3 seconds of receiving it"
 *   (https://docs.slack.dev/tools/bolt-js/concepts/creating-modals); `expired_trigger_id`, `exchanged_trigger_id`
 *   (used already) and `invalid_trigger_id` are the errors Slack documents for views.push, which takes the same trigger.
 * A view that breaks the schema is answered `invalid_arguments` with "[ERROR] must be less than 25 characters
 * [json-pointer:/view/title/text]" in response_metadata.messages: the docs do not quote the sentences; the wording is
 * the one public reports record from Slack's answers, the same as for messages' blocks (sandbox/slack-limits.ts).
 *
 * Slack does not say what a trigger id is made of. The sandbox's own clients (the tests' and the playground's Slack
 * payloads) write the time they issued it first, in milliseconds ("1764500000000.7.act"); the fake refuses such a
 * trigger once it is older than 3 seconds, and takes any other as fresh.
 */
export const SLACK_VIEW_LIMITS = {
  blocks: 100,
  title: 24,
  button: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  viewBytes: 250_000,
  triggerMs: 3000,
} as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface SlackModalRecord {
  id: string;
  hash: string;
  view: Json;
  /** The trigger that opened it: the playground finds the modal its click opened by it. */
  trigger: string;
  opened: string;
  updated?: string;
}

type Answer = { ok: true; view: Json } | { ok: false; error: string; response_metadata?: { messages: string[] } };

/** Slack's sentences refusing this modal view, or [] when it would take it. */
export function modalErrors(view: Json): string[] {
  const L = SLACK_VIEW_LIMITS;
  const errors: string[] = [];
  if (view.type !== 'modal')
    errors.push('must be one of the view types views.open and views.update accept: modal [json-pointer:/view/type]');
  if (!isObject(view.title)) errors.push('missing required field: title [json-pointer:/view]');
  if (!Array.isArray(view.blocks)) errors.push('missing required field: blocks [json-pointer:/view]');
  errors.push(
    ...plainTextErrors(view.title, L.title, '/view/title'),
    ...plainTextErrors(view.close, L.button, '/view/close'),
    ...plainTextErrors(view.submit, L.button, '/view/submit'),
  );
  errors.push(
    ...stringErrors(view.private_metadata, L.privateMetadata, '/view/private_metadata'),
    ...stringErrors(view.callback_id, L.callbackId, '/view/callback_id'),
    ...stringErrors(view.external_id, L.externalId, '/view/external_id'),
  );
  errors.push(...blockKitErrors(view.blocks, { pointer: '/view/blocks', max: L.blocks }));
  return errors;
}

/** What Slack says to a view it will not take, or undefined. */
function refusal(view: unknown): Answer | undefined {
  if (!isObject(view))
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: view'] } };
  if (Buffer.byteLength(JSON.stringify(view)) > SLACK_VIEW_LIMITS.viewBytes) return { ok: false, error: 'view_too_large' };
  const errors = modalErrors(view);
  return errors.length
    ? { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } }
    : undefined;
}

/** The modals the fake Slack workspace has open. */
export class FakeSlackViews {
  private readonly exchanged = new Set<string>();
  readonly views = new Map<string, SlackModalRecord>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.views.clear();
    this.exchanged.clear();
  }

  /** views.open: a fresh, unused trigger and a view Slack takes. */
  open(args: Json): Answer {
    const trigger = typeof args.trigger_id === 'string' ? args.trigger_id : '';
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (this.exchanged.has(trigger)) return { ok: false, error: 'exchanged_trigger_id' };
    const issued = /^(\d{13})\./.exec(trigger)?.[1];
    if (issued && this.now() - Number(issued) > SLACK_VIEW_LIMITS.triggerMs) return { ok: false, error: 'expired_trigger_id' };
    const refused = refusal(args.view);
    if (refused) return refused;
    this.exchanged.add(trigger);
    const id = `V0${String(++this.seq).padStart(8, '0')}`;
    const record: SlackModalRecord = {
      id,
      hash: this.hash(),
      view: args.view as Json,
      trigger,
      opened: new Date(this.now()).toISOString(),
    };
    this.views.set(id, record);
    return { ok: true, view: this.shape(record) };
  }

  /** views.update: an open view (by view_id), at the hash given if any. */
  update(args: Json): Answer {
    const record = this.views.get(String(args.view_id ?? ''));
    if (!record) return { ok: false, error: 'not_found' };
    if (args.hash !== undefined && args.hash !== record.hash) return { ok: false, error: 'hash_conflict' };
    const refused = refusal(args.view);
    if (refused) return refused;
    Object.assign(record, { view: args.view as Json, hash: this.hash(), updated: new Date(this.now()).toISOString() });
    return { ok: true, view: this.shape(record) };
  }

  private hash(): string {
    return `${Math.floor(this.now() / 1000)}.${++this.seq}`;
  }

  private shape(r: SlackModalRecord): Json {
    return { ...r.view, id: r.id, hash: r.hash, root_view_id: r.id, previous_view_id: null, state: { values: {} } };
  }
}
