import { openOnce } from '../../src/incidents/open-once';
import { createLogger } from '../../src/log';
import { MemoryIncidentStore } from '../../src/store/memory-store';

/** One incident per key (alerts, a wave's users) across racing workers and an opener that dies half-way. */
describe('openOnce', () => {
  let clock = Date.parse('2026-11-25T10:00:00Z');
  const now = () => new Date(clock);
  const ctx = { store: new MemoryIncidentStore(now), now, log: createLogger({ level: 'silent' }) };
  const STALE = 60_000;

  test('two workers at once: one opens, the other is told to come back; later deliveries find it done', async () => {
    const opened: string[] = [];
    const done = async (id: string) => opened.includes(id);
    const open = async (id: string) => void opened.push(id);
    const [a, b] = await Promise.all([openOnce(ctx, 's', 'k1', STALE, open, done), openOnce(ctx, 's', 'k1', STALE, open, done)]);
    expect([a, b].filter((r) => r === 'busy')).toHaveLength(1);
    expect(opened).toHaveLength(1);
    expect(await openOnce(ctx, 's', 'k1', STALE, open, done)).toEqual({ incidentId: opened[0], opened: false });
    expect(opened).toHaveLength(1);
  });

  test('an opener that dies half-way: busy until it is stale, then the next one takes over the same incident id', async () => {
    const calls: string[] = [];
    // Dies: never comes back (the memo and the claim are written, the reserved id too).
    void openOnce(
      ctx,
      's',
      'k2',
      STALE,
      (id) => new Promise(() => void calls.push(id)),
      async () => false,
    );
    await new Promise((r) => setTimeout(r, 20));
    const finish = async (id: string) => void calls.push(id);
    expect(await openOnce(ctx, 's', 'k2', STALE, finish, async () => false)).toBe('busy');
    clock += STALE + 1;
    const [x, y] = await Promise.all([
      openOnce(ctx, 's', 'k2', STALE, finish, async () => false),
      openOnce(ctx, 's', 'k2', STALE, finish, async () => false),
    ]);
    expect([x, y].filter((r) => r === 'busy')).toHaveLength(1);
    expect(calls).toEqual([calls[0], calls[0]]);
    expect(calls[0]).toMatch(/^INC-20261125-\d{4}$/);
  });

  test('an opener that fails (a transient fault) says so: the next delivery takes over at once, same incident id', async () => {
    const calls: string[] = [];
    await expect(
      openOnce(
        ctx,
        's',
        'k3',
        STALE,
        async (id) => {
          calls.push(id);
          throw new Error('Graph unavailable');
        },
        async () => false,
      ),
    ).rejects.toThrow('Graph unavailable');
    expect(
      await openOnce(
        ctx,
        's',
        'k3',
        STALE,
        async (id) => void calls.push(id),
        async () => false,
      ),
    ).toEqual({ incidentId: calls[0], opened: true });
    expect(calls).toEqual([calls[0], calls[0]]);
  });

  test('a slow opener still at work keeps its reservation fresh: not taken over, so its card is not posted twice', async () => {
    const real = { store: new MemoryIncidentStore(), now: () => new Date(), log: createLogger({ level: 'silent' }) };
    const staleMs = 1_500; // beats every 1 s
    const calls: string[] = [];
    const slow = openOnce(
      real,
      's',
      'k4',
      staleMs,
      async (id) => {
        calls.push(id);
        await new Promise((r) => setTimeout(r, 2_600));
      },
      async () => false,
    );
    await new Promise((r) => setTimeout(r, 1_900)); // past staleMs since the reservation was first written
    expect(
      await openOnce(
        real,
        's',
        'k4',
        staleMs,
        async (id) => void calls.push(id),
        async () => false,
      ),
    ).toBe('busy');
    expect(await slow).toEqual({ incidentId: calls[0], opened: true });
    expect(calls).toHaveLength(1);
  });
});
