// memory: the fan-out at a small and a large audience (a tenth of --contacts and --contacts:
// 100,000 and 1,000,000 by default), each on a fresh stack, and every process's peak memory
// (VmHWM) for both: flat means the large run's peak is within FLAT_FACTOR of the small run's.
import { round } from '../lib/stats.mjs';
import { fanOut } from './fan-out.scenario.mjs';

export const FLAT_FACTOR = 1.25;
export const DRIFT_FACTOR = 1.1;

/** `reuse` is the fan-out scenario's own result when it ran at the large size in this run. */
export async function memory(ctx, { reuse } = {}) {
  const { args, log } = ctx;
  const sizes = [args.memorySmall, args.contacts];
  const runs = {};
  for (const size of sizes) {
    if (runs[size]) continue;
    if (reuse && reuse.contacts === size) {
      log(`memory: reusing the fan-out run at ${size.toLocaleString('en')} contacts`);
      runs[size] = reuse;
    } else {
      runs[size] = await fanOut(ctx, { contacts: size, label: `memory-${size}`, ceilings: false });
    }
  }
  const [small, large] = sizes.map((s) => runs[s]);
  const names = [
    ...new Set([...Object.keys(small.memory.byProcess), ...Object.keys(large.memory.byProcess)]),
  ];
  const peaks = {};
  for (const name of names) {
    const a = small.memory.byProcess[name]?.peakMb ?? null;
    const b = large.memory.byProcess[name]?.peakMb ?? null;
    peaks[name] = { small: a, large: b, growth: a && b ? round(b / a, 2) : null };
  }
  // Within the large run: the peak in its last third against the peak in its middle third. The
  // first third (warm-up, heaps growing to their working size) is left out; memory that grows
  // with the contacts processed keeps climbing, memory that is flat does not.
  const drift = driftOf(large.memory.series);
  for (const name of names) peaks[name].lateVsMid = drift[name] ?? null;
  const herald = names.filter((n) => n !== 'provider-sandbox');
  return {
    sizes: { small: sizes[0], large: sizes[1] },
    // The services' V8 old-space limit (--heap-mb), or null for Node's default.
    heapMb: args.heapMb ?? null,
    peakMb: peaks,
    flatFactor: FLAT_FACTOR,
    flat: herald.every((n) => peaks[n].growth !== null && peaks[n].growth <= FLAT_FACTOR),
    flatOverTime: herald.every(
      (n) => peaks[n].lateVsMid !== null && peaks[n].lateVsMid <= DRIFT_FACTOR,
    ),
    driftFactor: DRIFT_FACTOR,
    complete: { small: small.complete, large: large.complete },
    outcomes: { small: small.outcome, large: large.outcome },
    runs: Object.fromEntries(
      sizes.map((s) => [
        s,
        {
          memorySeries: runs[s].memory.series,
          lastDeliveryMs: runs[s].lastDeliveryMs,
          outcome: runs[s].outcome,
        },
      ]),
    ),
  };
}

/** name → (peak RSS in the last third of the series) ÷ (peak RSS in its middle third). */
export function driftOf(series) {
  const end = series.length ? series[series.length - 1].t : 0;
  const out = {};
  const names = new Set(series.flatMap((p) => Object.keys(p).filter((k) => k !== 't')));
  for (const name of names) {
    const peak = (from, to) =>
      Math.max(
        0,
        ...series
          .filter((p) => p.t >= from && p.t < to && p[name] !== undefined)
          .map((p) => p[name]),
      );
    const mid = peak(end / 3, (2 * end) / 3);
    const late = peak((2 * end) / 3, end + 1);
    out[name] = mid > 0 && late > 0 ? round(late / mid, 2) : null;
  }
  return out;
}
