// Per-process memory from Linux's /proc/<pid>/status: VmRSS (resident now) sampled over time,
// and VmHWM (the kernel's own peak resident set), so a short spike between samples still counts.
// Also the CPU each process used over the sampling window (/proc/<pid>/stat utime + stime), and
// that of the infrastructure (the Kafka broker JVMs, every PostgreSQL backend): on a two-core
// machine it shows which stage the cores go to.
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a live process has used, or null. */
export function readCpuSeconds(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : null;
}

/** Pids of the infrastructure by group: `kafka` (broker JVMs), `postgres` (server and backends). */
export function infrastructurePids() {
  const groups = { kafka: [], postgres: [] };
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return groups;
  }
  for (const entry of entries) {
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres') groups.postgres.push(Number(entry));
      else if (
        comm === 'java' &&
        fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')
      )
        groups.kafka.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return groups;
}

/**
 * CPU used between start() and stop() by each named process and each infrastructure group.
 * A process that ends (or is replaced) during the window counts what it used until its last
 * reading. stop() resolves to { seconds, byProcess: { name: cpuSeconds } }.
 */
function startCpuMeter(pids) {
  const t0 = Date.now();
  // key "name/pid" -> { name, first, last }
  const seen = new Map();
  const read = () => {
    const groups = { ...Object.fromEntries(Object.entries(pids()).map(([n, p]) => [n, [p]])) };
    for (const [group, list] of Object.entries(infrastructurePids()))
      if (list.length) groups[`${group} (infrastructure)`] = list;
    for (const [name, list] of Object.entries(groups))
      for (const pid of list) {
        const cpu = readCpuSeconds(pid);
        if (cpu === null) continue;
        const key = `${name}/${pid}`;
        const entry = seen.get(key);
        // A process first seen mid-window started within it: all of its CPU is the window's.
        if (!entry) seen.set(key, { name, first: started ? 0 : cpu, last: cpu });
        else entry.last = cpu;
      }
  };
  let started = false;
  read();
  started = true;
  return {
    read,
    stop() {
      read();
      const byProcess = {};
      for (const { name, first, last } of seen.values())
        byProcess[name] = round1((byProcess[name] ?? 0) + Math.max(0, last - first));
      return { seconds: round1((Date.now() - t0) / 1000), byProcess };
    },
  };
}

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
 * { byProcess: { name: { peakMb, lastMb, samples } }, series: [{ t, name: mb, ... }], cpu } where
 * t is seconds since `t0`; peakMb is the larger of the highest VmHWM and the highest sample; cpu
 * is startCpuMeter's reading over the same window.
 */
export function startMemorySampler(pids, { intervalMs = 1_000, t0 = Date.now() } = {}) {
  const cpu = startCpuMeter(pids);
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
    cpu.read();
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
      return { byProcess, series, cpu: cpu.stop() };
    },
  };
}

const round1 = (x) => Math.round(x * 10) / 10;
