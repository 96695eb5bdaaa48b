import { ContainError } from '../errors';
import type { Action, ActionState, AuditEntry, Incident, IncidentState } from '../incidents/model';

/** What every storage call accepts: a signal that gives up waiting (the write may still land; callers re-read). */
export interface StoreOptions {
  signal?: AbortSignal;
}

/**
 * Who may run an incident's approved actions right now. One row per incident; `fence` grows with every new holder,
 * and a holder that lost the row (its compare-and-swap fails) stops at once. `active` says work remains to be done,
 * so the sweeper can hand an expired lease to a new worker.
 */
export interface ExecutionLeaseRow {
  incidentId: string;
  owner: string;
  until: string;
  fence: number;
  active: boolean;
  etag?: string;
}

/** Which incidents `findIncidents` returns: every given field must match. */
export interface IncidentQuery {
  targetUserId?: string;
  state?: IncidentState;
}

/** Actions in one state whose time field is before a moment (the sweeper's scans); rows without the field never match. */
export interface ActionQuery {
  state: ActionState;
  before: { field: 'expiresAt' | 'leaseUntil' | 'proposedAt'; time: string };
}

/** Thrown on an ETag mismatch: someone else wrote first. Callers re-read and decide. */
export class ConcurrencyError extends ContainError {
  constructor(what: string) {
    super('CONFLICT', `${what} was changed by someone else at the same moment; reload and try again.`);
  }
}

/** Storage trouble as users see it: transient, nothing lost, try again. */
export function storeError(err: unknown, what: string): ContainError {
  return new ContainError('STORE_ERROR', `Storage failed while ${what}; nothing was lost, try again.`, {
    cause: err,
    transient: true,
    details: { status: (err as { statusCode?: number })?.statusCode },
  });
}

/**
 * Incidents, their actions, audit trail and execution lease, plus idempotency claims and small memos. Every state
 * change is a conditional write on the row's ETag (compare-and-swap), so two writers never both win: the loser gets a
 * ConcurrencyError. Two implementations keep the same semantics, checked by one contract test: Azure Table Storage
 * (src/store/table-store.ts) and memory (src/store/memory-store.ts, for tests without Azurite).
 */
export interface IncidentStore {
  /** Next id of the form INC-YYYYMMDD-NNNN for the day of `now`, from a per-day counter updated by compare-and-swap. */
  nextIncidentId(now: Date, options?: StoreOptions): Promise<string>;
  /** The incident and its proposed actions appear together or not at all. */
  createIncident(incident: Incident, actions: Action[], options?: StoreOptions): Promise<void>;
  getIncident(id: string, options?: StoreOptions): Promise<Incident | undefined>;
  /** Incidents matching the query, newest first. */
  findIncidents(where?: IncidentQuery, options?: StoreOptions): Promise<Incident[]>;
  /** Replace the incident on its ETag (any version when it has none); ConcurrencyError when the ETag moved. */
  updateIncident(incident: Incident, options?: StoreOptions): Promise<Incident>;
  getAction(incidentId: string, actionId: string, options?: StoreOptions): Promise<Action | undefined>;
  /** The incident's actions, by id. */
  listActions(incidentId: string, options?: StoreOptions): Promise<Action[]>;
  /** Actions across all incidents, by incident and id. */
  findActions(where: ActionQuery, options?: StoreOptions): Promise<Action[]>;
  /** Add one action to an existing incident (e.g. "Propose again"); ConcurrencyError when its id is taken. */
  addAction(action: Action, options?: StoreOptions): Promise<Action>;
  /** Replace an action on the ETag of the version it read; ConcurrencyError when the ETag moved. */
  updateAction(action: Action, options?: StoreOptions): Promise<Action>;
  /** The incident's execution lease row, if one was ever taken. */
  getLease(incidentId: string, options?: StoreOptions): Promise<ExecutionLeaseRow | undefined>;
  /** Create the lease row when it has no ETag, else compare-and-swap; ConcurrencyError either way when someone was first. */
  putLease(lease: ExecutionLeaseRow, options?: StoreOptions): Promise<ExecutionLeaseRow>;
  /** Leases with work left whose holder stopped renewing before `before` (the sweeper's scan), by incident. */
  findStaleLeases(before: string, options?: StoreOptions): Promise<ExecutionLeaseRow[]>;
  /** Append-only audit trail. */
  appendAudit(incidentId: string, entry: AuditEntry, options?: StoreOptions): Promise<void>;
  /** The audit trail in time order. */
  listAudit(incidentId: string, options?: StoreOptions): Promise<AuditEntry[]>;
  /** Keep a small value under a scope and key, replacing what was there (e.g. the audit log query a run started). */
  remember(scope: string, key: string, value: unknown, options?: StoreOptions): Promise<void>;
  /** What `remember` kept, and when; undefined when nothing was. */
  recall<T>(scope: string, key: string, options?: StoreOptions): Promise<{ value: T; at: string } | undefined>;
  /** Every value kept under a scope, with when (one partition's scan: for small scopes, such as the waves in flight). */
  recallAll<T>(scope: string, options?: StoreOptions): Promise<{ value: T; at: string }[]>;
  /** Drop what `remember` kept under a scope and key; nothing happens when nothing was kept. */
  forget(scope: string, key: string, options?: StoreOptions): Promise<void>;
  /**
   * Claim an idempotency key (a chat delivery id, a queue message key): true for the first caller only, so that
   * retried deliveries do not open a second incident.
   */
  claim(scope: string, key: string, options?: StoreOptions): Promise<boolean>;
}
