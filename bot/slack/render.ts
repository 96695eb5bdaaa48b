import { renderBlockKit, renderSlackModal, type SlackModal } from '../../cards/blockkit/render';
import type { View } from '../../src/views/types';

/** chat.postMessage / chat.update arguments for a view model. */
export function slackMessage(view: View): { text: string; blocks: Record<string, unknown>[] } {
  const m = renderBlockKit(view);
  return { text: m.text, blocks: m.blocks };
}

/** views.open / views.update's view for a view model (Show all of a step, or what stands in its place). */
export function slackModal(view: View): SlackModal {
  return renderSlackModal(view);
}
