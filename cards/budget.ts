import { WHOLE_STEP, TOP_FINDINGS } from '../src/views/steps';

/** How many of each step's actions a card shows in full (by step number); the rest are behind "Show all". */
export type Shown = ReadonlyMap<number, number>;

/**
 * Render a card that fits its platform's budget by degrading step by step rather than cutting blindly: first every
 * small step whole and the top findings of the big ones; then, while it does not fit, one finding fewer for the step
 * that shows the most (the bigger step first on a tie), down to summaries only; then the compact form of everything
 * else (`compact`). What cannot fit even then is the caller's last guard.
 */
export function fitSteps<T>(
  sizes: ReadonlyMap<number, number>,
  render: (shown: Shown, compact: boolean) => T,
  fits: (out: T) => boolean,
): T {
  const shown = new Map([...sizes].map(([step, n]) => [step, n <= WHOLE_STEP ? n : TOP_FINDINGS]));
  let out = render(shown, false);
  for (;;) {
    if (fits(out)) return out;
    const next = [...shown].filter(([, k]) => k > 0).sort((a, b) => b[1] - a[1] || sizes.get(b[0])! - sizes.get(a[0])! || a[0] - b[0])[0];
    if (!next) break;
    shown.set(next[0], next[1] - 1);
    out = render(shown, false);
  }
  return render(shown, true);
}

/** Steps by number with how many actions each has. */
export function stepSizes(actions: { step: number }[], steps: { step: number }[]): Map<number, number> {
  const sizes = new Map(steps.map((s) => [s.step, 0]));
  for (const a of actions) sizes.set(a.step, (sizes.get(a.step) ?? 0) + 1);
  return sizes;
}
