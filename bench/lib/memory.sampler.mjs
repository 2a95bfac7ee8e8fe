// Per-process memory from Linux's /proc/<pid>/status: VmRSS (resident now) sampled over time,
// and VmHWM (the kernel's own peak resident set), so a short spike between samples still counts.
import fs from 'node:fs';

/** { rssMb, hwmMb } of a live process, or null (gone, or not Linux). */
export function readMemory(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * Samples every process `pids()` names each `intervalMs` until stop(). stop() resolves to
 * { byProcess: { name: { peakMb, lastMb, samples } }, series: [{ t, name: mb, ... }] } where t is
 * seconds since `t0`; peakMb is the larger of the highest VmHWM and the highest sample.
 */
export function startMemorySampler(pids, { intervalMs = 1_000, t0 = Date.now() } = {}) {
  const byProcess = {};
  const series = [];
  const sample = () => {
    const point = { t: (Date.now() - t0) / 1000 };
    for (const [name, pid] of Object.entries(pids())) {
      const memory = readMemory(pid);
      if (!memory) continue;
      const entry = (byProcess[name] ??= { peakMb: 0, lastMb: 0, samples: 0 });
      entry.peakMb = Math.max(entry.peakMb, memory.hwmMb || 0, memory.rssMb);
      entry.lastMb = memory.rssMb;
      entry.samples++;
      point[name] = round1(memory.rssMb);
    }
    series.push(point);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      sample();
      for (const entry of Object.values(byProcess)) {
        entry.peakMb = round1(entry.peakMb);
        entry.lastMb = round1(entry.lastMb);
      }
      return { byProcess, series };
    },
  };
}

const round1 = (x) => Math.round(x * 10) / 10;
