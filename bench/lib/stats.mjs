// Plain statistics for the report: percentiles (nearest rank), summaries and ratios.

/** Nearest-rank percentile of an ascending-sorted array (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** { count, min, p50, p90, p99, max, mean } of numbers. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0)
    return { count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
  return {
    count: sorted.length,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 2),
  };
}

/** The percentile curve [[p, value]] at the given percentiles (for distribution charts). */
export function percentileCurve(
  values,
  points = [1, 5, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 100],
) {
  const sorted = [...values].sort((a, b) => a - b);
  return points.map((p) => [p, percentile(sorted, p)]);
}

export function round(x, digits = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a / b rounded, or null when either is missing. */
export function ratio(a, b, digits = 2) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? round(a / b, digits) : null;
}
