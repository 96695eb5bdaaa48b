import { md, mdTable } from '../views/markdown';
import type { AttackerActivity } from './activity';
import { formatMinute } from '../views/time';

/**
 * "What the attacker touched", for breach-notification decisions: per attacker session or address, the mail read
 * (Internet message ids and subjects), folders synchronised whole, searches, files and mail sent.
 */
export function attackerActivityMarkdown(a: Pick<AttackerActivity, 'byActor'>, limit = 200): string[] {
  if (!a.byActor.length) return ['Nothing the attacker read, searched, opened or sent is in these logs.', ''];
  const out: string[] = [];
  for (const x of a.byActor) {
    const who = [
      x.sessionId ? `session \`${x.sessionId}\`` : '',
      x.ip
        ? `address ${x.ip
            .split(', ')
            .map((i) => `\`${i}\``)
            .join(', ')}`
        : '',
      !x.sessionId && !x.ip ? 'mail rows' : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.push(`### ${md(x.user)}: ${who}`, '', `${formatMinute(x.first)} to ${formatMinute(x.last)} UTC.`, '');
    if (x.mailRead.length)
      out.push(
        `**Mail read** (${x.mailRead.length}):`,
        '',
        ...mdTable(
          ['Internet message id', 'Subject', 'Folder'],
          x.mailRead.slice(0, limit).map((m) => [m.internetMessageId, m.subject ?? '', m.folder ?? '']),
        ),
        ...(x.mailRead.length > limit ? [`… and ${x.mailRead.length - limit} more in the JSON result.`] : []),
        '',
      );
    if (x.foldersSynced.length)
      out.push(
        `**Folders synchronised whole** (every item in them must be taken as read): ${x.foldersSynced.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', ')}`,
        '',
      );
    if (x.mailAccessRecords) out.push(`**Mail access records naming no item**: ${x.mailAccessRecords}`, '');
    if (x.searches.length) out.push(`**Searches**: ${x.searches.map((s) => `"${md(s)}"`).join(', ')}`, '');
    if (x.files.length)
      out.push(`**Files** (${x.files.length}):`, '', ...x.files.slice(0, limit).map((f) => `- ${md(f.operation)}: ${md(f.name)}`), '');
    if (x.mailSent.length)
      out.push(
        `**Mail sent** (${x.mailSent.length}):`,
        '',
        ...mdTable(
          ['Internet message id', 'Subject', 'To'],
          x.mailSent
            .slice(0, limit)
            .map((m) => [m.internetMessageId ?? `audit record ${m.recordId ?? ''}`, m.subject ?? '', m.recipient ?? '']),
        ),
        '',
      );
  }
  return out;
}

/** "1231 flow-created, 711 consent": what the context holds, so that a long list starts with its shape. */
export function contextSummary(context: { category: string }[]): string {
  const by = new Map<string, number>();
  for (const c of context) by.set(c.category, (by.get(c.category) ?? 0) + 1);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
}
