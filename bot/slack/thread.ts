import { z } from 'zod';
import type { ThreadRef } from '../../src/incidents/model';

/**
 * What Contain keeps of a Slack conversation: the workspace (and Enterprise Grid org), the channel, and on an
 * incident the card's ts (chat.update target, parent of the status thread). A queued command also names the thread
 * its answer goes in (a mention's); an incident never does.
 */
const slackThreadSchema = z.object({ teamId: z.string(), enterpriseId: z.string().optional(), channel: z.string(), threadTs: z.string().optional(), cardTs: z.string().optional() });
export type SlackThread = z.infer<typeof slackThreadSchema>;
export const asSlackThread = (ref: ThreadRef): SlackThread => slackThreadSchema.parse(ref);
