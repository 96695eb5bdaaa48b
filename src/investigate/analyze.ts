import type { LogRecord } from './record';
import type { RowFilter } from './reader';
import type { AttackerActivity } from './activity';
import { Analyzer } from './analyzer';

export { HARMFUL_USER_AGENTS } from './user-agents';
export { isMicrosoftService } from './networks';
export { Analyzer };

export type Verdict = 'malicious' | 'suspicious';

export interface Finding {
  id: string;
  source: LogRecord['source'];
  time: string;
  user: string;
  ip: string | null;
  verdict: Verdict;
  category: string;
  reason: string;
}

/** A notable record that shows no compromise (an admin's consent, a colleague's flow): the same shape, verdict info. */
export type ContextEntry = Omit<Finding, 'verdict'> & { verdict: 'info' };

export interface AnalysisResult {
  records: number;
  /** Records that show compromise, each with its reason. */
  findings: Finding[];
  /** Notable but normal records, apart so that the findings stay readable. */
  context: ContextEntry[];
  iocs: { ips: string[]; userAgents: string[]; sessionIds: string[] };
  /** Harmful user agents, successes and failures counted apart. */
  userAgentCounts: { userAgent: string; success: number; failure: number }[];
  /** What the attacker's sessions and addresses read, searched, opened and sent. */
  attackerActivity: AttackerActivity;
  /** Things the reader should know about the analysis itself (limits reached). */
  notes: string[];
  /** Per user, the addresses that are theirs (known device, trusted location, company network): never indicators. */
  ownAddresses: Record<string, string[]>;
}

export interface AnalyzeOptions {
  user?: string;
  from?: string;
  to?: string;
  /** User-agent substrings that are allowed (e.g. a known automation account's client). */
  userAgentExclusions?: string[];
}

/**
 * Analyze sources that can be read twice (files): learn from all, settle, judge all (a source may skip what the
 * second pass's filter says cannot matter). A source that fails in the first pass is reported through `onError` and
 * left out of the second; the others lose nothing.
 */
export async function analyze(
  sources: ((filter?: RowFilter) => AsyncIterable<LogRecord | LogRecord[]>)[],
  options: AnalyzeOptions & { onError?: (index: number, err: unknown) => void } = {},
): Promise<AnalysisResult> {
  const a = new Analyzer(options);
  const ok: ((filter?: RowFilter) => AsyncIterable<LogRecord | LogRecord[]>)[] = [];
  for (const [i, s] of sources.entries()) {
    const before = a.recordCount;
    try {
      // Sources may hand over a batch at a time (files do): one await per batch, not per record.
      for await (const r of s()) {
        if (Array.isArray(r)) for (const x of r) a.learn(x);
        else a.learn(r);
      }
      ok.push(s);
    } catch (err) {
      // Records of a file reported unreadable are not counted as analysed.
      a.recordCount = before;
      if (!options.onError) throw err;
      options.onError(i, err);
    }
  }
  a.settle();
  const filter = a.passTwoFilter();
  for (const s of ok)
    for await (const r of s(filter)) {
      if (Array.isArray(r)) for (const x of r) a.judge(x);
      else a.judge(r);
    }
  return a.result();
}
