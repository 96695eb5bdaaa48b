import { randomUUID } from 'node:crypto';

export interface ConnectorRecord {
  op: 'send' | 'reply' | 'update' | 'delete' | 'createConversation';
  conversationId: string;
  activityId: string;
  replyToId?: string;
  activity: Record<string, unknown>;
  time: string;
}

/**
 * A fake Bot Connector service: the bot's replies and card updates land here (the incoming activity's serviceUrl
 * points at it), so tests and the playground can see exactly what Teams would have shown.
 */
export class FakeConnector {
  private records: ConnectorRecord[] = [];
  private listeners = new Set<(r: ConnectorRecord) => void>();

  all(): ConnectorRecord[] {
    return [...this.records];
  }
  clear(): void {
    this.records = [];
  }
  onRecord(fn: (r: ConnectorRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Latest version of each activity (sends merged with later updates). */
  activities(): Map<string, ConnectorRecord> {
    const out = new Map<string, ConnectorRecord>();
    for (const r of this.records) if (r.op !== 'createConversation') out.set(r.activityId, r);
    return out;
  }

  /** Handle a Bot Connector REST call; `path` is below the mount point, e.g. /v3/conversations/{id}/activities. */
  handle(method: string, path: string, bodyText: string): { status: number; body: unknown } {
    const body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : {};
    const parts = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
    // [v3, conversations, {conversationId}, activities, {activityId}?]
    if (parts[0] !== 'v3' || parts[1] !== 'conversations') return { status: 404, body: { error: { code: 'NotFound', message: path } } };
    if (parts.length === 2 && method === 'POST') {
      const id = `${(body.channelData as { channel?: { id?: string } })?.channel?.id ?? 'conv'};messageid=${Date.now()}`;
      this.push({ op: 'createConversation', conversationId: id, activityId: id, activity: body, time: new Date().toISOString() });
      return { status: 200, body: { id, activityId: id } };
    }
    const conversationId = parts[2];
    if (parts[3] !== 'activities') return { status: 404, body: { error: { code: 'NotFound', message: path } } };
    const activityId = parts[4];
    if (method === 'POST') {
      const id = randomUUID();
      this.push({ op: activityId ? 'reply' : 'send', conversationId, activityId: id, replyToId: activityId, activity: { ...body, id }, time: new Date().toISOString() });
      return { status: 200, body: { id } };
    }
    if (method === 'PUT' && activityId) {
      this.push({ op: 'update', conversationId, activityId, activity: { ...body, id: activityId }, time: new Date().toISOString() });
      return { status: 200, body: { id: activityId } };
    }
    if (method === 'DELETE' && activityId) {
      this.push({ op: 'delete', conversationId, activityId, activity: {}, time: new Date().toISOString() });
      return { status: 200, body: {} };
    }
    return { status: 405, body: { error: { code: 'MethodNotAllowed', message: method } } };
  }

  private push(r: ConnectorRecord): void {
    this.records.push(r);
    for (const l of this.listeners) l(r);
  }
}
