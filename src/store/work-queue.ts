import { z } from 'zod';
import { commandSchema } from '../commands';
import { buttonPressSchema } from '../views/buttons';
import { queueBody } from './queue-body';

/**
 * Where a command or button press came from, as the platform adapter in bot/ that enqueued it needs it again: the
 * platform's name, its opaque thread reference (read only by that adapter) and who acted.
 */
const conversation = {
  /** The delivery's idempotency key: the worker claims it before acting, so redeliveries do nothing twice. */
  key: z.string(),
  surface: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
  thread: z.record(z.string(), z.string().max(2048)),
  actor: z.object({ id: z.string().max(256), name: z.string().max(256), aadObjectId: z.string().max(64).optional() }),
};

/** An alert-opened incident request (src/alerts/poll.ts AlertIncidentRequest) as queued for the worker to open. */
const alertRequestSchema = z.object({
  key: z.string().max(200),
  userId: z.string().max(64),
  userPrincipalName: z.string().max(256).optional(),
  displayName: z.string().max(256).optional(),
  requester: z.literal('alert'),
  generation: z.number().int().min(0),
  signals: z
    .array(
      z.object({
        source: z.enum(['identityProtection', 'defenderAlerts', 'defenderIncidents']),
        id: z.string().max(256),
        title: z.string().max(512),
        severity: z.string().max(32),
        at: z.string().max(40),
        rule: z.string().max(64),
        reason: z.string().max(512),
        url: z.string().max(2048).optional(),
      }),
    )
    .min(1)
    .max(20),
  firstSeen: z.string().max(40),
});

/** A unit of work for the worker. */
export const workMessageSchema = z.discriminatedUnion('type', [
  /** Run approved actions of one incident; several ids run as one batched unit (snapshot, act, verify). */
  z.object({ type: z.literal('execute'), incidentId: z.string(), actionIds: z.array(z.string()).min(1).max(100), key: z.string() }),
  /** Open the incident for an alert in the incident channel, once per request key. */
  z.object({ type: z.literal('alert'), key: z.string(), request: alertRequestSchema }),
  /** Run a phishing wave's next slice (open incidents, refresh progress); `step` keeps one chain of slices. */
  z.object({
    type: z.literal('wave'),
    key: z.string(),
    campaignId: z.string().max(64),
    step: z.number().int().min(0),
    chain: z.string().max(32).optional(),
  }),
  /** A command, parsed and acknowledged already; the worker runs it and answers in the conversation. */
  z.object({ type: z.literal('command'), ...conversation, command: commandSchema }),
  /**
   * A button press, acknowledged already; `message` is the message the button was on, `dialog` the dialog opened at
   * the click that the answer goes into (a Slack modal's view id).
   */
  z.object({
    type: z.literal('button'),
    ...conversation,
    press: buttonPressSchema,
    message: z.string().max(256).optional(),
    dialog: z.string().max(64).optional(),
  }),
  /** A message to post in the conversation: the answer to input that could not be acknowledged with one (a bad mention). */
  z.object({
    type: z.literal('reply'),
    ...conversation,
    view: z.object({
      kind: z.literal('message'),
      tone: z.enum(['default', 'good', 'warning', 'attention']),
      title: z.string().max(200),
      text: z.string().max(4000),
    }),
  }),
]);
export type WorkMessage = z.infer<typeof workMessageSchema>;
/** The messages a chat platform's adapter enqueues and runs. */
export type ConversationMessage = Exclude<WorkMessage, { type: 'execute' | 'alert' | 'wave' }>;
/** An alert-opened incident request as queued. */
export type QueuedAlertRequest = z.infer<typeof alertRequestSchema>;

/** Where use cases hand work to the worker: Queue Storage (src/store/queue-storage.ts) or memory in tests. */
export interface WorkQueue {
  /** Enqueue one message (validated first); `delaySeconds` keeps it invisible that long. */
  send(message: WorkMessage, options?: { delaySeconds?: number; signal?: AbortSignal }): Promise<void>;
}

/** Decode a queue message body (base64 JSON, or plain JSON as the Functions host hands it over after decoding). */
export function decodeWorkMessage(input: unknown): WorkMessage | undefined {
  const r = workMessageSchema.safeParse(queueBody(input));
  return r.success ? r.data : undefined;
}
