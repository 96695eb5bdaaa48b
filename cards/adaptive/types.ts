import type { ButtonVerb } from '../../src/views/buttons';
import type { Tone } from '../../src/views/types';
import { escapeMarkdown } from '../text';

/** The subset of Adaptive Card 1.5 JSON that Contain emits. */
export type Element = Record<string, unknown> & { type: string };
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: Element[];
  actions?: Element[];
  msteams?: { width?: 'Full' };
  refresh?: unknown;
}

export const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * The card's share of a Teams message: Teams refuses activities over 100 KB of UTF-16 and advises staying under 80 KB
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages); the activity around the
 * card (ids, conversation, summary) takes the rest.
 */
export const TEAMS_CARD_BYTES = 70_000;

/** A card's size as Teams counts it: its JSON as UTF-16, two bytes a code unit. */
export const cardBytes = (c: AdaptiveCard): number => JSON.stringify(c).length * 2;

export function card(body: Element[], actions?: Element[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    body,
    ...(actions && actions.length ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

export function text(value: string, extra: Record<string, unknown> = {}): Element {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

/**
 * A Universal Action (Action.Execute, answered by the bot as an invoke) with an Action.Submit fallback for clients
 * older than schema 1.4. Data carries only the verb and an opaque reference.
 */
export function execute(title: string, verb: ButtonVerb, data: Record<string, string>, style?: 'positive' | 'destructive'): Element {
  const payload = { verb, ...data };
  return {
    type: 'Action.Execute',
    title,
    verb,
    data: payload,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title, data: { ...payload, msteams: { type: 'messageBack', text: title } } },
  };
}

/** Adaptive Card text colours for a view's tone. */
export const color: Record<Tone, string> = { default: 'Default', good: 'Good', warning: 'Warning', attention: 'Attention' };

/**
 * A button inside a Teams dialog: dialogs take Action.Submit (answered by the bot as task/submit), not Universal
 * Actions. Data carries only the verb and an opaque reference, as on the card.
 */
export function submit(title: string, verb: ButtonVerb, data: Record<string, string>, style?: 'positive' | 'destructive'): Element {
  return { type: 'Action.Submit', title, data: { verb, ...data }, ...(style ? { style } : {}) };
}

/** A card's line for this viewer (why a click was refused, what just happened), boxed in its tone's colour. */
export function bannerBox(banner: { tone: Tone; text: string }): Element {
  return {
    type: 'Container',
    style: banner.tone === 'good' ? 'good' : banner.tone === 'default' ? 'emphasis' : banner.tone,
    items: [text(escapeMarkdown(banner.text), { color: color[banner.tone], weight: 'Bolder' })],
  };
}
