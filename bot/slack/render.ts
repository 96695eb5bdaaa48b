import { renderBlockKit } from '../../cards/blockkit/render';
import type { View } from '../../src/views/types';

/** chat.postMessage / chat.update arguments for a view model. */
export function slackMessage(view: View): { text: string; blocks: Record<string, unknown>[] } {
  const m = renderBlockKit(view);
  return { text: m.text, blocks: m.blocks };
}
