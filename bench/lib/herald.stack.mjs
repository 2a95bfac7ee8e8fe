// Herald as it runs in production: the provider sandbox and each service in its own process,
// started from dist/ (`main.js <service>`, as in the container) under the scripts' supervisor,
// which stops a child whose starter died, even by SIGKILL. Each process gets a free port on
// 127.0.0.1, a log file, and a pid that can be sampled (/proc/<pid>/status), signalled (kill -9,
// SIGTERM) and restarted, and a service can be given more replicas while it runs: the pieces a
// benchmark and a fault suite both need.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  SUPERVISOR_PATH,
  isAlive,
  readPidFile,
  sleep,
  tailFile,
} from '../../scripts/lib/processes.mjs';
import { isStopping, onCleanup } from './cleanup.mjs';
import { freePort, waitHttpOk } from './http.mjs';
import { HERALD_MAIN, ROOT, SANDBOX_MAIN } from './infra.mjs';

export const SERVICE_NAMES = [
  'audience',
  'contact',
  'delivery-whatsapp',
  'delivery-sms',
  'delivery-messenger',
  'gateway',
];
const STOP_GRACE_MS = 20_000;

/**
 * Node flags of every process started from now on, from the harness's flags: `cpuProfile`, a
 * directory (relative to the repository) where each writes a V8 CPU profile on exit; `heapMb`,
 * the services' V8 old-space limit, as a container sets it (null: Node's own).
 */
let cpuProfileDir = null;
let heapMb = null;
export function setProcessFlags({ cpuProfile, heapMb: mb }) {
  cpuProfileDir = cpuProfile ? path.resolve(ROOT, cpuProfile) : null;
  if (cpuProfileDir) fs.mkdirSync(cpuProfileDir, { recursive: true });
  heapMb = mb ?? null;
}
/** Node's flags for one process: the CPU profile of every process, the heap limit of services. */
const nodeArgs = (label, name) => [
  ...(cpuProfileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfileDir}`,
        `--cpu-prof-name=${label}-${name}-${Date.now()}.cpuprofile`,
      ]
    : []),
  ...(heapMb && name !== 'provider-sandbox' ? [`--max-old-space-size=${heapMb}`] : []),
];

/**
 * Starts the sandbox (unless sandbox=false) and `services`, waits until each answers
 * /health/ready, and registers their stop for cleanup. `env` is added to every service's
 * environment. Resolves to a Stack (see the returned object).
 */
export async function startStack({
  runDir,
  label,
  prefix,
  databaseUrl,
  brokers,
  services = SERVICE_NAMES,
  sandbox = true,
  sandboxUrl: externalSandboxUrl,
  env = {},
  log = () => {},
  readyTimeoutMs = 120_000,
}) {
  if (isStopping()) throw new Error('the run is stopping');
  const logDir = path.join(runDir, 'logs');
  const pidDir = path.join(runDir, 'pids');
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(pidDir, { recursive: true });
  const adminKey = `hak_bench_${randomBytes(18).toString('base64url')}`;
  const processes = new Map();
  const ports = {};
  for (const name of [...(sandbox ? ['provider-sandbox'] : []), ...services])
    ports[name] = await freePort();
  const sandboxUrl = sandbox ? `http://127.0.0.1:${ports['provider-sandbox']}` : externalSandboxUrl;
  const gatewayUrl = ports.gateway ? `http://127.0.0.1:${ports.gateway}` : null;
  const baseEnv = {
    ...process.env,
    NODE_ENV: 'production',
    // Production code paths against the loopback sandbox over http: allowed for this run only.
    HERALD_ALLOW_LOOPBACK_IN_PRODUCTION: 'true',
    HOST: '127.0.0.1',
    KAFKA_BROKERS: brokers.join(','),
    HERALD_TOPIC_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    HERALD_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    HERALD_ADMIN_KEY: adminKey,
    ...(gatewayUrl ? { HERALD_PUBLIC_URL: gatewayUrl } : {}),
    ...(sandboxUrl ? { PROVIDER_DEFAULT_BASE_URL: sandboxUrl } : {}),
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...env,
  };

  const specOf = (name) =>
    name === 'provider-sandbox'
      ? {
          args: [...nodeArgs(label, name), SANDBOX_MAIN],
          env: { ...baseEnv, SANDBOX_HOST: '127.0.0.1', SANDBOX_PORT: String(ports[name]) },
        }
      : {
          // `delivery-sms#2`: a second replica of delivery-sms (its own process, port and log).
          args: [...nodeArgs(label, name), HERALD_MAIN, name.split('#')[0]],
          env: { ...baseEnv, PORT: String(ports[name]) },
        };

  /** Launches (or relaunches) one process under a supervisor; output appends to its log file. */
  const launch = (name) => {
    const logFile = path.join(logDir, `${label}-${name}.log`);
    const pidFile = path.join(pidDir, `${label}-${name}.pid`);
    fs.rmSync(pidFile, { force: true });
    const { args, env: childEnv } = specOf(name);
    const spec = {
      parentPid: process.pid,
      pidFile,
      command: process.execPath,
      args,
      cwd: ROOT,
      graceMs: STOP_GRACE_MS,
    };
    const fd = fs.openSync(logFile, 'a');
    const supervisor = spawn(
      process.execPath,
      [SUPERVISOR_PATH, 'supervise', Buffer.from(JSON.stringify(spec)).toString('base64url')],
      {
        cwd: ROOT,
        env: childEnv,
        stdio: ['ignore', fd, fd],
      },
    );
    fs.closeSync(fd);
    const entry = {
      name,
      port: ports[name],
      logFile,
      pidFile,
      supervisor,
      exit: null,
      startedAt: Date.now(),
    };
    entry.exited = new Promise((resolve) =>
      supervisor.once('exit', (code, signal) => {
        entry.exit = { code, signal, at: Date.now() };
        resolve(entry.exit);
      }),
    );
    processes.set(name, entry);
    return entry;
  };

  const urlOf = (name) => `http://127.0.0.1:${ports[name]}`;
  const healthUrl = (name) =>
    name === 'provider-sandbox' ? `${urlOf(name)}/health/ready` : `${urlOf(name)}/health/ready`;

  /** Why the stack is broken (a process exited), or null. */
  const failure = () => {
    for (const entry of processes.values()) {
      if (entry.exit && !entry.expectedExit) {
        const how = entry.exit.signal ?? `code ${entry.exit.code}`;
        return `${entry.name} exited (${how}); last lines of ${path.relative(ROOT, entry.logFile)}:\n${tailFile(entry.logFile, 25)}`;
      }
    }
    return null;
  };

  const waitReady = async (name) => {
    await waitHttpOk(healthUrl(name), { timeoutMs: readyTimeoutMs, what: name, abort: failure });
    const entry = processes.get(name);
    for (let i = 0; i < 50 && readPidFile(entry.pidFile) === null; i++) await sleep(100);
    entry.pid = readPidFile(entry.pidFile);
  };

  const stopOne = async (name, { signal = 'SIGTERM' } = {}) => {
    const entry = processes.get(name);
    if (!entry || entry.exit) return entry?.exit ?? null;
    entry.expectedExit = true;
    const pid = readPidFile(entry.pidFile) ?? entry.pid;
    // SIGTERM to the supervisor is forwarded to the service (drain, then exit); SIGKILL goes to
    // the service itself, as a crash would.
    if (signal === 'SIGKILL' && pid) process.kill(pid, 'SIGKILL');
    else entry.supervisor.kill(signal);
    const timer = new Promise((r) => setTimeout(r, STOP_GRACE_MS + 5_000).unref());
    const result = await Promise.race([entry.exited, timer]);
    if (!result) {
      entry.supervisor.kill('SIGKILL');
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await entry.exited;
    }
    return entry.exit;
  };

  const stack = {
    label,
    prefix,
    adminKey,
    gatewayUrl,
    sandboxUrl,
    databaseUrl,
    brokers,
    services: [...services],
    processes,
    /** Live pids by process name (the services themselves, not their supervisors). */
    pids() {
      const out = {};
      for (const [name, entry] of processes) {
        const pid = readPidFile(entry.pidFile) ?? entry.pid;
        if (!entry.exit && pid && isAlive(pid)) out[name] = pid;
      }
      return out;
    },
    /** Throws if a process exited without being asked to. */
    assertAlive() {
      const reason = failure();
      if (reason) throw new Error(reason);
    },
    failure,
    /** Fault injection: sends `signal` to the service process (SIGKILL = crash). Resolves on exit. */
    async kill(name, signal = 'SIGKILL') {
      return stopOne(name, { signal });
    },
    /** Base URL of a process's HTTP server (health, metrics). */
    urlOf,
    /**
     * Starts one more process, one the stack did not start with (`delivery-sms#2`: another
     * replica, in its service's consumer groups), on a free port; waits until it is ready.
     */
    async add(name) {
      const entry = processes.get(name);
      if (entry && !entry.exit) throw new Error(`${name} is already running`);
      ports[name] ??= await freePort();
      launch(name);
      await waitReady(name);
    },
    /** (Re)starts a stopped process on its port and waits until it is ready. */
    async restart(name) {
      const entry = processes.get(name);
      if (entry && !entry.exit) throw new Error(`${name} is still running`);
      launch(name);
      await waitReady(name);
    },
    /** Stops the gateway first, the sandbox last, each draining (SIGTERM) before the next. */
    async stop() {
      const order = [
        'gateway',
        'audience',
        'contact',
        'delivery-whatsapp',
        'delivery-sms',
        'delivery-messenger',
        'provider-sandbox',
      ];
      for (const name of [
        ...order.filter((n) => processes.has(n)),
        ...[...processes.keys()].filter((n) => !order.includes(n)),
      ]) {
        await stopOne(name).catch(() => {});
      }
    },
  };

  const unregister = onCleanup(`stop the ${label} stack`, () => stack.stop());
  const originalStop = stack.stop;
  stack.stop = async () => {
    unregister();
    await originalStop();
  };

  try {
    const started = Date.now();
    if (sandbox) {
      launch('provider-sandbox');
      await waitReady('provider-sandbox');
    }
    for (const name of services) launch(name);
    // Consumers create the contract topics at boot; they start together and each waits for Kafka.
    await Promise.all(services.map((name) => waitReady(name)));
    log(
      `${label}: ${[...processes.keys()].join(', ')} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
