import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { isRetryableStatus } from '../graph/retry';
import { withoutAnnotations } from '../graph/odata';
import { handlerFor } from '../playbook/registry';
import type { CallResult } from '../playbook/types';
import { ConcurrencyError } from '../store/incident-store';
import { isPostureRecord } from '../posture/record';
import { runCalls, type PlannedCall } from './calls';
import { LeaseLost, type HeldLease } from './lease';
import { UNFINISHED, type Action, type ActionResult } from './model';
import type { Notifier } from './notifier';
import { protectedByMembership, protectionRequests } from './policy';
import type { Incident } from './model';
import type { ExecuteOutcome } from './execute';
import { reportProgress } from './run-progress';

/** Rounds of Graph requests one run may make; Alice's full containment needs four. */
const MAX_ROUNDS = 12;
/** Sends of one change per run: the first, and more only after the tenant showed the previous one was not made. */
const MAX_SENDS_PER_RUN = 3;
/** Passes over the incident's actions per run: actions approved while a pass ran are taken in the next one. */
const MAX_PASSES = 3;

const FINAL = (a: Action) => !UNFINISHED.includes(a.state);

/** One worker's run over one incident's actions. */
export class Run {
  private actions = new Map<string, Action>();
  /** Changes that succeeded in this run and still await their read-back. */
  private unchecked = new Set<string>();
  /** Actions that hit a lasting transient fault in this run: left for a later delivery. */
  private deferred = new Set<string>();
  private sendsThisRun = new Map<string, number>();
  /** Changes this run sent and got an HTTP answer for: nothing of theirs can still be in flight. */
  private answered = new Set<string>();
  private finishedSinceReport: { a: Action; r: ActionResult }[] = [];
  transient?: ContainError;
  private ran = false;
  /**
   * Whether the target may be changed: an account may have become protected (break-glass, a new administrator) since
   * its actions were approved. Asked afresh in the first round (riding in its batch), before anything is sent.
   */
  private protection: 'unknown' | 'clear' | 'protected' = 'unknown';
  private incident?: Incident;

  constructor(
    private readonly ctx: ContainContext,
    private readonly lease: HeldLease,
    private readonly notifier: Notifier,
    private readonly log: ContainContext['log'],
    private readonly signal: AbortSignal,
  ) {}

  workLeft(): boolean {
    return [...this.actions.values()].some((a) => !FINAL(a));
  }

  async execute(): Promise<ExecuteOutcome> {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const incident = await this.ctx.store.getIncident(this.lease.incidentId);
      if (!incident) return 'nothing-to-do';
      const listed = (await this.ctx.store.listActions(incident.id)).filter((a) => !this.actions.has(a.id));
      // A change recorded as made whose read-back was lost with a worker still gets its read-back.
      for (const a of listed.filter((x) => x.state === 'succeeded' && x.result && x.result.verified === undefined)) {
        this.actions.set(a.id, a);
        this.unchecked.add(a.id);
      }
      const fresh = listed.filter((a) => !FINAL(a) && a.state !== 'proposed');
      if (!fresh.length && !this.unchecked.size) break;
      // Taking an action rewrites its row: a worker that held it before can no longer write it.
      for (const a of await Promise.all(
        fresh.map((a) =>
          this.save({ ...a, state: a.state === 'approved' ? 'running' : a.state, attempts: a.attempts + 1, leaseUntil: undefined }),
        ),
      ))
        this.actions.set(a.id, a);
      this.ran = true;
      this.incident = incident;
      // A posture record changes no account: its measures exclude the protected accounts when they are built.
      if (isPostureRecord(incident)) this.protection = 'clear';
      for (let round = 0; round < MAX_ROUNDS; round++) {
        this.signal.throwIfAborted();
        if (!(await this.round())) break;
        await this.report();
      }
    }
    await this.report();
    return this.ran ? 'done' : 'nothing-to-do';
  }

  /** One round trip's worth of work; false when there was nothing left to do. */
  private async round(): Promise<boolean> {
    const target = this.incident!.target;
    const protection = this.protection === 'unknown' ? protectionRequests(this.ctx.policy, target) : undefined;
    if (protection && (protection.direct || !protection.requests.length)) this.protection = protection.direct ? 'protected' : 'clear';
    if (this.protection === 'protected') {
      for (const a of [...this.actions.values()].filter((x) => x.state === 'running'))
        await this.finish(a, {
          outcome: 'skipped',
          code: 'USER_PROTECTED',
          message: `Not changed: approved, but ${target.displayName} is now a protected account (break-glass or administrator); follow the manual procedure for privileged accounts.`,
        });
    }
    const live = [...this.actions.values()].filter((a) => !FINAL(a) && !this.deferred.has(a.id));
    const mayChange = this.protection === 'clear';
    const phase1Open = [...this.actions.values()].some((a) => !FINAL(a) && handlerFor(a.kind).phase === 1);
    const asking = this.protection === 'unknown' ? protection!.requests : [];
    const snaps = this.protection !== 'protected' ? live.filter((a) => a.state === 'running' && a.evidence === undefined) : [];
    const verifies = live.filter((a) => a.state === 'sending');
    const checks = [...this.unchecked].map((id) => this.actions.get(id)!);
    const sends = mayChange
      ? live.filter(
          (a) =>
            a.state === 'running' &&
            a.evidence !== undefined &&
            (handlerFor(a.kind).phase === 1 || !phase1Open) &&
            (this.sendsThisRun.get(a.id) ?? 0) < MAX_SENDS_PER_RUN,
        )
      : [];
    if (!asking.length && !snaps.length && !verifies.length && !checks.length && !sends.length) return false;

    // Recorded before anything leaves: after a crash, "sending" means "find out whether it was made".
    const sending = await Promise.all(
      sends.map((a) => this.save({ ...a, state: 'sending', sends: (a.sends ?? 0) + 1, sendingAt: this.ctx.now().toISOString() })),
    );
    for (const a of sending) this.sendsThisRun.set(a.id, (this.sendsThisRun.get(a.id) ?? 0) + 1);
    this.signal.throwIfAborted();
    const calls: PlannedCall[] = [
      ...asking.map((q, i): PlannedCall => [`protected:${i}`, { api: 'graph', method: 'POST', url: q.url, body: q.body }]),
      ...snaps.map((a): PlannedCall => [`${a.id}:snapshot`, handlerFor(a.kind).snapshot(a)]),
      ...[...verifies, ...checks].map((a): PlannedCall => [`${a.id}:check`, handlerFor(a.kind).check(a)]),
      ...sending.map((a): PlannedCall => [`${a.id}:change`, handlerFor(a.kind).change(a, a.evidence)]),
    ];
    const answers = await runCalls(this.ctx, calls, { signal: this.signal });
    this.unchecked.clear();
    if (asking.length) this.onProtection(asking.map((_, i) => answers.get(`protected:${i}`)!));
    await Promise.all([
      ...snaps.map((a) => this.onSnapshot(a, answers.get(`${a.id}:snapshot`)!)),
      ...verifies.map((a) => this.onVerify(a, answers.get(`${a.id}:check`)!)),
      ...checks.map((a) => this.onCheck(a, answers.get(`${a.id}:check`)!)),
      ...sending.map((a) => this.onChange(a, answers.get(`${a.id}:change`)!)),
    ]);
    return true;
  }

  private onProtection(answers: (CallResult | ContainError)[]): void {
    const failed = answers.find((r) => r instanceof ContainError || r.status >= 300);
    if (failed) {
      // Not knowing is not permission: nothing is changed until the check answers.
      for (const a of this.actions.values()) if (!FINAL(a)) this.deferred.add(a.id);
      this.transient ??= new ContainError(
        'GRAPH_UNAVAILABLE',
        'Contain could not re-check that the account is not protected; nothing was changed, it will be retried.',
        { transient: true },
      );
      return;
    }
    this.protection = protectedByMembership(answers.map((r) => (r as CallResult).body as { value?: unknown })) ? 'protected' : 'clear';
    if (this.protection === 'protected')
      this.log.warn('target is protected now; approved changes are not made', { targetId: this.incident!.target.id });
  }

  private async onSnapshot(a: Action, r: CallResult | ContainError): Promise<void> {
    if (r instanceof ContainError || isRetryableStatus(r.status)) return this.defer(a, r, 'the snapshot');
    if (r.status === 404)
      return this.finish(a, { outcome: 'skipped', message: `${a.title}: the object no longer exists; nothing to change.` });
    if (r.status >= 300) return this.finish(a, handlerFor(a.kind).outcome(a, r));
    // Evidence is durable before any change is sent.
    await this.save({ ...a, evidence: withoutAnnotations((r.body ?? {}) as object) });
    await this.audit(a, 'action.snapshot', { title: a.title });
  }

  /** A change whose answer was lost: the tenant says whether it was made. */
  private async onVerify(a: Action, r: CallResult | ContainError): Promise<void> {
    if (r instanceof ContainError || isRetryableStatus(r.status)) return this.defer(a, r, 'the read-back');
    const h = handlerFor(a.kind);
    if (h.verified(a, a.evidence, r)) {
      const made = h.outcome(a, { status: 204, headers: {}, body: undefined });
      this.log.info('a change whose answer was lost was made; not sent again', { actionId: a.id, kind: a.kind });
      return this.finish(a, { ...made, verified: true, recovered: true });
    }
    if (r.status === 404)
      return this.finish(a, { outcome: 'skipped', message: `${a.title}: the object no longer exists; nothing to change.` });
    // Not made yet. If nobody here saw it answered, it may still be on its way (a worker frozen mid-request): wait.
    const inFlightUntil = Date.parse(a.sendingAt ?? '') + this.ctx.config.policy.sendGraceMs;
    if (!this.answered.has(a.id) && inFlightUntil > this.ctx.now().getTime()) {
      this.log.info(
        'a change whose answer was lost is not made yet; it may still be in flight, so it is not resent before the grace period',
        { actionId: a.id, until: new Date(inFlightUntil).toISOString() },
      );
      return this.defer(
        a,
        new ContainError(
          'GRAPH_UNAVAILABLE',
          `"${a.title}" was sent by a worker that stopped; Contain waits until it can no longer be in flight before sending it again.`,
          { transient: true },
        ),
        'the read-back',
      );
    }
    this.log.info('a change whose answer was lost was not made; it will be sent', { actionId: a.id, kind: a.kind });
    await this.save({ ...a, state: 'running' });
  }

  private async onCheck(a: Action, r: CallResult | ContainError): Promise<void> {
    const verified = !(r instanceof ContainError) && handlerFor(a.kind).verified(a, a.evidence, r);
    await this.save({ ...a, result: { ...a.result!, verified } });
  }

  private async onChange(a: Action, r: CallResult | ContainError): Promise<void> {
    // An HTTP status, even a 5xx for the whole batch, means the service is done with the request: it is not in flight.
    if (!(r instanceof ContainError) || Number(r.details.status) > 0) this.answered.add(a.id);
    // No answer, or one that does not say whether the change was made: read the tenant next round.
    if (r instanceof ContainError || (isRetryableStatus(r.status) && r.status !== 429)) {
      this.log.warn('change sent, answer unknown; verifying before anything is sent again', {
        actionId: a.id,
        status: r instanceof ContainError ? r.code : r.status,
      });
      if (r instanceof ContainError) this.transient ??= r;
      return;
    }
    if (r.status === 429) {
      // Refused before it was processed: nothing was made. Left for a later delivery rather than retried into the limit.
      await this.save({ ...a, state: 'running' });
      return this.defer(a, r, 'the change');
    }
    const result = handlerFor(a.kind).outcome(a, r);
    await this.finish(a, result);
    if (result.outcome === 'succeeded') this.unchecked.add(a.id);
  }

  private async defer(a: Action, r: CallResult | ContainError, what: string): Promise<void> {
    this.deferred.add(a.id);
    this.transient ??=
      r instanceof ContainError
        ? r.transient
          ? r
          : new ContainError(r.code, r.userMessage, { transient: true, cause: r })
        : new ContainError(
            r.status === 429 ? 'GRAPH_THROTTLED' : 'GRAPH_UNAVAILABLE',
            `Microsoft Graph did not answer ${what} of "${a.title}" (HTTP ${r.status}); it will be retried.`,
            { transient: true },
          );
  }

  private async finish(a: Action, result: ActionResult): Promise<void> {
    const saved = await this.save({ ...a, state: result.outcome, result, leaseUntil: undefined });
    await this.audit(saved, `action.${result.outcome}`, {
      title: a.title,
      message: result.message,
      code: result.code,
      verified: result.verified,
      recovered: result.recovered,
      requestIds: result.requestIds,
    });
    (result.outcome === 'failed' ? this.log.warn : this.log.info)(`action ${result.outcome}`, {
      actionId: a.id,
      kind: a.kind,
      code: result.code,
      recovered: result.recovered,
    });
    this.finishedSinceReport.push({ a: saved, r: result });
  }

  /** Compare-and-swap of one action; losing it means another worker took the incident over. */
  private async save(next: Action): Promise<Action> {
    try {
      const saved = await this.ctx.store.updateAction(next);
      this.actions.set(saved.id, saved);
      return saved;
    } catch (err) {
      if (err instanceof ConcurrencyError) throw new LeaseLost(next.incidentId);
      throw err;
    }
  }

  private audit(a: Action, event: string, details: Record<string, unknown>): Promise<void> {
    return this.ctx.store.appendAudit(a.incidentId, { at: this.ctx.now().toISOString(), event, actionId: a.id, details });
  }

  /** Update the shared card and post one status line per action finished since the last report; chat failures never undo actions. */
  private async report(): Promise<void> {
    const finished = this.finishedSinceReport.splice(0);
    if (finished.length) await reportProgress(this.ctx, this.notifier, this.lease.incidentId, finished);
  }
}
