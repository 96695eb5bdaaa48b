import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import { ContainError } from '../errors';
import { odataString } from '../graph/odata';
import { compactDay, incidentId } from '../ids';
import type { Action, AuditEntry, Incident } from '../incidents/model';
import { insecureAllowed } from './connection';
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
import type { Row } from './table-rows';

const isStatus = (err: unknown, status: number) => (err as { statusCode?: number })?.statusCode === status;

/** OData filter with every value quoted as a literal (the SDK's `odata` tag, without loading the SDK). */
function odata(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? odataString(values[i]) : ''), '');
}

/** The store in one Azure table (Azurite locally), partitioned by incident id; state changes are conditional writes. */
export class TableIncidentStore implements IncidentStore {
  private ready?: Promise<void>;
  private client?: TableClient;

  /** `open` builds the client on first use: @azure/data-tables costs ~90 ms to load, and routes that only enqueue never need it. */
  constructor(
    private readonly open: () => Promise<TableClient>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Identity-based access: the table endpoint and a token credential (no account key anywhere). */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential, now?: () => Date): TableIncidentStore {
    return new TableIncidentStore(
      async () => new (await import('@azure/data-tables')).TableClient(endpoint, `${prefix}incidents`, credential),
      now,
    );
  }

  static fromConnectionString(connectionString: string, prefix: string, now?: () => Date): TableIncidentStore {
    const open = async () =>
      (await import('@azure/data-tables')).TableClient.fromConnectionString(connectionString, `${prefix}incidents`, {
        allowInsecureConnection: insecureAllowed(connectionString),
      });
    return new TableIncidentStore(open, now);
  }

  /** Load the SDK and create the table once per process; concurrent callers share the same promise. */
  private async table(): Promise<TableClient> {
    this.ready ??= (async () => {
      this.client ??= await this.open();
      await this.client.createTable().catch((err: unknown) => {
        if (isStatus(err, 409)) return;
        throw err;
      });
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw storeError(err, 'creating the incidents table');
    });
    await this.ready;
    return this.client!;
  }

  private async read(partitionKey: string, rowKey: string, what: string, options: StoreOptions): Promise<rows.StoredRow | undefined> {
    const table = await this.table();
    try {
      return (await table.getEntity<Row>(partitionKey, rowKey, { abortSignal: options.signal })) as rows.StoredRow;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw storeError(err, what);
    }
  }

  private async list(filter: string, options: StoreOptions): Promise<rows.StoredRow[]> {
    const table = await this.table();
    const out: rows.StoredRow[] = [];
    for await (const row of table.listEntities<Row>({ queryOptions: { filter }, abortSignal: options.signal }))
      out.push(row as rows.StoredRow);
    return out;
  }

  /** Create (no ETag) or compare-and-swap (ETag, '*' for any version) one row; a lost race is a ConcurrencyError. */
  private async write(row: Row, etag: string | undefined, subject: string, options: StoreOptions): Promise<string | undefined> {
    const table = await this.table();
    try {
      const r = etag
        ? await table.updateEntity(row, 'Replace', { etag, abortSignal: options.signal })
        : await table.createEntity(row, { abortSignal: options.signal });
      return r.etag;
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 409)) throw new ConcurrencyError(subject);
      throw storeError(err, `writing ${subject[0].toLowerCase()}${subject.slice(1)}`);
    }
  }

  async nextIncidentId(now: Date, options: StoreOptions = {}): Promise<string> {
    const table = await this.table();
    const day = compactDay(now);
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const row = await table.getEntity<{ value: number }>(rows.COUNTERS, day, { abortSignal: options.signal });
        const value = Number(row.value) + 1;
        await table.updateEntity({ partitionKey: rows.COUNTERS, rowKey: day, value }, 'Replace', {
          etag: row.etag,
          abortSignal: options.signal,
        });
        return incidentId(day, value);
      } catch (err) {
        if (isStatus(err, 404)) {
          try {
            await table.createEntity({ partitionKey: rows.COUNTERS, rowKey: day, value: 1 }, { abortSignal: options.signal });
            return incidentId(day, 1);
          } catch (e) {
            if (isStatus(e, 409)) continue;
            throw storeError(e, 'allocating an incident id');
          }
        }
        if (isStatus(err, 412)) continue;
        throw storeError(err, 'allocating an incident id');
      }
    }
    throw new ContainError('STORE_ERROR', 'Could not allocate an incident id (too much contention); try again.');
  }

  async createIncident(incident: Incident, actions: Action[], options: StoreOptions = {}): Promise<void> {
    const table = await this.table();
    const ops: ['create', Row][] = [
      ['create', rows.incidentRow(incident)],
      ...actions.map((a) => ['create', rows.actionRow(a)] as ['create', Row]),
    ];
    try {
      // One entity-group transaction: the incident and its proposed actions appear together or not at all.
      await table.submitTransaction(ops, { abortSignal: options.signal });
    } catch (err) {
      throw storeError(err, `creating incident ${incident.id}`);
    }
  }

  async getIncident(id: string, options: StoreOptions = {}): Promise<Incident | undefined> {
    const row = await this.read(id, rows.INCIDENT_RK, `reading incident ${id}`, options);
    return row && rows.parseIncident(row);
  }

  async findIncidents(where: IncidentQuery = {}, options: StoreOptions = {}): Promise<Incident[]> {
    const filter = [
      `RowKey eq '${rows.INCIDENT_RK}'`,
      ...(where.targetUserId ? [odata`targetUserId eq ${where.targetUserId}`] : []),
      ...(where.state ? [odata`state eq ${where.state}`] : []),
    ].join(' and ');
    // A scan of incident rows (few: one per incident), sorted here because the table orders by id, not time.
    return (await this.list(filter, options)).map(rows.parseIncident).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async updateIncident(incident: Incident, options: StoreOptions = {}): Promise<Incident> {
    const etag = await this.write(rows.incidentRow(incident), incident.etag ?? '*', `Incident ${incident.id}`, options);
    return { ...incident, etag };
  }

  async getAction(incidentId: string, actionId: string, options: StoreOptions = {}): Promise<Action | undefined> {
    const row = await this.read(incidentId, `${rows.ACTION_PREFIX}${actionId}`, `reading action ${incidentId}/${actionId}`, options);
    return row && rows.parseAction(row);
  }

  async listActions(incidentId: string, options: StoreOptions = {}): Promise<Action[]> {
    const found = await this.list(odata`PartitionKey eq ${incidentId} and RowKey ge 'action-' and RowKey lt 'action.'`, options);
    return found.map(rows.parseAction).sort((a, b) => a.id.localeCompare(b.id));
  }

  async findActions(where: ActionQuery, options: StoreOptions = {}): Promise<Action[]> {
    const { field, time } = where.before;
    const filter = `${odata`state eq ${where.state}`} and ${field} lt ${odataString(time)}`;
    return (await this.list(filter, options)).filter((row) => row.rowKey.startsWith(rows.ACTION_PREFIX)).map(rows.parseAction);
  }

  async addAction(action: Action, options: StoreOptions = {}): Promise<Action> {
    return { ...action, etag: await this.write(rows.actionRow(action), undefined, `Action ${action.incidentId}/${action.id}`, options) };
  }

  async updateAction(action: Action, options: StoreOptions = {}): Promise<Action> {
    if (!action.etag) throw new Error('updateAction needs the ETag of the version it read');
    return { ...action, etag: await this.write(rows.actionRow(action), action.etag, `Action ${action.incidentId}/${action.id}`, options) };
  }

  async getLease(incidentId: string, options: StoreOptions = {}): Promise<ExecutionLeaseRow | undefined> {
    const row = await this.read(incidentId, rows.LEASE_RK, `reading the execution lease of ${incidentId}`, options);
    return row && rows.parseLease(row);
  }

  async putLease(lease: ExecutionLeaseRow, options: StoreOptions = {}): Promise<ExecutionLeaseRow> {
    return { ...lease, etag: await this.write(rows.leaseRow(lease), lease.etag, `The execution lease of ${lease.incidentId}`, options) };
  }

  async findStaleLeases(before: string, options: StoreOptions = {}): Promise<ExecutionLeaseRow[]> {
    return (await this.list(`RowKey eq '${rows.LEASE_RK}' and active eq true and until lt ${odataString(before)}`, options)).map(
      rows.parseLease,
    );
  }

  async appendAudit(incidentId: string, entry: AuditEntry, options: StoreOptions = {}): Promise<void> {
    const table = await this.table();
    try {
      await table.createEntity(rows.auditRow(incidentId, entry), { abortSignal: options.signal });
    } catch (err) {
      throw storeError(err, `writing the audit trail of ${incidentId}`);
    }
  }

  async listAudit(incidentId: string, options: StoreOptions = {}): Promise<AuditEntry[]> {
    return (await this.list(odata`PartitionKey eq ${incidentId} and RowKey ge 'audit-' and RowKey lt 'audit.'`, options)).map(
      rows.parseAudit,
    );
  }

  async remember(scope: string, key: string, value: unknown, options: StoreOptions = {}): Promise<void> {
    const table = await this.table();
    try {
      const row = {
        partitionKey: rows.memoPartition(scope),
        rowKey: rows.safeKey(key),
        valueJson: JSON.stringify(value),
        at: this.now().toISOString(),
      };
      await table.upsertEntity(row, 'Replace', { abortSignal: options.signal });
    } catch (err) {
      throw storeError(err, 'remembering a value');
    }
  }

  async recall<T>(scope: string, key: string, options: StoreOptions = {}): Promise<{ value: T; at: string } | undefined> {
    const row = await this.read(rows.memoPartition(scope), rows.safeKey(key), 'reading a remembered value', options);
    return row && { value: JSON.parse(String(row.valueJson)) as T, at: String(row.at) };
  }

  async recallAll<T>(scope: string, options: StoreOptions = {}): Promise<{ value: T; at: string }[]> {
    const found = await this.list(odata`PartitionKey eq ${rows.memoPartition(scope)}`, options).catch((err: unknown) => {
      throw storeError(err, 'reading remembered values');
    });
    return found.map((row) => ({ value: JSON.parse(String(row.valueJson)) as T, at: String(row.at) }));
  }

  async forget(scope: string, key: string, options: StoreOptions = {}): Promise<void> {
    const table = await this.table();
    try {
      await table.deleteEntity(rows.memoPartition(scope), rows.safeKey(key), { abortSignal: options.signal });
    } catch (err) {
      if (!isStatus(err, 404)) throw storeError(err, 'forgetting a remembered value');
    }
  }

  async claim(scope: string, key: string, options: StoreOptions = {}): Promise<boolean> {
    const table = await this.table();
    try {
      await table.createEntity(
        { partitionKey: rows.claimPartition(scope), rowKey: rows.safeKey(key), at: this.now().toISOString() },
        { abortSignal: options.signal },
      );
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false;
      throw storeError(err, 'recording a delivery');
    }
  }
}
