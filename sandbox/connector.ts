import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TEAMS_LIMITS, activityCardProblem, teamsPayloadBytes } from './teams-limits';

export interface ConnectorRecord {
  op: 'send' | 'reply' | 'update' | 'delete' | 'createConversation';
  conversationId: string;
  activityId: string;
  replyToId?: string;
  activity: Record<string, unknown>;
  time: string;
  /** UTF-16 bytes of the activity as Teams counts them (sandbox/teams-limits.ts). */
  bytes?: number;
}

/** An activity the connector turned away: what was sent, and Teams' answer. */
export interface ConnectorRefusal {
  op: 'send' | 'reply' | 'update' | 'createConversation';
  conversationId: string;
  activity: Record<string, unknown>;
  bytes: number;
  status: number;
  code: string;
  message: string;
  time: string;
}

export interface ConnectorLimits {
  /** UTF-16 bytes past which an activity is refused with 413 MessageSizeTooBig (Teams documents 100 KB). */
  maxMessageBytes: number;
}

/** PUT /sandbox/connector/limits: try a card against an older or stricter limit (the docs said 28 KB, then 40 KB). */
export const connectorLimitsSchema = z
  .object({ maxMessageBytes: z.number().int().min(1000).max(10_000_000) })
  .partial()
  .strict();

/**
 * A fake Bot Connector service: the bot's replies and card updates land here (the incoming activity's serviceUrl
 * points at it), so tests and the playground can see exactly what Teams would have shown. It refuses what Teams
 * refuses or cannot show: activities over the size limit (413 MessageSizeTooBig) and Adaptive Cards Teams does not
 * render (400, sandbox/teams-limits.ts); refusals are kept apart for tests to read.
 */
export class FakeConnector {
  private records: ConnectorRecord[] = [];
  private turnedAway: ConnectorRefusal[] = [];
  private listeners = new Set<(r: ConnectorRecord) => void>();
  private seq = 0;
  /** Mutable: tests and the playground may tighten or loosen the size limit. */
  readonly limits: ConnectorLimits;

  constructor(limits: Partial<ConnectorLimits> = {}) {
    this.limits = { maxMessageBytes: TEAMS_LIMITS.messageBytes, ...limits };
  }

  all(): ConnectorRecord[] {
    return [...this.records];
  }
  /** Activities refused since the last clear, oldest first. */
  refusals(): ConnectorRefusal[] {
    return [...this.turnedAway];
  }
  clear(): void {
    this.records = [];
    this.turnedAway = [];
  }
  onRecord(fn: (r: ConnectorRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Latest version of each activity (sends merged with later updates). */
  activities(): Map<string, ConnectorRecord> {
    const out = new Map<string, ConnectorRecord>();
    for (const r of this.records) out.set(r.activityId, r);
    return out;
  }

  /** Handle a Bot Connector REST call; `path` is below the mount point, e.g. /v3/conversations/{id}/activities. */
  handle(method: string, path: string, bodyText: string): { status: number; body: unknown } {
    const body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : {};
    const parts = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
    // [v3, conversations, {conversationId}, activities, {activityId}?]
    if (parts[0] !== 'v3' || parts[1] !== 'conversations') return { status: 404, body: { error: { code: 'NotFound', message: path } } };
    if (parts.length === 2 && method === 'POST') {
      const first = isObject(body.activity) ? body.activity : undefined;
      const refused = first && this.refuse('createConversation', '', first, JSON.stringify(first));
      if (refused) return refused;
      // A new thread in a channel: its conversation id names the channel and the root message, whose id comes apart.
      const messageId = String(Date.now() * 1000 + (this.seq++ % 1000));
      const id = `${(body.channelData as { channel?: { id?: string } })?.channel?.id ?? 'conv'};messageid=${messageId}`;
      this.push({
        op: 'createConversation',
        conversationId: id,
        activityId: messageId,
        activity: first ? { ...first, id: messageId } : body,
        time: new Date().toISOString(),
        bytes: first ? teamsPayloadBytes(JSON.stringify(first)) : undefined,
      });
      return { status: 200, body: { id, activityId: messageId } };
    }
    const conversationId = parts[2];
    if (parts[3] !== 'activities') return { status: 404, body: { error: { code: 'NotFound', message: path } } };
    const activityId = parts[4];
    if (method === 'POST' || (method === 'PUT' && activityId)) {
      const refused = this.refuse(method === 'PUT' ? 'update' : activityId ? 'reply' : 'send', conversationId, body, bodyText);
      if (refused) return refused;
    }
    const bytes = teamsPayloadBytes(bodyText);
    if (method === 'POST') {
      const id = randomUUID();
      this.push({
        op: activityId ? 'reply' : 'send',
        conversationId,
        activityId: id,
        replyToId: activityId,
        activity: { ...body, id },
        time: new Date().toISOString(),
        bytes,
      });
      return { status: 200, body: { id } };
    }
    if (method === 'PUT' && activityId) {
      this.push({ op: 'update', conversationId, activityId, activity: { ...body, id: activityId }, time: new Date().toISOString(), bytes });
      return { status: 200, body: { id: activityId } };
    }
    if (method === 'DELETE' && activityId) {
      this.push({ op: 'delete', conversationId, activityId, activity: {}, time: new Date().toISOString() });
      return { status: 200, body: {} };
    }
    return { status: 405, body: { error: { code: 'MethodNotAllowed', message: method } } };
  }

  /** Teams' answer when it would not take this activity (too big, or a card it cannot show); undefined when it would. */
  private refuse(
    op: ConnectorRefusal['op'],
    conversationId: string,
    activity: Record<string, unknown>,
    json: string,
  ): { status: number; body: unknown } | undefined {
    const bytes = teamsPayloadBytes(json);
    const problem = activityCardProblem(activity);
    const answer =
      bytes > this.limits.maxMessageBytes
        ? { status: 413, code: 'MessageSizeTooBig', message: 'Message size too large.' }
        : problem
          ? {
              status: 400,
              code: 'BadArgument',
              message: `Sandbox: ${problem} Teams would post it and show "We're sorry, this card couldn't be displayed".`,
            }
          : undefined;
    if (!answer) return undefined;
    this.turnedAway.push({ op, conversationId, activity, bytes, ...answer, time: new Date().toISOString() });
    return { status: answer.status, body: { error: { code: answer.code, message: answer.message } } };
  }

  private push(r: ConnectorRecord): void {
    this.records.push(r);
    for (const l of this.listeners) l(r);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
