// HTTP load with autocannon, in this process: a fixed duration and connection count, the same
// settings for Herald and for the ceiling it is compared with.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { onCleanup } from './cleanup.mjs';
import { freePort } from './http.mjs';
import { round } from './stats.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Runs autocannon; resolves to the figures the report uses (2xx per second, latency percentiles, errors). */
export async function loadHttp({
  url,
  method = 'POST',
  headers = {},
  body,
  connections,
  durationS,
}) {
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    connections,
    duration: durationS,
    pipelining: 1,
  });
  const seconds = (new Date(result.finish) - new Date(result.start)) / 1000 || durationS;
  const ok = result['2xx'] ?? 0;
  const lat = result.latency;
  return {
    connections,
    durationS: round(seconds, 2),
    requests: result.requests.total,
    ok,
    okPerSec: round(ok / seconds),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    latencyMs: {
      p50: lat.p50,
      p90: lat.p90,
      p99: lat.p99,
      p99_9: lat.p99_9,
      max: lat.max,
      mean: lat.average,
    },
    // The distribution as [percentile, ms] for the chart.
    distribution: [
      [1, lat.p1],
      [2.5, lat.p2_5],
      [10, lat.p10],
      [25, lat.p25],
      [50, lat.p50],
      [75, lat.p75],
      [90, lat.p90],
      [97.5, lat.p97_5],
      [99, lat.p99],
      [99.9, lat.p99_9],
      [99.99, lat.p99_99],
    ].filter(([, v]) => Number.isFinite(v)),
  };
}

/** Starts the bare Fastify server (the HTTP ceiling) in its own process; resolves to { url, stop() }. */
export async function startBareFastify() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(HERE, 'bare-fastify.server.mjs'), String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  const unregister = onCleanup('stop the bare Fastify server', stop);
  await new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the bare Fastify server exited (code ${code})`)),
    );
    readline
      .createInterface({ input: child.stdout })
      .on('line', (line) => line.startsWith('listening') && resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      unregister();
      await stop();
    },
  };
}
