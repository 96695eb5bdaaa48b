import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { ContainError } from '../errors';
import { odataString } from '../graph/odata';
import type { Action, AuditEntry, Incident } from '../incidents/model';
import { insecureAllowed } from './connection';
import { compactDay, incidentId } from '../ids';
import type { TokenCredential } from '@azure/core-auth';

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

const INCIDENT_RK = 'incident';
const LEASE_RK = 'lease';

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

/** Thrown on an ETag mismatch: someone else wrote first. Callers re-read and decide. */
export class ConcurrencyError extends ContainError {
  constructor(what: string) {
    super('CONFLICT', `${what} was changed by someone else at the same moment; reload and try again.`);
  }
}

/**
 * Incidents, actions, audit entries and idempotency markers in one Azure table, partitioned by incident id.
 * Every state change is a conditional write on the row's ETag, so two writers never both win.
 */
export class IncidentStore {
  private ready?: Promise<void>;
  private client?: TableClient;

  /** `open` builds the client on first use: @azure/data-tables costs ~90 ms to load, and routes that only enqueue never need it. */
  constructor(private readonly open: () => Promise<TableClient>) {}

  /** Identity-based access: the table endpoint and a token credential (no account key anywhere). */
  static fromEndpoint(endpoint: string, prefix: string, credential: TokenCredential): IncidentStore {
    return new IncidentStore(async () => new (await import('@azure/data-tables')).TableClient(endpoint, `${prefix}incidents`, credential));
  }

  static fromConnectionString(connectionString: string, prefix: string): IncidentStore {
    return new IncidentStore(async () => (await import('@azure/data-tables')).TableClient.fromConnectionString(connectionString, `${prefix}incidents`, { allowInsecureConnection: insecureAllowed(connectionString) }));
  }

  private get table(): TableClient {
    if (!this.client) throw new Error('IncidentStore used before ensure()');
    return this.client;
  }

  /** Load the SDK and create the table once per process; concurrent callers share the same promise. */
  ensure(): Promise<void> {
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
    return this.ready;
  }

  /** Next id of the form INC-YYYYMMDD-NNNN, from a per-day counter row updated by compare-and-swap. */
  async nextIncidentId(now: Date): Promise<string> {
    await this.ensure();
    const day = compactDay(now);
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const row = await this.table.getEntity<{ value: number }>('counters', day);
        const value = Number(row.value) + 1;
        await this.table.updateEntity({ partitionKey: 'counters', rowKey: day, value }, 'Replace', { etag: row.etag });
        return incidentId(day, value);
      } catch (err) {
        if (isStatus(err, 404)) {
          try {
            await this.table.createEntity({ partitionKey: 'counters', rowKey: day, value: 1 });
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

  async createIncident(incident: Incident, actions: Action[]): Promise<void> {
    await this.ensure();
    const ops: ['create', Row][] = [['create', incidentRow(incident)], ...actions.map((a) => ['create', actionRow(a)] as ['create', Row])];
    try {
      // One entity-group transaction: the incident and its proposed actions appear together or not at all.
      await this.table.submitTransaction(ops);
    } catch (err) {
      throw storeError(err, `creating incident ${incident.id}`);
    }
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    await this.ensure();
    try {
      return parseIncident(await this.table.getEntity<Row>(id, INCIDENT_RK));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw storeError(err, `reading incident ${id}`);
    }
  }

  /** Incident rows matching a filter on targetUserId and/or state, newest first (a scan; fine at incident scale). */
  async findIncidents(where: { targetUserId?: string; state?: Incident['state'] } = {}): Promise<Incident[]> {
    await this.ensure();
    const out: Incident[] = [];
    const filter =
      where.targetUserId && where.state
        ? odata`RowKey eq 'incident' and targetUserId eq ${where.targetUserId} and state eq ${where.state}`
        : where.targetUserId
          ? odata`RowKey eq 'incident' and targetUserId eq ${where.targetUserId}`
          : where.state
            ? odata`RowKey eq 'incident' and state eq ${where.state}`
            : `RowKey eq 'incident'`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) out.push(parseIncident(row));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Conditional replace of the incident row; throws ConcurrencyError when the ETag moved. */
  async updateIncident(incident: Incident): Promise<Incident> {
    await this.ensure();
    try {
      const r = await this.table.updateEntity(incidentRow(incident), 'Replace', { etag: incident.etag ?? '*' });
      return { ...incident, etag: r.etag };
    } catch (err) {
      if (isStatus(err, 412)) throw new ConcurrencyError(`Incident ${incident.id}`);
      throw storeError(err, `updating incident ${incident.id}`);
    }
  }

  async getAction(incidentId: string, actionId: string): Promise<Action | undefined> {
    await this.ensure();
    try {
      return parseAction(await this.table.getEntity<Row>(incidentId, `action-${actionId}`));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw storeError(err, `reading action ${incidentId}/${actionId}`);
    }
  }

  async listActions(incidentId: string): Promise<Action[]> {
    await this.ensure();
    const out: Action[] = [];
    const filter = odata`PartitionKey eq ${incidentId} and RowKey ge 'action-' and RowKey lt 'action.'`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) out.push(parseAction(row));
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Actions in one state across all incidents (the sweeper's scan); `before` bounds the given time column. */
  async findActions(state: Action['state'], column: 'expiresAt' | 'leaseUntil' | 'proposedAt', before: string): Promise<Action[]> {
    await this.ensure();
    const out: Action[] = [];
    const filter = column === 'expiresAt' ? odata`state eq ${state} and expiresAt lt ${before}` : column === 'leaseUntil' ? odata`state eq ${state} and leaseUntil lt ${before}` : odata`state eq ${state} and proposedAt lt ${before}`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) if (String(row.rowKey).startsWith('action-')) out.push(parseAction(row));
    return out;
  }

  /** Add one action to an existing incident (e.g. "Propose again" after expiry). */
  async addAction(action: Action): Promise<Action> {
    await this.ensure();
    try {
      const r = await this.table.createEntity(actionRow(action));
      return { ...action, etag: r.etag };
    } catch (err) {
      if (isStatus(err, 409)) throw new ConcurrencyError(`Action ${action.incidentId}/${action.id}`);
      throw storeError(err, `adding an action to ${action.incidentId}`);
    }
  }

  /** Conditional replace of an action row (compare-and-swap on its ETag). */
  async updateAction(action: Action): Promise<Action> {
    if (!action.etag) throw new Error('updateAction needs the ETag of the version it read');
    await this.ensure();
    try {
      const r = await this.table.updateEntity(actionRow(action), 'Replace', { etag: action.etag });
      return { ...action, etag: r.etag };
    } catch (err) {
      if (isStatus(err, 412)) throw new ConcurrencyError(`Action ${action.incidentId}/${action.id}`);
      throw storeError(err, `updating action ${action.incidentId}/${action.id}`);
    }
  }

  /** The incident's execution lease row, if one was ever taken. */
  async getLease(incidentId: string): Promise<ExecutionLeaseRow | undefined> {
    await this.ensure();
    try {
      return parseLease(await this.table.getEntity<Row>(incidentId, LEASE_RK));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw storeError(err, `reading the execution lease of ${incidentId}`);
    }
  }

  /** Write the lease row: create when it has no ETag (409 -> ConcurrencyError), else compare-and-swap (412 -> ConcurrencyError). */
  async putLease(lease: ExecutionLeaseRow): Promise<ExecutionLeaseRow> {
    await this.ensure();
    const row: Row = { partitionKey: lease.incidentId, rowKey: LEASE_RK, owner: lease.owner, until: lease.until, fence: lease.fence, active: lease.active };
    try {
      const r = lease.etag ? await this.table.updateEntity(row, 'Replace', { etag: lease.etag }) : await this.table.createEntity(row);
      return { ...lease, etag: r.etag };
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 409)) throw new ConcurrencyError(`The execution lease of ${lease.incidentId}`);
      throw storeError(err, `writing the execution lease of ${lease.incidentId}`);
    }
  }

  /** Leases with work left whose holder stopped renewing before `before` (the sweeper's scan). */
  async findStaleLeases(before: string): Promise<ExecutionLeaseRow[]> {
    await this.ensure();
    const out: ExecutionLeaseRow[] = [];
    const filter = `RowKey eq '${LEASE_RK}' and active eq true and until lt ${odataString(before)}`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) out.push(parseLease(row));
    return out;
  }

  /** Append-only audit trail; row keys sort by time. */
  async appendAudit(incidentId: string, entry: AuditEntry): Promise<void> {
    await this.ensure();
    const rowKey = `audit-${entry.at}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      await this.table.createEntity({ partitionKey: incidentId, rowKey, at: entry.at, event: entry.event, actionId: entry.actionId, actorJson: json(entry.actor), detailsJson: json(entry.details) });
    } catch (err) {
      throw storeError(err, `writing the audit trail of ${incidentId}`);
    }
  }

  async listAudit(incidentId: string): Promise<AuditEntry[]> {
    await this.ensure();
    const out: AuditEntry[] = [];
    const filter = odata`PartitionKey eq ${incidentId} and RowKey ge 'audit-' and RowKey lt 'audit.'`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } }))
      out.push({ at: String(row.at), event: String(row.event), actionId: row.actionId as string | undefined, actor: parse(row.actorJson), details: parse(row.detailsJson) });
    return out;
  }

  /**
   * Claim an idempotency key (a chat delivery id, a queue message key). True for the first caller only; used so that
   * retried deliveries do not open a second incident.
   */
  /** Keep a small value under a scope and key, replacing what was there (e.g. the audit log query a run started). */
  async remember(scope: string, key: string, value: unknown): Promise<void> {
    await this.ensure();
    try {
      await this.table.upsertEntity({ partitionKey: `memo-${scope}`, rowKey: safeKey(key), valueJson: JSON.stringify(value), at: new Date().toISOString() }, 'Replace');
    } catch (err) {
      throw storeError(err, 'remembering a value');
    }
  }

  /** What `remember` kept, and when; undefined when nothing was. */
  async recall<T>(scope: string, key: string): Promise<{ value: T; at: string } | undefined> {
    await this.ensure();
    try {
      const row = await this.table.getEntity<{ valueJson: string; at: string }>(`memo-${scope}`, safeKey(key));
      return { value: JSON.parse(row.valueJson) as T, at: row.at };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw storeError(err, 'reading a remembered value');
    }
  }

  async claim(scope: string, key: string, ttlNote = ''): Promise<boolean> {
    await this.ensure();
    try {
      await this.table.createEntity({ partitionKey: `claim-${scope}`, rowKey: safeKey(key), note: ttlNote, at: new Date().toISOString() });
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false;
      throw storeError(err, 'recording a delivery');
    }
  }
}

function incidentRow(i: Incident): Row {
  return {
    partitionKey: i.id,
    rowKey: INCIDENT_RK,
    createdAt: i.createdAt,
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

function parseIncident(row: TableEntityResult<Row>): Incident {
  return {
    id: row.partitionKey as string,
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

function parseLease(row: TableEntityResult<Row>): ExecutionLeaseRow {
  return { incidentId: row.partitionKey as string, owner: String(row.owner), until: String(row.until), fence: Number(row.fence), active: Boolean(row.active), etag: row.etag };
}

function actionRow(a: Action): Row {
  return {
    partitionKey: a.incidentId,
    rowKey: `action-${a.id}`,
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
  };
}

function parseAction(row: TableEntityResult<Row>): Action {
  return {
    incidentId: row.partitionKey as string,
    id: (row.rowKey as string).slice('action-'.length),
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
    etag: row.etag,
  };
}

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parse = (v: unknown): any => (typeof v === 'string' && v !== '' ? JSON.parse(v) : undefined);

/** Row keys may not contain / \ # ? or control characters. */
function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '_').slice(0, 512);
}

function isStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: number })?.statusCode === status;
}

/** OData filter with every value quoted as a literal (the SDK's `odata` tag, without loading the SDK). */
function odata(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? odataString(values[i]) : ''), '');
}

function storeError(err: unknown, what: string): ContainError {
  return new ContainError('STORE_ERROR', `Storage failed while ${what}; nothing was lost, try again.`, { cause: err, transient: true, details: { status: (err as { statusCode?: number })?.statusCode } });
}
