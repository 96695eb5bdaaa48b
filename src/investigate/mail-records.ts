import type { ContainContext } from '../context';
import { huntingRows } from '../graph/hunting';
import { odataDateTime } from '../graph/odata';
import { fromEmailEvent, fromEmailUrl } from './formats/graph';
import { kql } from './kql';
import type { LogRecord } from './record';

/** Rows read per hunting query at most; a mailbox with more in the window goes through an export. */
const MAX_ROWS = 10_000;

/**
 * One mailbox's mail of the window from advanced hunting: what reached it, what it sent, and the links of what
 * reached it (EmailUrlInfo), as records for the analyzer's mail detections. Errors are the caller's to turn into a note.
 */
export async function huntedMail(
  ctx: ContainContext,
  user: { id: string; userPrincipalName: string },
  from: number,
  to: number,
  options: { signal?: AbortSignal } = {},
): Promise<LogRecord[]> {
  const rows = (q: string) => huntingRows(ctx.graph, q, { what: 'advanced hunting (EmailEvents)', signal: options.signal });
  const between = `Timestamp between (datetime(${odataDateTime(from)}) .. datetime(${odataDateTime(to)}))`;
  const [inbound, sent] = await Promise.all([
    rows(`EmailEvents | where RecipientObjectId == ${kql(user.id)} and ${between} | take ${MAX_ROWS}`),
    rows(`EmailEvents | where SenderFromAddress =~ ${kql(user.userPrincipalName)} and ${between} | take ${MAX_ROWS}`),
  ]);
  const withLinks = [...new Set(inbound.filter((m) => Number(m.UrlCount ?? 0) > 0).map((m) => String(m.NetworkMessageId)))];
  const urls: Record<string, unknown>[] = [];
  for (let i = 0; i < withLinks.length; i += 200)
    urls.push(
      ...(await rows(
        `EmailUrlInfo | where NetworkMessageId in (${withLinks
          .slice(i, i + 200)
          .map(kql)
          .join(', ')}) | take ${MAX_ROWS}`,
      )),
    );
  return [...inbound.map(fromEmailEvent), ...sent.map(fromEmailEvent), ...urls.map(fromEmailUrl)].filter((r): r is LogRecord => !!r);
}
