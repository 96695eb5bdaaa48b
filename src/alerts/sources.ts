import type { ContainContext } from '../context';
import { toContainError, type ContainError } from '../errors';
import { odataDateTime, query } from '../graph/odata';
import { judgeAlert, type AlertFacts } from './rules';

export type AlertSource = 'identityProtection' | 'defenderAlerts' | 'defenderIncidents';

/** One report that a user's account is compromised, as a card will show it. */
export interface AlertSignal {
  source: AlertSource;
  /** The riskyUser's, alert's or incident's id. */
  id: string;
  title: string;
  severity: string;
  /** When the source last raised it: riskLastUpdatedDateTime, or the alert's or incident's time. */
  at: string;
  /** The rule that made it count (src/alerts/rules.ts), or "user-risk-high". */
  rule: string;
  reason: string;
  /** Where to see it in Microsoft's portals. */
  url?: string;
}

/** A signal about one user. */
export interface UserSignal {
  userId: string;
  userPrincipalName?: string;
  displayName?: string;
  signal: AlertSignal;
}

export interface SourceRead {
  source: AlertSource;
  signals: UserSignal[];
  /** How many items the source returned (before the rules). */
  read: number;
  /** The source's newest change among them (its own clock: the next poll's cursor does not depend on ours). */
  latest?: string;
  error?: ContainError;
}

interface RiskyUser {
  id: string;
  isDeleted?: boolean;
  riskLevel: string;
  riskState: string;
  riskLastUpdatedDateTime: string;
  userDisplayName?: string;
  userPrincipalName?: string;
}

type Evidence = {
  '@odata.type'?: string;
  userAccount?: { azureAdUserId?: string | null; userPrincipalName?: string | null; displayName?: string | null };
};
type SecurityAlert = AlertFacts & {
  id: string;
  createdDateTime: string;
  lastUpdateDateTime?: string;
  alertWebUrl?: string;
  evidence?: Evidence[];
};
type SecurityIncident = {
  id: string;
  displayName: string;
  severity: string;
  status?: string;
  classification?: string;
  determination?: string;
  lastUpdateDateTime: string;
  incidentWebUrl?: string;
  alerts?: SecurityAlert[];
};

type Ctx = Pick<ContainContext, 'graph'>;
const options = (signal: AbortSignal | undefined, what: string) => ({ signal, what });

/**
 * Entra ID Protection users at high risk, still at risk (not confirmed compromised: that is what containment sets,
 * nor remediated or dismissed), whose risk changed since `since`. The list filter is on the server; the time on ours.
 */
export async function readRiskyUsers(ctx: Ctx, since: string, signal?: AbortSignal): Promise<SourceRead> {
  const out: SourceRead = { source: 'identityProtection', signals: [], read: 0 };
  try {
    for await (const u of ctx.graph.list<RiskyUser>(
      `/identityProtection/riskyUsers${query({ $filter: "riskLevel eq 'high' and riskState eq 'atRisk'" })}`,
      options(signal, 'reading Identity Protection risky users'),
    )) {
      seen(out, u.riskLastUpdatedDateTime);
      if (u.isDeleted || u.riskLevel !== 'high' || u.riskState !== 'atRisk' || Date.parse(u.riskLastUpdatedDateTime) < Date.parse(since))
        continue;
      out.signals.push({
        userId: u.id.toLowerCase(),
        userPrincipalName: u.userPrincipalName,
        displayName: u.userDisplayName,
        signal: {
          source: 'identityProtection',
          id: u.id,
          title: 'Entra ID Protection: user risk high',
          severity: 'high',
          at: u.riskLastUpdatedDateTime,
          rule: 'user-risk-high',
          reason: 'Identity Protection rates the account at high risk',
          url: `https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RiskyUsersBlade`,
        },
      });
    }
  } catch (err) {
    out.error = toContainError(err);
  }
  return out;
}

/** Defender XDR alerts updated since `since` that the rules count as account compromise, per user in their evidence. */
export async function readDefenderAlerts(ctx: Ctx, since: string, signal?: AbortSignal): Promise<SourceRead> {
  const out: SourceRead = { source: 'defenderAlerts', signals: [], read: 0 };
  try {
    for await (const a of ctx.graph.list<SecurityAlert>(
      `/security/alerts_v2${query({ $filter: `lastUpdateDateTime ge ${odataDateTime(Date.parse(since))}`, $top: 100 })}`,
      options(signal, 'reading Defender XDR alerts'),
    )) {
      seen(out, a.lastUpdateDateTime ?? a.createdDateTime);
      out.signals.push(...alertSignals(a, 'defenderAlerts'));
    }
  } catch (err) {
    out.error = toContainError(err);
  }
  return out;
}

/**
 * Defender XDR incidents updated since `since`, with their alerts: an incident an analyst determined a compromised
 * account opens for every user in its alerts; otherwise each alert is judged as in readDefenderAlerts.
 */
export async function readDefenderIncidents(ctx: Ctx, since: string, signal?: AbortSignal): Promise<SourceRead> {
  const out: SourceRead = { source: 'defenderIncidents', signals: [], read: 0 };
  try {
    for await (const i of ctx.graph.list<SecurityIncident>(
      `/security/incidents${query({ $filter: `lastUpdateDateTime ge ${odataDateTime(Date.parse(since))}`, $expand: 'alerts', $top: 50 })}`,
      options(signal, 'reading Defender XDR incidents'),
    )) {
      seen(out, i.lastUpdateDateTime);
      const verdict = judgeAlert({
        title: i.displayName,
        severity: i.severity,
        status: i.status,
        classification: i.classification,
        determination: i.determination,
      });
      if (verdict.opens && verdict.rule.id === 'confirmed-compromise') {
        for (const u of usersOf(i.alerts ?? []))
          out.signals.push({
            ...u,
            signal: {
              source: 'defenderIncidents',
              id: i.id,
              title: i.displayName,
              severity: i.severity,
              at: i.lastUpdateDateTime,
              rule: verdict.rule.id,
              reason: verdict.rule.name,
              url: i.incidentWebUrl,
            },
          });
        continue;
      }
      for (const a of i.alerts ?? []) out.signals.push(...alertSignals(a, 'defenderIncidents'));
    }
  } catch (err) {
    out.error = toContainError(err);
  }
  return out;
}

function seen(out: SourceRead, at: string | undefined): void {
  out.read++;
  if (at && (!out.latest || Date.parse(at) > Date.parse(out.latest))) out.latest = at;
}

function alertSignals(a: SecurityAlert, source: AlertSource): UserSignal[] {
  const verdict = judgeAlert(a);
  if (!verdict.opens) return [];
  const signal: AlertSignal = {
    source,
    id: a.id,
    title: a.title,
    severity: a.severity,
    at: a.createdDateTime,
    rule: verdict.rule.id,
    reason: verdict.rule.name,
    url: a.alertWebUrl,
  };
  return usersOf([a]).map((u) => ({ ...u, signal }));
}

/** The Entra users an alert names as evidence (user and mailbox evidence with an Entra object id). */
function usersOf(alerts: SecurityAlert[]): Omit<UserSignal, 'signal'>[] {
  const seen = new Map<string, Omit<UserSignal, 'signal'>>();
  for (const e of alerts.flatMap((a) => a.evidence ?? [])) {
    if (!/#microsoft\.graph\.security\.(userEvidence|mailboxEvidence)$/.test(e['@odata.type'] ?? '')) continue;
    const id = e.userAccount?.azureAdUserId?.toLowerCase();
    if (id && !seen.has(id))
      seen.set(id, {
        userId: id,
        userPrincipalName: e.userAccount?.userPrincipalName ?? undefined,
        displayName: e.userAccount?.displayName ?? undefined,
      });
  }
  return [...seen.values()];
}
