import { z } from 'zod';
import type { ThreadRef } from '../../src/incidents/model';

/**
 * What Contain keeps of a Slack conversation: the workspace (and Enterprise Grid org), the channel, and on an
 * incident the card's ts (chat.update target, parent of the status thread). A queued command also names the thread
 * its answer goes in (a mention's); an incident never does.
 */
const slackThreadSchema = z.object({
  teamId: z.string(),
  enterpriseId: z.string().optional(),
  channel: z.string(),
  threadTs: z.string().optional(),
  cardTs: z.string().optional(),
});
export type SlackThread = z.infer<typeof slackThreadSchema>;
export const asSlackThread = (ref: ThreadRef): SlackThread => slackThreadSchema.parse(ref);

/**
 * Where a "Show all" modal came from, kept in the modal's private_metadata (at most 3,000 characters): a button
 * pressed inside it arrives without a channel or message, and its answer belongs with the card it was opened from.
 */
const modalOriginSchema = z.object({ channel: z.string().max(64), message: z.string().max(64).optional() });
export type ModalOrigin = z.infer<typeof modalOriginSchema>;
export const modalMetadata = (origin: ModalOrigin): string => JSON.stringify(origin);
export function modalOrigin(metadata: string | undefined): ModalOrigin | undefined {
  try {
    return modalOriginSchema.parse(JSON.parse(metadata ?? ''));
  } catch {
    return undefined;
  }
}
