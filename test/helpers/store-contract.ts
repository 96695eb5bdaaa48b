import { ContainError } from '../../src/errors';
import type { Action, Incident } from '../../src/incidents/model';
import { ConcurrencyError, type IncidentStore } from '../../src/store/incident-store';

/** A store under test and the clock it reads (memos and claims are stamped with it). */
export interface StoreUnderTest {
  store: IncidentStore;
  setNow(d: Date): void;
}

const T0 = '2026-11-25T10:00:00.000Z';

export function incident(id: string, extra: Partial<Incident> = {}): Incident {
  return {
    id,
    createdAt: T0,
    requester: { platform: 'teams', id: '29:riley', aadObjectId: 'r1', name: 'Riley' },
    target: { id: 'u-alice', displayName: 'Alice Aoki', userPrincipalName: 'alice@contoso.example' },
    state: 'open',
    dryRun: false,
    threads: {
      teams: { serviceUrl: 'https://smba.example/', conversationId: '19:soc;messageid=1', botId: '28:contain', channelId: 'msteams' },
    },
    facts: { signIns: [], notes: ['a note'] },
    ...extra,
  };
}

export function action(incidentId: string, id: string, extra: Partial<Action> = {}): Action {
  return {
    incidentId,
    id,
    step: 1,
    kind: 'revokeSessions',
    objectId: 'u-alice',
    params: { name: 'x' },
    title: 'Revoke all sessions',
    detail: 'detail',
    reason: 'reason',
    state: 'proposed',
    proposedAt: T0,
    expiresAt: '2026-11-25T10:30:00.000Z',
    fastPath: false,
    attempts: 0,
    ...extra,
  };
}

const withoutEtag = <T extends { etag?: string }>(x: T) => ({ ...x, etag: undefined });

/**
 * The storage contract: the same cases for every IncidentStore implementation, so that tests on the memory store
 * say something about Table Storage. `make` gives a fresh, empty store per test.
 */
export function storeContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`IncidentStore contract: ${name}`, () => {
    let s: StoreUnderTest;
    beforeEach(async () => {
      s = await make();
      s.setNow(new Date(T0));
    });

    test('incident ids count per day, never twice, even when allocated at once', async () => {
      const day = new Date('2026-11-25T23:59:00Z');
      expect(await s.store.nextIncidentId(day)).toBe('INC-20261125-0001');
      const many = await Promise.all(Array.from({ length: 8 }, () => s.store.nextIncidentId(day)));
      expect(new Set(many).size).toBe(8);
      expect([...many].sort()[7]).toBe('INC-20261125-0009');
      expect(await s.store.nextIncidentId(new Date('2026-11-26T00:00:00Z'))).toBe('INC-20261126-0001');
    });

    test('an incident and its actions are created together, read back as written, and never created twice', async () => {
      const i = incident('INC-20261125-0001');
      await s.store.createIncident(i, [action(i.id, 'a02'), action(i.id, 'a01', { evidence: { id: 'x', nested: [1, 2] } })]);
      const read = await s.store.getIncident(i.id);
      expect(withoutEtag(read!)).toEqual(withoutEtag(i));
      expect(read!.etag).toEqual(expect.any(String));
      expect((await s.store.listActions(i.id)).map((a) => a.id)).toEqual(['a01', 'a02']);
      const a01 = (await s.store.getAction(i.id, 'a01'))!;
      expect(withoutEtag(a01)).toEqual(
        withoutEtag(
          action(i.id, 'a01', {
            evidence: { id: 'x', nested: [1, 2] },
            decision: undefined,
            result: undefined,
            sends: undefined,
            sendingAt: undefined,
            leaseUntil: undefined,
          }),
        ),
      );
      await expect(s.store.createIncident(i, [action(i.id, 'a03')])).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect((await s.store.listActions(i.id)).map((a) => a.id)).toEqual(['a01', 'a02']);
      expect(await s.store.getIncident('INC-20261125-0999')).toBeUndefined();
      expect(await s.store.getAction(i.id, 'a99')).toBeUndefined();
    });

    test('updates are compare-and-swap on the ETag: a stale writer gets ConcurrencyError, no ETag means any version', async () => {
      const i = incident('INC-20261125-0001');
      await s.store.createIncident(i, []);
      const read = (await s.store.getIncident(i.id))!;
      const first = await s.store.updateIncident({ ...read, state: 'contained' });
      expect(first.etag).not.toBe(read.etag);
      await expect(s.store.updateIncident({ ...read, state: 'closed' })).rejects.toBeInstanceOf(ConcurrencyError);
      await s.store.updateIncident({ ...read, etag: undefined, facts: { signIns: [], notes: ['forced'] } });
      expect((await s.store.getIncident(i.id))!.facts.notes).toEqual(['forced']);
    });

    test('two deciders from the same read: exactly one action update wins', async () => {
      const i = incident('INC-20261125-0001');
      await s.store.createIncident(i, [action(i.id, 'a01')]);
      const a = (await s.store.getAction(i.id, 'a01'))!;
      const results = await Promise.allSettled([
        s.store.updateAction({ ...a, state: 'approved' }),
        s.store.updateAction({ ...a, state: 'rejected' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError)).toHaveLength(1);
      await expect(s.store.updateAction({ ...a, etag: undefined })).rejects.toThrow('ETag');
      await expect(s.store.addAction(action(i.id, 'a01'))).rejects.toBeInstanceOf(ConcurrencyError);
      const added = await s.store.addAction(action(i.id, 'a02', { state: 'proposed' }));
      expect(added.etag).toEqual(expect.any(String));
      expect(await s.store.updateAction({ ...added, attempts: 1 })).toMatchObject({ attempts: 1 });
    });

    test('findIncidents filters by target and state, newest first', async () => {
      await s.store.createIncident(incident('INC-20261125-0001', { createdAt: '2026-11-25T10:00:00.000Z' }), []);
      await s.store.createIncident(incident('INC-20261125-0002', { createdAt: '2026-11-25T11:00:00.000Z', state: 'closed' }), []);
      await s.store.createIncident(
        incident('INC-20261125-0003', {
          createdAt: '2026-11-25T09:00:00.000Z',
          target: { id: 'u-bob', displayName: 'Bob', userPrincipalName: 'bob@contoso.example' },
        }),
        [],
      );
      const ids = (list: Incident[]) => list.map((i) => i.id);
      expect(ids(await s.store.findIncidents())).toEqual(['INC-20261125-0002', 'INC-20261125-0001', 'INC-20261125-0003']);
      expect(ids(await s.store.findIncidents({ targetUserId: 'u-alice' }))).toEqual(['INC-20261125-0002', 'INC-20261125-0001']);
      expect(ids(await s.store.findIncidents({ state: 'open' }))).toEqual(['INC-20261125-0001', 'INC-20261125-0003']);
      expect(ids(await s.store.findIncidents({ targetUserId: 'u-alice', state: 'closed' }))).toEqual(['INC-20261125-0002']);
      expect(await s.store.findIncidents({ targetUserId: "o'brien" })).toEqual([]);
    });

    test('findActions: one state, a time field before a moment, across incidents, in table order; rows without the field never match', async () => {
      await s.store.createIncident(incident('INC-20261125-0002'), [
        action('INC-20261125-0002', 'a01', { expiresAt: '2026-11-25T09:00:00.000Z' }),
        action('INC-20261125-0002', 'a02', { state: 'approved', leaseUntil: '2026-11-25T09:00:00.000Z' }),
      ]);
      await s.store.createIncident(incident('INC-20261125-0001'), [
        action('INC-20261125-0001', 'a02', { expiresAt: '2026-11-25T09:30:00.000Z' }),
        action('INC-20261125-0001', 'a01', { expiresAt: '2026-11-25T11:00:00.000Z' }),
        action('INC-20261125-0001', 'a03', { state: 'approved' }),
      ]);
      const refs = (list: Action[]) => list.map((a) => `${a.incidentId}/${a.id}`);
      expect(refs(await s.store.findActions({ state: 'proposed', before: { field: 'expiresAt', time: T0 } }))).toEqual([
        'INC-20261125-0001/a02',
        'INC-20261125-0002/a01',
      ]);
      expect(refs(await s.store.findActions({ state: 'approved', before: { field: 'leaseUntil', time: T0 } }))).toEqual([
        'INC-20261125-0002/a02',
      ]);
      expect(
        refs(await s.store.findActions({ state: 'approved', before: { field: 'proposedAt', time: '2026-11-25T10:00:00.001Z' } })),
      ).toEqual(['INC-20261125-0001/a03', 'INC-20261125-0002/a02']);
    });

    test('the execution lease: created once, then compare-and-swap; stale ones are those still active and out of time', async () => {
      expect(await s.store.getLease('INC-20261125-0001')).toBeUndefined();
      const lease = await s.store.putLease({
        incidentId: 'INC-20261125-0001',
        owner: 'w1',
        until: '2026-11-25T10:01:00.000Z',
        fence: 1,
        active: true,
      });
      await expect(
        s.store.putLease({ incidentId: 'INC-20261125-0001', owner: 'w2', until: '2026-11-25T10:01:00.000Z', fence: 1, active: true }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      const renewed = await s.store.putLease({ ...lease, until: '2026-11-25T10:02:00.000Z' });
      await expect(s.store.putLease({ ...lease, owner: 'w2', fence: 2 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(withoutEtag((await s.store.getLease('INC-20261125-0001'))!)).toEqual(withoutEtag(renewed));
      await s.store.putLease({ incidentId: 'INC-20261125-0002', owner: 'w3', until: '2026-11-25T09:00:00.000Z', fence: 4, active: false });
      await s.store.putLease({ incidentId: 'INC-20261125-0000', owner: 'w4', until: '2026-11-25T09:00:00.000Z', fence: 2, active: true });
      const stale = await s.store.findStaleLeases('2026-11-25T10:05:00.000Z');
      expect(stale.map((l) => [l.incidentId, l.owner, l.fence])).toEqual([
        ['INC-20261125-0000', 'w4', 2],
        ['INC-20261125-0001', 'w1', 1],
      ]);
      expect(await s.store.findStaleLeases('2026-11-25T10:01:30.000Z')).toHaveLength(1);
    });

    test('the audit trail reads back in time order, as written', async () => {
      const actor = { platform: 'slack' as const, id: 'U0AVERY', aadObjectId: 'a2', name: 'Avery' };
      await s.store.appendAudit('INC-20261125-0001', {
        at: '2026-11-25T10:02:00.000Z',
        event: 'action.approved',
        actor,
        actionId: 'a01',
        details: { title: 'x' },
      });
      await s.store.appendAudit('INC-20261125-0001', { at: '2026-11-25T10:01:00.000Z', event: 'incident.opened' });
      await s.store.appendAudit('INC-20261125-0002', { at: '2026-11-25T10:00:00.000Z', event: 'elsewhere' });
      const trail = await s.store.listAudit('INC-20261125-0001');
      expect(trail.map((e) => e.event)).toEqual(['incident.opened', 'action.approved']);
      expect(trail[1]).toEqual({
        at: '2026-11-25T10:02:00.000Z',
        event: 'action.approved',
        actor,
        actionId: 'a01',
        details: { title: 'x' },
      });
      expect(trail[0]).toEqual({
        at: '2026-11-25T10:01:00.000Z',
        event: 'incident.opened',
        actionId: undefined,
        actor: undefined,
        details: undefined,
      });
    });

    test('memos: replaced by the next remember, stamped with the injected clock; keys may hold any character', async () => {
      expect(await s.store.recall('audit-query', 'u1|7')).toBeUndefined();
      await s.store.remember('audit-query', 'u1|7/#?', { queryId: 'q1' });
      s.setNow(new Date('2026-11-25T10:30:00.000Z'));
      await s.store.remember('audit-query', 'u1|7/#?', { queryId: 'q2' });
      expect(await s.store.recall('audit-query', 'u1|7/#?')).toEqual({ value: { queryId: 'q2' }, at: '2026-11-25T10:30:00.000Z' });
      expect(await s.store.recall('other', 'u1|7/#?')).toBeUndefined();
    });

    test('memos of a scope are listed together and can be forgotten; other scopes are not listed', async () => {
      await s.store.remember('wave-active', 'CMP-1', { campaignId: 'CMP-1' });
      await s.store.remember('wave-active', 'CMP-2/#', { campaignId: 'CMP-2/#' });
      await s.store.remember('wave-activeX', 'CMP-3', { campaignId: 'CMP-3' });
      const ids = async () => (await s.store.recallAll<{ campaignId: string }>('wave-active')).map((m) => m.value.campaignId).sort();
      expect(await ids()).toEqual(['CMP-1', 'CMP-2/#']);
      await s.store.forget('wave-active', 'CMP-2/#');
      await s.store.forget('wave-active', 'never-kept');
      expect(await ids()).toEqual(['CMP-1']);
      expect((await s.store.recallAll('wave-active'))[0].at).toEqual(expect.any(String));
    });

    test('claims: the first caller of a key wins, per scope', async () => {
      expect(await s.store.claim('slack-command', 'trigger/1')).toBe(true);
      expect(await s.store.claim('slack-command', 'trigger/1')).toBe(false);
      expect(await s.store.claim('teams-command', 'trigger/1')).toBe(true);
      const racing = await Promise.all(Array.from({ length: 5 }, () => s.store.claim('slack-action', 'k')));
      expect(racing.filter(Boolean)).toHaveLength(1);
    });

    test('a call whose signal was aborted fails as a storage error and changes nothing', async () => {
      const aborted = AbortSignal.abort();
      await expect(s.store.claim('x', 'k', { signal: aborted })).rejects.toBeInstanceOf(ContainError);
      await expect(s.store.getIncident('INC-20261125-0001', { signal: aborted })).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await s.store.claim('x', 'k')).toBe(true);
    });
  });
}
