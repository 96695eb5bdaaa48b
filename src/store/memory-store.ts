import { compactDay, incidentId } from '../ids';
import type { Action, AuditEntry, Incident } from '../incidents/model';
import {
  ConcurrencyError,
  storeError,
  type ActionQuery,
  type ExecutionLeaseRow,
  type IncidentQuery,
  type IncidentStore,
  type StoreOptions,
} from './incident-store';
import * as rows from './table-rows';
import type { Row, StoredRow } from './table-rows';

/**
 * The store in memory, with Table Storage's semantics: the same rows (src/store/table-rows.ts), an ETag per write,
 * compare-and-swap refused with ConcurrencyError, results in the table's order. For tests and tools that need no
 * Azurite; one process only. The contract test (test/helpers/store-contract.ts) runs the same cases on both stores.
 */
export class MemoryIncidentStore implements IncidentStore {
  private readonly rows = new Map<string, StoredRow>();
  private version = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  private static key(partitionKey: string, rowKey: string): string {
    return `${partitionKey}\u0000${rowKey}`;
  }

  /** A call whose signal was aborted fails as a storage call does: before touching anything. */
  private start(options: StoreOptions, what: string): void {
    if (options.signal?.aborted) throw storeError(options.signal.reason, what);
  }

  private read(partitionKey: string, rowKey: string): StoredRow | undefined {
    const row = this.rows.get(MemoryIncidentStore.key(partitionKey, rowKey));
    return row && structuredClone(row);
  }

  /** Rows in the table's order (partition, then row key), as a scan returns them. */
  private scan(match: (row: StoredRow) => boolean): StoredRow[] {
    const keys = [...this.rows.keys()].sort();
    return keys
      .map((k) => this.rows.get(k)!)
      .filter(match)
      .map((r) => structuredClone(r));
  }

  /** Create (no ETag: refused when the row exists) or replace on an ETag ('*': any version; refused when missing). */
  private write(row: Row, etag: string | undefined, subject: string): string {
    const key = MemoryIncidentStore.key(row.partitionKey, row.rowKey);
    const current = this.rows.get(key);
    if (etag === undefined && current) throw new ConcurrencyError(subject);
    if (etag !== undefined && !current)
      throw storeError(
        Object.assign(new Error('not found'), { statusCode: 404 }),
        `writing ${subject[0].toLowerCase()}${subject.slice(1)}`,
      );
    if (etag !== undefined && etag !== '*' && current!.etag !== etag) throw new ConcurrencyError(subject);
    const next = `W/"${++this.version}"`;
    // Table Storage keeps no property whose value is undefined.
    this.rows.set(key, {
      ...(structuredClone(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined))) as Row),
      etag: next,
    });
    return next;
  }

  async nextIncidentId(now: Date, options: StoreOptions = {}): Promise<string> {
    this.start(options, 'allocating an incident id');
    const day = compactDay(now);
    const value = Number(this.read(rows.COUNTERS, day)?.value ?? 0) + 1;
    this.rows.set(MemoryIncidentStore.key(rows.COUNTERS, day), {
      partitionKey: rows.COUNTERS,
      rowKey: day,
      value,
      etag: `W/"${++this.version}"`,
    });
    return incidentId(day, value);
  }

  async createIncident(incident: Incident, actions: Action[], options: StoreOptions = {}): Promise<void> {
    this.start(options, `creating incident ${incident.id}`);
    const all = [rows.incidentRow(incident), ...actions.map(rows.actionRow)];
    // All or nothing, as the entity-group transaction: one existing row fails the whole incident.
    if (all.some((r) => this.rows.has(MemoryIncidentStore.key(r.partitionKey, r.rowKey))))
      throw storeError(Object.assign(new Error('entity already exists'), { statusCode: 409 }), `creating incident ${incident.id}`);
    for (const r of all) this.write(r, undefined, incident.id);
  }

  async getIncident(id: string, options: StoreOptions = {}): Promise<Incident | undefined> {
    this.start(options, `reading incident ${id}`);
    const row = this.read(id, rows.INCIDENT_RK);
    return row && rows.parseIncident(row);
  }

  async findIncidents(where: IncidentQuery = {}, options: StoreOptions = {}): Promise<Incident[]> {
    this.start(options, 'listing incidents');
    const match = (r: StoredRow) =>
      r.rowKey === rows.INCIDENT_RK &&
      (!where.targetUserId || r.targetUserId === where.targetUserId) &&
      (!where.state || r.state === where.state);
    return this.scan(match)
      .map(rows.parseIncident)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async updateIncident(incident: Incident, options: StoreOptions = {}): Promise<Incident> {
    this.start(options, `updating incident ${incident.id}`);
    return { ...incident, etag: this.write(rows.incidentRow(incident), incident.etag ?? '*', `Incident ${incident.id}`) };
  }

  async getAction(incidentId: string, actionId: string, options: StoreOptions = {}): Promise<Action | undefined> {
    this.start(options, `reading action ${incidentId}/${actionId}`);
    const row = this.read(incidentId, `${rows.ACTION_PREFIX}${actionId}`);
    return row && rows.parseAction(row);
  }

  async listActions(incidentId: string, options: StoreOptions = {}): Promise<Action[]> {
    this.start(options, `listing the actions of ${incidentId}`);
    return this.scan((r) => r.partitionKey === incidentId && r.rowKey.startsWith(rows.ACTION_PREFIX))
      .map(rows.parseAction)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async findActions(where: ActionQuery, options: StoreOptions = {}): Promise<Action[]> {
    this.start(options, 'listing actions');
    const { field, time } = where.before;
    const match = (r: StoredRow) =>
      r.rowKey.startsWith(rows.ACTION_PREFIX) && r.state === where.state && typeof r[field] === 'string' && (r[field] as string) < time;
    return this.scan(match).map(rows.parseAction);
  }

  async addAction(action: Action, options: StoreOptions = {}): Promise<Action> {
    this.start(options, `adding an action to ${action.incidentId}`);
    return { ...action, etag: this.write(rows.actionRow(action), undefined, `Action ${action.incidentId}/${action.id}`) };
  }

  async updateAction(action: Action, options: StoreOptions = {}): Promise<Action> {
    if (!action.etag) throw new Error('updateAction needs the ETag of the version it read');
    this.start(options, `updating action ${action.incidentId}/${action.id}`);
    return { ...action, etag: this.write(rows.actionRow(action), action.etag, `Action ${action.incidentId}/${action.id}`) };
  }

  async getLease(incidentId: string, options: StoreOptions = {}): Promise<ExecutionLeaseRow | undefined> {
    this.start(options, `reading the execution lease of ${incidentId}`);
    const row = this.read(incidentId, rows.LEASE_RK);
    return row && rows.parseLease(row);
  }

  async putLease(lease: ExecutionLeaseRow, options: StoreOptions = {}): Promise<ExecutionLeaseRow> {
    this.start(options, `writing the execution lease of ${lease.incidentId}`);
    return { ...lease, etag: this.write(rows.leaseRow(lease), lease.etag, `The execution lease of ${lease.incidentId}`) };
  }

  async findStaleLeases(before: string, options: StoreOptions = {}): Promise<ExecutionLeaseRow[]> {
    this.start(options, 'listing execution leases');
    return this.scan((r) => r.rowKey === rows.LEASE_RK && r.active === true && String(r.until) < before).map(rows.parseLease);
  }

  async appendAudit(incidentId: string, entry: AuditEntry, options: StoreOptions = {}): Promise<void> {
    this.start(options, `writing the audit trail of ${incidentId}`);
    const row = rows.auditRow(incidentId, entry);
    if (this.rows.has(MemoryIncidentStore.key(row.partitionKey, row.rowKey)))
      throw storeError(new Error('entity already exists'), `writing the audit trail of ${incidentId}`);
    this.write(row, undefined, incidentId);
  }

  async listAudit(incidentId: string, options: StoreOptions = {}): Promise<AuditEntry[]> {
    this.start(options, `reading the audit trail of ${incidentId}`);
    return this.scan((r) => r.partitionKey === incidentId && r.rowKey.startsWith(rows.AUDIT_PREFIX)).map(rows.parseAudit);
  }

  async remember(scope: string, key: string, value: unknown, options: StoreOptions = {}): Promise<void> {
    this.start(options, 'remembering a value');
    const row = {
      partitionKey: rows.memoPartition(scope),
      rowKey: rows.safeKey(key),
      valueJson: JSON.stringify(value),
      at: this.now().toISOString(),
    };
    this.write(row, this.read(row.partitionKey, row.rowKey) ? '*' : undefined, 'A remembered value');
  }

  async recall<T>(scope: string, key: string, options: StoreOptions = {}): Promise<{ value: T; at: string } | undefined> {
    this.start(options, 'reading a remembered value');
    const row = this.read(rows.memoPartition(scope), rows.safeKey(key));
    return row && { value: JSON.parse(String(row.valueJson)) as T, at: String(row.at) };
  }

  async recallAll<T>(scope: string, options: StoreOptions = {}): Promise<{ value: T; at: string }[]> {
    this.start(options, 'reading remembered values');
    const partition = rows.memoPartition(scope);
    return this.scan((r) => r.partitionKey === partition).map((row) => ({
      value: JSON.parse(String(row.valueJson)) as T,
      at: String(row.at),
    }));
  }

  async forget(scope: string, key: string, options: StoreOptions = {}): Promise<void> {
    this.start(options, 'forgetting a remembered value');
    this.rows.delete(MemoryIncidentStore.key(rows.memoPartition(scope), rows.safeKey(key)));
  }

  async claim(scope: string, key: string, options: StoreOptions = {}): Promise<boolean> {
    this.start(options, 'recording a delivery');
    const partitionKey = rows.claimPartition(scope);
    const rowKey = rows.safeKey(key);
    if (this.rows.has(MemoryIncidentStore.key(partitionKey, rowKey))) return false;
    this.write({ partitionKey, rowKey, at: this.now().toISOString() }, undefined, 'A claim');
    return true;
  }
}
