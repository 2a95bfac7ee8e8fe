// What the run ran on, and how busy the machine was with other work: shared machines are noisy,
// so the report states both next to the figures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { sleep } from '../../scripts/lib/processes.mjs';

export async function describeMachine({ databaseUrl, kafkaVersion }) {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  let postgres;
  try {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    postgres = (await client.query('SHOW server_version')).rows[0].server_version;
    await client.end();
  } catch {
    postgres = 'unknown';
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: /version "([^"]+)"/.exec(`${java.stderr}${java.stdout}`)?.[1] ?? 'unknown',
    kafka: kafkaVersion,
    postgres,
  };
}

function cpuTicks() {
  const [line] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  return { total: values.reduce((a, b) => a + b, 0), idle };
}

function processTicks() {
  const out = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      out.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function commandOf(pid, comm) {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const text = args.map((a) => a.replace(/^.*\/(node_modules\/)?/, '')).join(' ');
    return text.length > 90 ? `${text.slice(0, 87)}…` : text || comm;
  } catch {
    return comm;
  }
}

/**
 * How busy the machine is over `ms`: total CPU use in percent of all cores, the 1-minute load
 * average, and the processes (not in `ownPids`) that used more than 5 % of a core.
 */
export async function machineLoad({ ms = 2_000, ownPids = [] } = {}) {
  const hz = 100; // USER_HZ on Linux
  const cpu0 = cpuTicks();
  const p0 = processTicks();
  await sleep(ms);
  const cpu1 = cpuTicks();
  const p1 = processTicks();
  const busy = 1 - (cpu1.idle - cpu0.idle) / Math.max(1, cpu1.total - cpu0.total);
  const own = new Set([process.pid, ...ownPids]);
  const others = [];
  for (const [pid, now] of p1) {
    const before = p0.get(pid);
    if (!before || own.has(pid)) continue;
    const corePercent = ((now.ticks - before.ticks) / hz / (ms / 1000)) * 100;
    if (corePercent >= 5)
      others.push({ pid, command: commandOf(pid, now.comm), corePercent: Math.round(corePercent) });
  }
  others.sort((a, b) => b.corePercent - a.corePercent);
  return {
    at: new Date().toISOString(),
    cpuBusyPercent: Math.round(busy * 100),
    loadAverage1m: os.loadavg()[0],
    otherProcesses: others.slice(0, 8),
  };
}
