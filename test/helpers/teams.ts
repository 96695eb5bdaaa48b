import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStack } from '../../sandbox/local-stack';
import type { ConnectorRecord } from '../../sandbox/connector';
import { SEED_IDS } from '../../sandbox/graph/seed';

export const PEOPLE = {
  riley: { id: '29:riley', aadObjectId: SEED_IDS.riley, name: 'Riley Rivera' },
  avery: { id: '29:avery', aadObjectId: SEED_IDS.avery, name: 'Avery Adams' },
  parker: { id: '29:parker', aadObjectId: SEED_IDS.parker, name: 'Parker Patel' },
  quinn: { id: '29:quinn', aadObjectId: SEED_IDS.quinn, name: 'Quinn Quigley' },
  sam: { id: '29:sam', aadObjectId: SEED_IDS.sam, name: 'Sam Sato' },
};
export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'teams', name), 'utf8'));
}

/** A Teams activity from a recorded fixture, pointed at the stack's fake connector. */
export function activity(stack: LocalStack, name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const a = fixture(name);
  return { ...a, id: randomUUID(), timestamp: new Date().toISOString(), serviceUrl: `${stack.url}/sandbox/connector/`, ...overrides };
}

export function channelMention(
  stack: LocalStack,
  from: Person,
  text: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const a = activity(stack, 'channel-mention.json', { from, ...extra });
  return { ...a, text: `<at>Contain</at> ${text}` };
}

export function personalMessage(stack: LocalStack, from: Person, text: string) {
  return activity(stack, 'personal-message.json', { from, text });
}

export function executeInvoke(
  stack: LocalStack,
  from: Person,
  verb: string,
  data: Record<string, string>,
  conversationId: string,
  replyToId?: string,
) {
  const a = activity(stack, 'invoke-action-execute.json', { from, replyToId });
  const conversation = { ...(a.conversation as object), id: conversationId };
  return { ...a, conversation, value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' } };
}

/**
 * A dialog's invoke, as Teams sends it: task/fetch when an Action.Submit with msteams task/fetch is pressed on a card,
 * task/submit when an Action.Submit inside the dialog is.
 */
export function taskFetch(
  stack: LocalStack,
  from: { id: string; aadObjectId: string; name: string },
  data: Record<string, string>,
  conversationId: string,
  name: 'task/fetch' | 'task/submit' = 'task/fetch',
) {
  const a = activity(stack, 'invoke-action-execute.json', { from, name });
  return {
    ...a,
    conversation: { ...(a.conversation as object), id: conversationId },
    value: { data: { ...data, ...(name === 'task/fetch' ? { msteams: { type: 'task/fetch' } } : {}) }, context: { theme: 'default' } },
  };
}

/** POST an activity to the stack's real /api/messages handler. */
export async function post(stack: LocalStack, act: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${stack.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(act),
  });
  const text = await r.text();
  let body: unknown = text || undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* a plain-text answer, e.g. "Unauthorized" */
  }
  return { status: r.status, body };
}

/** The Adaptive Cards attached to a connector record. */
export const cardsOf = (r: ConnectorRecord): Record<string, unknown>[] =>
  ((r.activity.attachments as { content: Record<string, unknown> }[] | undefined) ?? []).map((a) => a.content);

/** JSON text of anything, '' for undefined: for substring assertions on cards and payloads. */
export const json = (v: unknown): string => JSON.stringify(v) ?? '';

/** Contain added to the SOC channel (conversationUpdate, membersAdded naming the bot), as Teams sends it. */
export function botAdded(
  stack: LocalStack,
  from: Person = PEOPLE.riley,
  channel = '19:soc-incidents@thread.tacv2',
): Record<string, unknown> {
  const a = activity(stack, 'channel-mention.json', { from });
  return {
    ...a,
    type: 'conversationUpdate',
    text: undefined,
    entities: undefined,
    conversation: { ...(a.conversation as object), id: channel },
    membersAdded: [{ id: '28:contain-bot', name: 'Contain' }],
    channelData: { ...(a.channelData as object), channel: { id: channel }, eventType: 'teamMemberAdded' },
  };
}
