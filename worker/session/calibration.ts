/**
 * Correction of our token counts for the upstream's tokenizer: the ratio of
 * what the upstream reports to what we counted, smoothed, never below 1 (it
 * only ever shrinks the budget) and never above 3.
 */
import type { Store } from "./store";

/** The next factor after a reply whose prompt we counted at `counted` and the upstream at `reported`. */
export function nextCalibration(previous: number, reported: number, counted: number): number {
  if (!(reported > 0 && counted > 0)) return previous;
  return Math.min(3, Math.max(1, 0.7 * previous + 0.3 * (reported / counted)));
}

export function createCalibration(store: Store) {
  let factor: number | undefined;
  const current = () => (factor ??= Number(store.getMeta("calibration") ?? "1"));
  return {
    current,
    observe(reported: number | undefined, counted: number): void {
      if (!reported) return;
      factor = nextCalibration(current(), reported, counted);
      store.setMeta("calibration", String(factor));
    },
    reset(): void {
      factor = undefined;
    },
  };
}
