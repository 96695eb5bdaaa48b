import type { ContainContext } from '../../src/context';
import type { Command } from '../../src/commands';
import { releaseFastPath } from '../../src/incidents/open-containment';
import { updateThreads } from '../../src/incidents/threads';
import { errorView } from '../errors';
import { progressLine } from '../progress';
import { route, type RouteOutput } from '../router';
import type { Surface } from './surface';

/**
 * Run a parsed command in its conversation: one progress line while long reads run, the router (roles, use case),
 * then everything that follows routing. Any failure becomes one error message in the conversation.
 */
export async function runCommand(
  ctx: ContainContext,
  surface: Surface,
  command: Command,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const progress = progressLine(
    (text) => surface.postText(text),
    (id, text) => surface.updateText(id, text),
    surface.log,
  );
  try {
    const out = await route(ctx, { command, actor: await surface.actor(), surface, progress, signal: options.signal });
    await deliver(ctx, surface, out);
  } catch (err) {
    await surface.post(errorView(err, surface.log));
  }
}

/**
 * What happens after routing, in this order: post each view; for a new incident's card (or posture record's), record where it went, then
 * release the fast path, so that the worker's first update replaces that card instead of racing it.
 */
export async function deliver(ctx: ContainContext, surface: Surface, out: RouteOutput): Promise<void> {
  for (const view of out.views) {
    const messageId = await surface.post(view);
    if (!out.incidentId || (view.kind !== 'containment' && view.kind !== 'posture-change')) continue;
    if (messageId)
      await updateThreads(ctx, out.incidentId, (t) =>
        t[surface.name] ? { ...t, [surface.name]: { ...t[surface.name], [surface.cardField]: messageId } } : t,
      );
    await releaseFastPath(ctx, out.incidentId);
  }
}
