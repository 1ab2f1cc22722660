/**
 * The benchmark's arithmetic, pure: percentiles (nearest rank, so every
 * figure is a latency that was actually observed), summaries, paired
 * differences and the PASS/MISS verdict.
 */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The nearest-rank `p`th percentile (0 < p ≤ 100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** n, min, p50, p90, p99, max and mean of `values`. */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  return {
    n,
    min: n ? Math.min(...values) : Number.NaN,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: n ? Math.max(...values) : Number.NaN,
    mean: n ? values.reduce((s, v) => s + v, 0) / n : Number.NaN,
  };
}

/** `a[i] - b[i]` for samples taken in pairs (same turn, same prompt). */
export function pairedDiff(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  return a.map((v, i) => v - b[i]);
}

/** `a / b`, NaN when `b` is not positive (a ratio against nothing means nothing). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

export type Verdict = "PASS" | "MISS";

/** PASS when `value` is at most `limit`; a NaN never passes. */
export function verdict(value: number, limit: number): Verdict {
  return value <= limit ? "PASS" : "MISS";
}
