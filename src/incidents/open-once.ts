import type { ContainContext } from '../context';

/** What the opener of one key keeps: the incident id it reserved, and which takeover it is. */
interface OpenMemo {
  incidentId?: string;
  attempt: number;
  /** The opener failed and gave up (a transient fault, not a crash): the next one takes over at once. */
  failed?: boolean;
}

export type OpenOnceResult = { incidentId: string; opened: boolean } | 'busy';

/**
 * Open one incident per key (an alert request, a wave's user), however many workers are handed the key and whichever
 * of them dies half-way. The first to claim `key~0` reserves an incident id and runs `open(id)`, which must be
 * idempotent for that id (creating the incident is: a second create of the same id is refused by the store). Whoever
 * comes later finds the reservation: done (`done(id)`), someone at work ('busy': try again later), or an opener silent
 * for `staleMs`, presumed dead, or one that failed and said so: the next to claim `key~1` (then ~2 ...) takes over the
 * same incident id. A live opener keeps its reservation fresh while it works, so only an opener frozen longer than
 * `staleMs` that then wakes could repeat a side effect `open` cannot fence (a chat post).
 */
export async function openOnce(
  ctx: Pick<ContainContext, 'store' | 'now' | 'log'>,
  scope: string,
  key: string,
  staleMs: number,
  open: (incidentId: string) => Promise<void>,
  done: (incidentId: string) => Promise<boolean>,
): Promise<OpenOnceResult> {
  const memo = await ctx.store.recall<OpenMemo>(scope, key);
  if (memo?.value.incidentId && (await done(memo.value.incidentId))) return { incidentId: memo.value.incidentId, opened: false };
  if (memo && !memo.value.failed && ctx.now().getTime() - Date.parse(memo.at) < staleMs) return 'busy';
  const attempt = memo ? memo.value.attempt + 1 : 0;
  if (memo) ctx.log.warn('an incident opener went silent; taking over', { scope, key, incidentId: memo.value.incidentId, attempt });
  // Written before the claim: an opener that dies between the two leaves a memo that goes stale, not a key held forever.
  await ctx.store.remember(scope, key, { ...memo?.value, attempt } satisfies OpenMemo);
  if (!(await ctx.store.claim(scope, `${key}~${attempt}`))) return 'busy';
  const incidentId = memo?.value.incidentId ?? (await ctx.store.nextIncidentId(ctx.now()));
  await ctx.store.remember(scope, key, { incidentId, attempt } satisfies OpenMemo);
  // While open() runs the reservation is kept fresh, so only a dead (or frozen) opener goes stale: a slow discovery
  // (throttled reads) is not taken over, and its card is not posted twice. A takeover seen stops the beat.
  const beat = setInterval(() => void keepFresh(), Math.max(1_000, staleMs / 3));
  beat.unref?.();
  const keepFresh = async () => {
    try {
      const now = await ctx.store.recall<OpenMemo>(scope, key);
      if (now?.value.attempt === attempt && !now.value.failed)
        await ctx.store.remember(scope, key, { incidentId, attempt } satisfies OpenMemo);
      else clearInterval(beat);
    } catch (err) {
      ctx.log.warn('could not keep an incident reservation fresh', { scope, key, err });
    }
  };
  try {
    await open(incidentId);
  } catch (err) {
    await ctx.store.remember(scope, key, { incidentId, attempt, failed: true } satisfies OpenMemo).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(beat);
  }
  return { incidentId, opened: true };
}
