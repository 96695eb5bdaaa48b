import { analyze, type AnalysisResult } from '../investigate/analyze';
import { attackerActivityMarkdown, contextSummary } from '../investigate/activity-markdown';
import { readRecordBatches, UnreadableFile } from '../investigate/reader';
import { timelineEvents, timelineLanes } from '../investigate/timeline';
import { ContainError } from '../errors';
import { markdownImage, timelineSvg } from '../views/timeline-svg';
import { formatSecond } from '../views/time';

export interface AnalyzeArgs {
  files: string[];
  user?: string;
  from?: string;
  to?: string;
  format: 'json' | 'table' | 'markdown';
  tzOffsetMinutes: number;
}

/** Parse `analyze` arguments: files, --user, --from, --to, --format, --tz (offset of local-time CSV dates). */
export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs {
  const out: AnalyzeArgs = { files: [], format: 'table', tzOffsetMinutes: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ContainError('BAD_COMMAND', `${a} needs a value`);
      return v;
    };
    if (a === '--user') out.user = value().toLowerCase();
    else if (a === '--from' || a === '--to') {
      const v = value();
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw new ContainError('BAD_COMMAND', `${a} needs an ISO date, e.g. 2026-11-20T00:00:00Z`);
      out[a === '--from' ? 'from' : 'to'] = new Date(t).toISOString();
    } else if (a === '--format') {
      const v = value();
      if (v !== 'json' && v !== 'table' && v !== 'markdown') throw new ContainError('BAD_COMMAND', '--format is json, table or markdown');
      out.format = v;
    } else if (a === '--tz') {
      const m = /^([+-])(\d{2}):?(\d{2})$/.exec(value());
      if (!m) throw new ContainError('BAD_COMMAND', '--tz is the UTC offset of local-time CSV dates, e.g. +09:00');
      out.tzOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    } else if (a.startsWith('--')) throw new ContainError('BAD_COMMAND', `unknown option ${a}`);
    else out.files.push(a);
  }
  if (!out.files.length)
    throw new ContainError(
      'BAD_COMMAND',
      'Usage: contain analyze <file>... [--user UPN] [--from ISO] [--to ISO] [--format json|table|markdown] [--tz +09:00]',
    );
  return out;
}

/**
 * `contain analyze`: every readable file is analysed; each unreadable one is named on stderr with the reason and
 * makes the exit code 2, without losing the others' results.
 */
export async function runAnalyze(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  let failed = 0;
  const result = await analyze(
    args.files.map((f) => (filter) => readRecordBatches(f, { tzOffsetMinutes: args.tzOffsetMinutes, filter })),
    {
      user: args.user,
      from: args.from,
      to: args.to,
      onError: (i, e) => {
        failed++;
        err(`contain analyze: ${args.files[i]}: ${e instanceof UnreadableFile ? e.message : (e as Error).message}\n`);
      },
    },
  );
  for (const n of result.notes) err(`contain analyze: ${n}\n`);
  out(render(result, args.format));
  return failed ? 2 : 0;
}

/** Context rows a Markdown report lists; the JSON output has every one. */
const CONTEXT_ROWS = 200;

function render(r: AnalysisResult, format: AnalyzeArgs['format']): string {
  if (format === 'json')
    return (
      JSON.stringify({ records: r.records, findings: r.findings, iocs: r.iocs, context: r.context, attackerActivity: r.attackerActivity }) +
      '\n'
    );
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const a = r.attackerActivity;
  const touched = `the attacker read ${a.mailRead.length} mail item(s)${a.foldersSynced.length ? ` and synchronised ${a.foldersSynced.length} folder(s)` : ''}, ran ${a.searches.length} search(es), opened ${a.files.length} file(s), sent ${a.mailSent.length} mail(s)`;
  if (format === 'markdown') {
    const svg = timelineSvg(timelineLanes({ events: timelineEvents(r.findings) }), 'Incident timeline (UTC)');
    return [
      `# Log analysis`,
      '',
      `${r.records} records read, ${r.findings.length} findings (${r.findings.filter((f) => f.verdict === 'malicious').length} malicious), ${r.context.length} notable but normal (context); ${touched}.`,
      '',
      ...(svg && r.findings.length ? [markdownImage(svg, 'Incident timeline'), ''] : []),
      '## Findings',
      '',
      '| time (UTC) | user | IP | verdict | category | reason |',
      '|---|---|---|---|---|---|',
      ...r.findings.map((f) => `| ${f.time} | ${esc(f.user)} | ${f.ip ?? ''} | ${f.verdict} | ${f.category} | ${esc(f.reason)} |`),
      '',
      '## What the attacker touched',
      '',
      ...attackerActivityMarkdown(a),
      '## Context: notable, not compromise',
      '',
      ...(r.context.length
        ? [
            `${r.context.length} entries: ${contextSummary(r.context)}.${r.context.length > CONTEXT_ROWS ? ` The first ${CONTEXT_ROWS} follow; --format json has them all.` : ''}`,
            '',
            '| time (UTC) | user | IP | category | reason |',
            '|---|---|---|---|---|',
            ...r.context
              .slice(0, CONTEXT_ROWS)
              .map((f) => `| ${f.time} | ${esc(f.user)} | ${f.ip ?? ''} | ${f.category} | ${esc(f.reason)} |`),
          ]
        : ['None.']),
      '',
      `IOCs: IPs ${r.iocs.ips.join(', ') || 'none'}; user agents ${r.iocs.userAgents.join(', ') || 'none'}; sessions ${r.iocs.sessionIds.join(', ') || 'none'}`,
      '',
    ].join('\n');
  }
  const rows = r.findings.map((f) => [formatSecond(f.time), f.user, f.ip ?? '', f.verdict, f.category, f.reason]);
  const head = ['time (UTC)', 'user', 'ip', 'verdict', 'category', 'reason'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((row) => row[i].length))));
  const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]))).join('  ');
  return [
    `${r.records} records, ${r.findings.length} findings, ${r.context.length} context (--format json or markdown lists them); ${touched}`,
    line(head),
    ...rows.map(line),
    `IOCs: ${[...r.iocs.ips, ...r.iocs.userAgents, ...r.iocs.sessionIds].join(', ') || 'none'}`,
    '',
  ].join('\n');
}
