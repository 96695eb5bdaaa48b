import type { Graph } from '../graph/client';
import { odataDateTime, odataString, query } from '../graph/odata';
import { harmfulUserAgent } from '../investigate/user-agents';

/** What a sign-in record says about one Conditional Access policy (appliedConditionalAccessPolicy, v1.0). */
export interface AppliedPolicy {
  id: string;
  displayName?: string;
  result: string;
  enforcedGrantControls?: string[];
  enforcedSessionControls?: string[];
}

export interface ImpactSignIn {
  createdDateTime: string;
  userPrincipalName?: string;
  appDisplayName?: string;
  userAgent?: string;
  status?: { errorCode?: number };
  appliedConditionalAccessPolicies?: AppliedPolicy[];
}

type Count = { name: string; count: number };

/** Who a report-only policy would have affected, from the sign-in logs. */
export interface ReportOnlyImpact {
  policyId: string;
  policyName?: string;
  since: string;
  /** Sign-ins the policy was evaluated for (in scope or not). */
  evaluated: number;
  /** In scope: the policy would have applied (reportOnlySuccess, reportOnlyFailure, reportOnlyInterrupted). */
  inScope: number;
  /** Would have been blocked: the grant failed, or for the App Control policy, a harmful user agent in scope. */
  wouldBlock: number;
  /** Would have been asked for more (MFA, a compliant device) rather than refused outright. */
  wouldInterrupt: number;
  byApp: Count[];
  byUserAgent: Count[];
  byUser: Count[];
  notes: string[];
}

const REPORT_ONLY_IN_SCOPE = new Set(['reportOnlySuccess', 'reportOnlyFailure', 'reportOnlyInterrupted']);

const tally = (xs: string[]): Count[] =>
  [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));

/**
 * Summarise a report-only policy's would-be impact. A grant policy "would block" where its result is
 * reportOnlyFailure. The App Control policy grants nothing itself: it routes the sessions in scope to Defender for
 * Cloud Apps, whose access policy blocks by user agent, so there "would block" means in scope with a harmful agent.
 */
export function summarizeReportOnly(
  signIns: ImpactSignIn[],
  policyId: string,
  options: { since: string; appControl?: boolean; userAgentExclusions?: string[] },
): ReportOnlyImpact {
  const blocked: ImpactSignIn[] = [];
  let [evaluated, inScope, interrupted, unknown] = [0, 0, 0, 0];
  let name: string | undefined;
  for (const s of signIns) {
    const p = s.appliedConditionalAccessPolicies?.find((x) => x.id === policyId);
    if (!p) continue;
    evaluated++;
    name ??= p.displayName;
    if (p.result === 'unknownFutureValue') unknown++;
    if (!REPORT_ONLY_IN_SCOPE.has(p.result)) continue;
    inScope++;
    if (p.result === 'reportOnlyInterrupted') interrupted++;
    const hit = options.appControl ? !!harmfulUserAgent(s.userAgent, options.userAgentExclusions) : p.result === 'reportOnlyFailure';
    if (hit) blocked.push(s);
  }
  const notes: string[] = [];
  if (unknown)
    notes.push(
      `${unknown} result(s) came back as "unknownFutureValue": the report-only results need the "Prefer: include-unknown-enum-members" header.`,
    );
  if (!evaluated)
    notes.push('No sign-in has been evaluated against this policy yet: report-only results appear for sign-ins after it was created.');
  if (options.appControl)
    notes.push(
      'The Conditional Access policy only routes sessions; the blocking is done by the Defender for Cloud Apps access policy (Audit first, Block after review).',
    );
  return {
    policyId,
    policyName: name,
    since: options.since,
    evaluated,
    inScope,
    wouldBlock: blocked.length,
    wouldInterrupt: interrupted,
    byApp: tally(blocked.map((s) => s.appDisplayName ?? '(unknown app)')),
    byUserAgent: tally(blocked.map((s) => s.userAgent || '(no user agent)')),
    byUser: tally(blocked.map((s) => s.userPrincipalName ?? '(unknown user)')),
    notes,
  };
}

/**
 * Read the sign-ins a report-only policy was evaluated for since `since` (its creation) and summarise them. The
 * report-only results are an evolvable enum: without "Prefer: include-unknown-enum-members" Graph answers
 * unknownFutureValue (https://learn.microsoft.com/graph/api/resources/appliedconditionalaccesspolicy). Reading them
 * needs AuditLog.Read.All and Conditional Access read rights (Policy.Read.All).
 */
export async function readReportOnlyImpact(
  graph: Graph,
  policy: { id: string; appControl?: boolean },
  options: { since: string; max?: number; signal?: AbortSignal; userAgentExclusions?: string[] },
): Promise<ReportOnlyImpact> {
  const filter = `createdDateTime ge ${odataDateTime(Date.parse(options.since))} and appliedConditionalAccessPolicies/any(p:p/id eq ${odataString(policy.id)})`;
  const signIns: ImpactSignIn[] = [];
  for await (const s of graph.list<ImpactSignIn>(`/auditLogs/signIns${query({ $filter: filter, $top: 1000 })}`, {
    headers: { Prefer: 'include-unknown-enum-members' },
    signal: options.signal,
    what: 'the sign-in logs',
    max: options.max ?? 20_000,
  }))
    signIns.push(s);
  return summarizeReportOnly(signIns, policy.id, {
    since: options.since,
    appControl: policy.appControl,
    userAgentExclusions: options.userAgentExclusions,
  });
}
