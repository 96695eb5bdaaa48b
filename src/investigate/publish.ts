import { randomUUID } from 'node:crypto';
import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import type { Grant } from '../incidents/policy';
import { resultLink } from '../links';
import type { Download } from '../views/types';
import { resultId } from '../ids';

/** What an investigation command produced: the card, and everything behind it. */
export interface Investigated<V> {
  view: V;
  /** The full result as JSON (every finding, not the card's top ones). */
  full: unknown;
  /** The same for people: a Markdown document. */
  markdown: string;
  /** The incident timeline picture, kept next to the Markdown and linked from the card. */
  svg?: string;
}

/**
 * Keep the full result in blob storage and put signed, expiring links to it on the card. Storage trouble costs the
 * links, never the answer: the card then says why there is no link. Whoever holds a link can read the result, so links
 * are minted only for someone checked for a role that may read results (`reader`).
 */
export async function withDownload<V extends { download?: Download; notes: string[] }>(
  ctx: ContainContext,
  reader: Grant,
  kind: string,
  r: Investigated<V>,
): Promise<V> {
  if (reader.role === 'anyone') throw new ContainError('INTERNAL', 'Result links need a responder or approver.', { details: { kind } });
  const now = ctx.now();
  const id = resultId(kind, now, randomUUID());
  const markdown = resultLink(ctx.config, id, 'md', now);
  const json = resultLink(ctx.config, id, 'json', now);
  const timeline = r.svg ? resultLink(ctx.config, id, 'svg', now) : undefined;
  if (!markdown || !json)
    return { ...r.view, notes: [...r.view.notes, 'The full result is not linked: links need CONTAIN_LINK_KEY (see docs/operations.md).'] };
  try {
    await ctx.results.put(id, { json: JSON.stringify(r.full, null, 2), md: r.markdown, ...(r.svg ? { svg: r.svg } : {}) });
  } catch (err) {
    ctx.log.warn('could not keep the full result', { err, kind });
    return {
      ...r.view,
      notes: [...r.view.notes, 'The full result could not be stored just now, so it is not linked; run the command again, or use the CLI.'],
    };
  }
  const expires = new Date(now.getTime() + ctx.config.links.ttlHours * 3_600_000).toISOString();
  return { ...r.view, download: { markdown, json, expires, ...(timeline ? { timeline } : {}) } };
}
