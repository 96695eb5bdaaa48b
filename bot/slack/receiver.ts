import type { HttpResponseInit } from '@azure/functions';
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../src/log';

/** Slack's replay window: requests timestamped more than five minutes from now, either way, are refused. */
const MAX_SKEW_SECONDS = 5 * 60;

export interface SlackHttpRequest {
  rawBody: string;
  header(name: string): string | null;
}

/**
 * Bolt receiver for Azure Functions: verify the signature on the raw bytes (constant-time, 5-minute replay window both ways)
 * before parsing anything, answer url_verification, hand everything else to Bolt, and return whatever the listener
 * acknowledged as the HTTP response. Listeners only acknowledge and enqueue, so this returns in milliseconds.
 */
export class FunctionsReceiver implements Receiver {
  private app?: App;

  constructor(
    private readonly signingSecret: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  init(app: App): void {
    this.app = app;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }

  async handle(req: SlackHttpRequest): Promise<HttpResponseInit> {
    const signature = req.header('x-slack-signature');
    const timestamp = Number(req.header('x-slack-request-timestamp'));
    if (!signature || !Number.isFinite(timestamp)) return { status: 401, jsonBody: { error: 'missing Slack signature' } };
    // Bolt's check only refuses old timestamps; one from the future could be replayed until it becomes "now".
    if (Math.abs(this.now() / 1000 - timestamp) > MAX_SKEW_SECONDS) {
      this.log.warn('slack request rejected', { reason: 'timestamp outside the 5-minute window' });
      return { status: 401, jsonBody: { error: 'invalid Slack signature' } };
    }
    try {
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body: req.rawBody,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: this.now(),
      });
    } catch (err) {
      this.log.warn('slack request rejected', {
        reason: (err as Error).message.replace(/signature.*$/i, 'signature mismatch').slice(0, 120),
      });
      return { status: 401, jsonBody: { error: 'invalid Slack signature' } };
    }
    const body = parseBody(req.rawBody, req.header('content-type') ?? '');
    if (!body) return { status: 400, jsonBody: { error: 'unreadable body' } };
    if (body.type === 'url_verification' && typeof body.challenge === 'string')
      return { status: 200, jsonBody: { challenge: body.challenge } };
    if (!this.app) throw new Error('receiver not initialised');

    let response: HttpResponseInit | undefined;
    let acked = false;
    const event: ReceiverEvent = {
      body,
      retryNum: req.header('x-slack-retry-num') ? Number(req.header('x-slack-retry-num')) : undefined,
      retryReason: req.header('x-slack-retry-reason') ?? undefined,
      ack: async (payload?: unknown) => {
        if (acked) return;
        acked = true;
        if (payload === undefined || payload === '') response = { status: 200 };
        else response = typeof payload === 'string' ? { status: 200, body: payload } : { status: 200, jsonBody: payload };
      },
    };
    try {
      await this.app.processEvent(event);
    } catch (err) {
      this.log.error('slack listener failed', { err });
      if (!acked)
        return {
          status: 200,
          jsonBody: { response_type: 'ephemeral', text: 'Contain could not process that. Nothing was changed; try again.' },
        };
    }
    return response ?? { status: 200 };
  }
}

/** Slash commands and interactivity arrive form-encoded (interactivity as a JSON `payload` field); events as JSON. */
export function parseBody(raw: string, contentType: string): Record<string, unknown> | undefined {
  try {
    if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
    return form;
  } catch {
    return undefined;
  }
}
