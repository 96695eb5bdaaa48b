import type { Action, AuditEntry, Incident } from '../incidents/model';
import type { ExecutionLeaseRow } from './incident-store';

/**
 * How incidents, actions, leases and audit entries are laid out as table rows: one partition per incident, the
 * incident row, `action-<id>` rows, the `lease` row and time-ordered `audit-` rows. Both stores keep these rows, so
 * that what the memory store returns is what Table Storage would.
 */
export type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };
export type StoredRow = Row & { etag?: string };

export const INCIDENT_RK = 'incident';
export const LEASE_RK = 'lease';
export const ACTION_PREFIX = 'action-';
export const AUDIT_PREFIX = 'audit-';
export const COUNTERS = 'counters';
export const memoPartition = (scope: string) => `memo-${scope}`;
export const claimPartition = (scope: string) => `claim-${scope}`;

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const parse = (v: unknown): any => (typeof v === 'string' && v !== '' ? JSON.parse(v) : undefined);

/** Row keys may not contain / \ # ? or control characters. */
export function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '_').slice(0, 512);
}

export function incidentRow(i: Incident): Row {
  return {
    partitionKey: i.id,
    rowKey: INCIDENT_RK,
    createdAt: i.createdAt,
    // Absent on containments (the default), so their rows stay as they were.
    kind: i.kind === 'posture' ? 'posture' : undefined,
    state: i.state,
    dryRun: i.dryRun,
    targetUserId: i.target.id,
    targetUpn: i.target.userPrincipalName,
    requesterJson: json(i.requester),
    targetJson: json(i.target),
    threadsJson: json(i.threads),
    factsJson: json(i.facts),
  };
}

export function parseIncident(row: StoredRow): Incident {
  return {
    id: row.partitionKey,
    ...(row.kind === 'posture' ? { kind: 'posture' as const } : {}),
    createdAt: String(row.createdAt),
    state: row.state as Incident['state'],
    dryRun: Boolean(row.dryRun),
    requester: parse(row.requesterJson),
    target: parse(row.targetJson),
    threads: parse(row.threadsJson) ?? {},
    facts: parse(row.factsJson) ?? { signIns: [], notes: [] },
    etag: row.etag,
  };
}

export function leaseRow(lease: ExecutionLeaseRow): Row {
  return {
    partitionKey: lease.incidentId,
    rowKey: LEASE_RK,
    owner: lease.owner,
    until: lease.until,
    fence: lease.fence,
    active: lease.active,
  };
}

export function parseLease(row: StoredRow): ExecutionLeaseRow {
  return {
    incidentId: row.partitionKey,
    owner: String(row.owner),
    until: String(row.until),
    fence: Number(row.fence),
    active: Boolean(row.active),
    etag: row.etag,
  };
}

export function actionRow(a: Action): Row {
  return {
    partitionKey: a.incidentId,
    rowKey: `${ACTION_PREFIX}${a.id}`,
    step: a.step,
    kind: a.kind,
    objectId: a.objectId,
    paramsJson: json(a.params),
    title: a.title,
    detail: a.detail,
    reason: a.reason,
    state: a.state,
    proposedAt: a.proposedAt,
    expiresAt: a.expiresAt,
    fastPath: a.fastPath,
    attempts: a.attempts,
    sends: a.sends,
    sendingAt: a.sendingAt,
    leaseUntil: a.leaseUntil,
    decisionJson: json(a.decision),
    resultJson: json(a.result),
    evidenceJson: json(a.evidence),
    requestedByJson: json(a.requestedBy),
  };
}

export function parseAction(row: StoredRow): Action {
  return {
    incidentId: row.partitionKey,
    id: row.rowKey.slice(ACTION_PREFIX.length),
    step: Number(row.step),
    kind: row.kind as Action['kind'],
    objectId: String(row.objectId),
    params: parse(row.paramsJson) ?? {},
    title: String(row.title),
    detail: String(row.detail ?? ''),
    reason: String(row.reason ?? ''),
    state: row.state as Action['state'],
    proposedAt: String(row.proposedAt),
    expiresAt: String(row.expiresAt),
    fastPath: Boolean(row.fastPath),
    attempts: Number(row.attempts ?? 0),
    sends: row.sends === undefined ? undefined : Number(row.sends),
    sendingAt: (row.sendingAt as string | undefined) ?? undefined,
    leaseUntil: (row.leaseUntil as string | undefined) ?? undefined,
    decision: parse(row.decisionJson),
    result: parse(row.resultJson),
    evidence: parse(row.evidenceJson),
    ...(row.requestedByJson ? { requestedBy: parse(row.requestedByJson) } : {}),
    etag: row.etag,
  };
}

/** Audit rows sort by time: the key starts with the entry's time, a random tail keeps same-millisecond entries apart. */
export function auditRow(incidentId: string, entry: AuditEntry): Row {
  const rowKey = `${AUDIT_PREFIX}${entry.at}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    partitionKey: incidentId,
    rowKey,
    at: entry.at,
    event: entry.event,
    actionId: entry.actionId,
    actorJson: json(entry.actor),
    detailsJson: json(entry.details),
  };
}

export function parseAudit(row: StoredRow): AuditEntry {
  return {
    at: String(row.at),
    event: String(row.event),
    actionId: row.actionId as string | undefined,
    actor: parse(row.actorJson),
    details: parse(row.detailsJson),
  };
}
