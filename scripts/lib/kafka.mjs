// A real Apache Kafka broker for local runs, tests and benchmarks, without Docker.
//
// The broker is Apache Kafka's released jars, fetched by Maven (infra/kafka/pom.xml) into
// .cache/kafka/<version>/lib on first use, run in KRaft mode (combined broker+controller):
//   nodes=1: node 1, PLAINTEXT 127.0.0.1:9092, CONTROLLER 127.0.0.1:9093
//   nodes=3: nodes 1..3 on 9092/9093, 9094/9095, 9096/9097 (for fault tests)
// Data:   .cache/kafka/data/<single|cluster3>/node-N   (formatted once, kept between runs)
// Logs:   .run/kafka/node-N/{server.log,stdout.log,server.properties}
// Pids:   .run/kafka/node-N.pid   (the JVM's pid)
//
// Environment: HERALD_KAFKA_VERSION (default 3.9.1), HERALD_KAFKA_HEAP_OPTS (default
// "-Xms512m -Xmx1g"), HERALD_KAFKA_START_TIMEOUT_MS (default 120000).
// Plain Node ESM (Node >= 20): node built-ins only (readiness speaks Kafka's Metadata API itself).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SUPERVISOR_PATH,
  findProcesses,
  isAlive,
  killAndWait,
  portOpen,
  processArgs,
  readPidFile,
  removeFile,
  run,
  sleep,
  tailFile,
  waitFor,
  which,
  withLock,
  writePidFile,
} from './processes.mjs';

export const DEFAULT_KAFKA_VERSION = '3.9.1';
export const KAFKA_HOST = '127.0.0.1';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_DIR = path.join(ROOT, '.cache', 'kafka');
const RUN_DIR = path.join(ROOT, '.run', 'kafka');
const STATE_FILE = path.join(RUN_DIR, 'state.json');
const START_LOCK = path.join(RUN_DIR, 'start.lock');
const POM = path.join(ROOT, 'infra', 'kafka', 'pom.xml');
const LOG4J = path.join(ROOT, 'infra', 'kafka', 'log4j.properties');
const JARS_MARKER = '.herald-complete';
const LAYOUT_MARKER = 'herald-layout.json';
const STOP_GRACE_MS = 30_000;
const MAX_NODES = 3;

/** The Kafka version in use: HERALD_KAFKA_VERSION, default 3.9.1. */
export function kafkaVersion() {
  const version = (process.env.HERALD_KAFKA_VERSION ?? '').trim() || DEFAULT_KAFKA_VERSION;
  if (!/^[0-9][0-9A-Za-z.-]*$/.test(version))
    throw new Error(`HERALD_KAFKA_VERSION="${version}" is not a version`);
  return version;
}

/** Ports of node n (1-based): client 9092/9094/9096, controller 9093/9095/9097. */
export function nodePorts(n) {
  return { client: 9090 + 2 * n, controller: 9091 + 2 * n };
}

/** Bootstrap addresses for a layout: ['127.0.0.1:9092'] or the three of the cluster. */
export function kafkaBrokers(nodes = 1) {
  checkNodes(nodes);
  return range(nodes).map((n) => `${KAFKA_HOST}:${nodePorts(n).client}`);
}

/** Where things are, for messages and for other scripts. */
export function kafkaPaths({ nodes = 1, dataDir, version = kafkaVersion() } = {}) {
  checkNodes(nodes);
  return {
    root: ROOT,
    libDir: path.join(CACHE_DIR, version, 'lib'),
    dataDir: dataDir ? path.resolve(dataDir) : path.join(CACHE_DIR, 'data', layoutName(nodes)),
    runDir: RUN_DIR,
    nodes: range(nodes).map((n) => ({ node: n, ...nodeFiles(n) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Jars

/** Attempts at fetching the jars before giving up: a network can drop a download midway. */
const MAVEN_ATTEMPTS = 3;

/**
 * Makes sure Apache Kafka's jars for `version` are in .cache/kafka/<version>/lib (runs Maven
 * once; a marker file records completion). Returns the lib directory; the classpath is `<lib>/*`.
 */
export async function ensureKafkaJars({ version = kafkaVersion(), log = defaultLog } = {}) {
  const say = logger(log);
  const versionDir = path.join(CACHE_DIR, version);
  const libDir = path.join(versionDir, 'lib');
  const marker = path.join(libDir, JARS_MARKER);
  if (fs.existsSync(marker)) return libDir;
  return withLock(
    path.join(versionDir, 'fetch.lock'),
    async () => {
      if (fs.existsSync(marker)) return libDir;
      await requireJava();
      const mvn = which('mvn');
      if (!mvn) {
        throw new Error(
          'Maven (mvn) is not on PATH: it fetches the Apache Kafka jars on first use. ' +
            'Install it (Debian: apt-get install maven) or put it on PATH.',
        );
      }
      const tmpDir = path.join(versionDir, `lib.tmp-${process.pid}`);
      fs.rmSync(tmpDir, { recursive: true, force: true });
      fs.mkdirSync(versionDir, { recursive: true });
      say(
        `fetching Apache Kafka ${version} jars with Maven into ${path.relative(ROOT, libDir)} (first use only)`,
      );
      const started = Date.now();
      const args = [
        '-q',
        '-B',
        '-f',
        POM,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${tmpDir}`,
        `-Dkafka.version=${version}`,
      ];
      const brokerJar = `kafka_2.13-${version}.jar`;
      const fetched = () => fs.existsSync(path.join(tmpDir, brokerJar));
      // A download cut short by the network fails one attempt, not the run: Maven keeps what it
      // fetched in its local repository, so a second attempt asks only for what is missing.
      let result;
      for (let attempt = 1; ; attempt++) {
        result = await run(mvn, args, { cwd: ROOT });
        if ((result.code === 0 && fetched()) || attempt === MAVEN_ATTEMPTS) break;
        say(`Maven exited ${result.code} (attempt ${attempt} of ${MAVEN_ATTEMPTS}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, 5_000 * attempt));
      }
      if (result.code !== 0 || !fetched()) {
        fs.rmSync(tmpDir, { recursive: true, force: true });
        // eslint-disable-next-line no-control-regex
        const ansi = /\x1b\[[0-9;]*m/g; // Maven colours its errors even in batch mode
        const output = `${result.stdout}\n${result.stderr}`
          .replace(ansi, '')
          .trim()
          .split('\n')
          .slice(-30)
          .join('\n');
        throw new Error(
          `Maven could not fetch Apache Kafka ${version} (mvn exit ${result.code}; is the version published, ` +
            `is Maven Central reachable?). Command: mvn ${args.join(' ')}\n${output}`,
        );
      }
      fs.rmSync(libDir, { recursive: true, force: true });
      fs.renameSync(tmpDir, libDir);
      const jars = fs.readdirSync(libDir).filter((f) => f.endsWith('.jar')).length;
      fs.writeFileSync(
        marker,
        JSON.stringify({ version, jars, fetchedAt: new Date().toISOString() }) + '\n',
      );
      say(`fetched ${jars} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return libDir;
    },
    { timeoutMs: 15 * 60_000, what: 'the Kafka jar download' },
  );
}

// ---------------------------------------------------------------------------------------------
// Start / stop

/**
 * Starts a KRaft broker (nodes=1) or a 3-node cluster (nodes=3) unless one already answers, and
 * waits until it is ready (client ports accept connections, describeCluster lists every broker).
 *
 * detached=true: the JVMs outlive the caller (pid files in .run/kafka; stop with stopKafka()).
 * detached=false: each JVM runs under a small supervisor that stops it when the caller exits,
 * is killed, or is SIGKILLed; handle.stop() stops it gracefully.
 *
 * Resolves to { brokers, nodes, layout, version, startedByUs, startedNodes, pids, dataDir,
 * logDir, elapsedMs, stop() }. startedByUs=false means a broker was already running (reused);
 * its stop() is then a no-op.
 */
export async function startKafka({
  nodes = 1,
  detached = true,
  dataDir,
  version = kafkaVersion(),
  timeoutMs = startTimeoutMs(),
  log = defaultLog,
} = {}) {
  checkNodes(nodes);
  const say = logger(log);
  const started = Date.now();
  const brokers = kafkaBrokers(nodes);
  const layout = layoutName(nodes);
  const baseDir = kafkaPaths({ nodes, dataDir, version }).dataDir;

  return withLock(
    START_LOCK,
    async () => {
      const ids = range(nodes);
      const open = await Promise.all(ids.map((n) => portOpen(nodePorts(n).client)));
      const state = readState();

      // Everything answers already: reuse it.
      if (open.every(Boolean)) {
        await waitForBrokers(brokers, nodes, { timeoutMs: Math.min(timeoutMs, 30_000) });
        const managed = ids.filter((n) => managedPid(n) !== null);
        say(
          `reusing the Kafka broker${nodes > 1 ? 's' : ''} already running on ${brokers.join(', ')} ` +
            `(not started by this call${managed.length ? '; started earlier by these scripts' : ''})`,
        );
        // Describe what actually runs (e.g. the 3-node cluster when one node was asked for).
        const ourState = managed.length && state ? state : null;
        return handle({
          nodes,
          layout: ourState?.layout ?? layout,
          version: ourState?.version ?? version,
          brokers,
          startedByUs: false,
          startedNodes: [],
          baseDir: ourState?.dataDir ?? baseDir,
          started,
        });
      }

      // Some of ours are alive but not answering yet (being started by another script): wait.
      const pending = ids.filter((n, i) => !open[i] && managedPid(n) !== null);
      if (pending.length && pending.length + open.filter(Boolean).length === nodes) {
        say(
          `a Kafka start is already in progress (pids ${pending.map(managedPid).join(', ')}); waiting for it`,
        );
        await waitReady({ nodes, brokers, ids: pending, timeoutMs, children: new Map() });
        return handle({
          nodes,
          layout,
          version,
          brokers,
          startedByUs: false,
          startedNodes: [],
          baseDir,
          started,
        });
      }

      // Part of the layout answers: only a cluster of ours missing some nodes can be completed.
      const answering = ids.filter((n, i) => open[i]);
      if (answering.length) {
        const ours = answering.every((n) => managedPid(n) !== null);
        if (!(nodes === 3 && ours && state?.layout === layout)) {
          throw new Error(
            `a Kafka broker answers on ${answering.map((n) => nodePorts(n).client).join(', ')} but the ` +
              `requested ${layout} layout needs ${brokers.join(', ')}. Stop it first ` +
              `(node scripts/infra.mjs down${ours ? '' : ', or stop whatever else listens there'}).`,
          );
        }
      }
      const toStart = ids.filter((n, i) => !open[i]);
      await assertPortsFree(toStart);

      const libDir = await ensureKafkaJars({ version, log });
      await requireJava();
      const formatted = await ensureFormatted({
        nodes,
        ids: toStart,
        wholeLayout: toStart.length === nodes,
        baseDir,
        libDir,
        version,
        say,
      });
      writeState({
        layout,
        nodes,
        version,
        dataDir: baseDir,
        clusterId: formatted.clusterId,
        detached,
      });

      say(
        `starting Kafka ${version} (${layout}, node${toStart.length > 1 ? 's' : ''} ${toStart.join(', ')}` +
          `${detached ? ', detached' : ''}); logs in ${path.relative(ROOT, RUN_DIR)}/node-N/server.log`,
      );
      const children = new Map();
      for (const n of toStart) children.set(n, spawnNode({ n, nodes, libDir, version, detached }));
      try {
        await waitReady({ nodes, brokers, ids: toStart, timeoutMs, children });
      } catch (err) {
        await Promise.all(toStart.map((n) => killNode(n, children.get(n), 5_000)));
        throw err;
      }
      const result = handle({
        nodes,
        layout,
        version,
        brokers,
        startedByUs: true,
        startedNodes: toStart,
        baseDir,
        started,
        children,
      });
      say(`Kafka ready on ${brokers.join(', ')} in ${(result.elapsedMs / 1000).toFixed(1)} s`);
      return result;
    },
    { timeoutMs: 15 * 60_000 + timeoutMs, what: 'the Kafka start lock' },
  );
}

/**
 * Stops the brokers these scripts started (pid files, or a process running our generated
 * server.properties): SIGTERM (controlled shutdown), SIGKILL after `timeoutMs`. `nodes` is
 * accepted for symmetry; every Herald-managed node (1..3) found is stopped so that no half
 * cluster is left behind. Resolves to { stopped: [{node, pid, killed}], foreign: [ports] }:
 * `foreign` lists client ports that still answer afterwards (a broker not started by us).
 */
export async function stopKafka({ nodes, timeoutMs = STOP_GRACE_MS, log = defaultLog } = {}) {
  if (nodes !== undefined) checkNodes(nodes);
  const say = logger(log);
  const ids = range(MAX_NODES);
  const found = ids.map((n) => ({ node: n, pid: managedPid(n) })).filter((x) => x.pid !== null);
  if (found.length)
    say(
      `stopping Kafka node${found.length > 1 ? 's' : ''} ${found.map((x) => `${x.node} (pid ${x.pid})`).join(', ')}`,
    );
  const stopped = await Promise.all(
    found.map(async ({ node, pid }) => {
      const result = await killAndWait(pid, { signal: 'SIGTERM', graceMs: timeoutMs });
      if (result.killed) say(`node ${node} did not stop within ${timeoutMs / 1000} s: SIGKILLed`);
      return { node, pid, killed: result.killed };
    }),
  );
  for (const n of ids) if (managedPid(n) === null) removeFile(nodeFiles(n).pidFile);
  if (ids.every((n) => managedPid(n) === null)) removeFile(STATE_FILE);
  const foreign = [];
  for (const n of ids) if (await portOpen(nodePorts(n).client)) foreign.push(nodePorts(n).client);
  return { stopped, foreign };
}

/**
 * Fault injection: sends `signal` to node n's JVM. SIGTERM waits for a controlled shutdown
 * (SIGKILL after 30 s); SIGKILL is an abrupt crash. Resolves to { node, pid, signal, wasRunning }.
 */
export async function stopKafkaNode(n, signal = 'SIGTERM', { timeoutMs = STOP_GRACE_MS } = {}) {
  checkNode(n);
  const pid = managedPid(n);
  if (pid === null) return { node: n, pid: null, signal, wasRunning: false };
  await killAndWait(pid, { signal, graceMs: timeoutMs });
  if (readPidFile(nodeFiles(n).pidFile) === pid) removeFile(nodeFiles(n).pidFile);
  return { node: n, pid, signal, wasRunning: true };
}

/**
 * Fault injection: (re)starts node n of the running layout (from .run/kafka/state.json, else
 * `nodes`, default 3) on its existing data, and waits until it is back in the cluster.
 * Resolves to { node, pid, startedByUs, elapsedMs }.
 */
export async function startKafkaNode(
  n,
  { nodes, detached = true, version, timeoutMs = startTimeoutMs(), log = defaultLog } = {},
) {
  checkNode(n);
  const say = logger(log);
  const state = readState();
  nodes ??= state?.nodes ?? 3;
  checkNodes(nodes);
  if (n > nodes) throw new Error(`node ${n} is not part of a ${nodes}-node layout`);
  version ??= state?.nodes === nodes ? state.version : kafkaVersion();
  const baseDir =
    state?.nodes === nodes && state.dataDir
      ? state.dataDir
      : kafkaPaths({ nodes, version }).dataDir;
  const started = Date.now();
  return withLock(
    START_LOCK,
    async () => {
      if (managedPid(n) !== null || (await portOpen(nodePorts(n).client))) {
        await waitReady({
          nodes,
          brokers: kafkaBrokers(nodes),
          ids: [n],
          timeoutMs,
          children: new Map(),
          onlyTheseNodes: true,
        });
        return { node: n, pid: managedPid(n), startedByUs: false, elapsedMs: Date.now() - started };
      }
      await assertPortsFree([n]);
      const libDir = await ensureKafkaJars({ version, log });
      await ensureFormatted({ nodes, ids: [n], wholeLayout: false, baseDir, libDir, version, say });
      say(`starting Kafka node ${n} (${layoutName(nodes)})`);
      const child = spawnNode({ n, nodes, libDir, version, detached });
      const children = new Map([[n, child]]);
      try {
        await waitReady({
          nodes,
          brokers: kafkaBrokers(nodes),
          ids: [n],
          timeoutMs,
          children,
          onlyTheseNodes: true,
        });
      } catch (err) {
        await killNode(n, child, 5_000);
        throw err;
      }
      const elapsedMs = Date.now() - started;
      say(`Kafka node ${n} back in ${(elapsedMs / 1000).toFixed(1)} s`);
      return { node: n, pid: managedPid(n), startedByUs: true, elapsedMs };
    },
    { timeoutMs: timeoutMs + 60_000, what: 'the Kafka start lock' },
  );
}

/**
 * What runs where. Resolves to { version, layout, ready, nodes: [{ node, clientPort,
 * controllerPort, pid, running, clientPortOpen, controllerPortOpen }], cluster: { clusterId,
 * controllerId, brokerIds } | null, brokers, dataDir, error? }. `ready` means every node of the
 * layout answers and describeCluster lists them all (a foreign broker on 9092 counts as a
 * single-node layout).
 */
export async function kafkaStatus({ timeoutMs = 5_000 } = {}) {
  const state = readState();
  const nodesInfo = await Promise.all(
    range(MAX_NODES).map(async (n) => {
      const ports = nodePorts(n);
      const pid = managedPid(n);
      const [clientPortOpen, controllerPortOpen] = await Promise.all([
        portOpen(ports.client),
        portOpen(ports.controller),
      ]);
      return {
        node: n,
        clientPort: ports.client,
        controllerPort: ports.controller,
        pid,
        running: pid !== null,
        clientPortOpen,
        controllerPortOpen,
        logFile: path.relative(ROOT, path.join(nodeFiles(n).logDir, 'server.log')),
      };
    }),
  );
  const expected = state?.nodes ?? 1;
  const relevant = nodesInfo.filter((x) => x.node <= expected || x.running || x.clientPortOpen);
  const answering = relevant
    .filter((x) => x.clientPortOpen)
    .map((x) => `${KAFKA_HOST}:${x.clientPort}`);
  const status = {
    version: state?.version ?? kafkaVersion(),
    layout: state?.layout ?? (answering.length ? 'unknown (not started by these scripts)' : null),
    ready: false,
    nodes: relevant,
    cluster: null,
    brokers: answering,
    dataDir: state?.dataDir ? path.relative(ROOT, state.dataDir) : null,
  };
  if (answering.length) {
    try {
      const cluster = await describeCluster(answering, { timeoutMs });
      status.cluster = {
        clusterId: cluster.clusterId,
        controllerId: cluster.controller,
        brokerIds: cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
      };
      status.ready = answering.length >= expected && cluster.brokers.length >= expected;
    } catch (err) {
      status.error = err.message;
    }
  }
  return status;
}

/** Polls describeCluster until it lists at least `count` brokers. */
export async function waitForBrokers(brokers, count, { timeoutMs = 30_000 } = {}) {
  return waitFor(
    async () => {
      const cluster = await describeCluster(brokers);
      if (cluster.brokers.length >= count) return cluster;
      throw new Error(`describeCluster lists ${cluster.brokers.length} of ${count} brokers`);
    },
    { timeoutMs, intervalMs: 500, what: `Kafka cluster on ${brokers.join(', ')}` },
  );
}

// ---------------------------------------------------------------------------------------------
// Internals

function defaultLog(message) {
  process.stderr.write(`[kafka] ${message}\n`);
}

function logger(log) {
  return typeof log === 'function' ? log : () => {};
}

function range(count) {
  return Array.from({ length: count }, (_, i) => i + 1);
}

function checkNodes(nodes) {
  if (nodes !== 1 && nodes !== 3) throw new Error(`nodes must be 1 or 3, got ${nodes}`);
}

function checkNode(n) {
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES)
    throw new Error(`node must be 1..${MAX_NODES}, got ${n}`);
}

function layoutName(nodes) {
  return nodes === 3 ? 'cluster3' : 'single';
}

function startTimeoutMs() {
  const value = Number(process.env.HERALD_KAFKA_START_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 120_000;
}

function nodeFiles(n) {
  const logDir = path.join(RUN_DIR, `node-${n}`);
  return {
    logDir,
    pidFile: path.join(RUN_DIR, `node-${n}.pid`),
    propsFile: path.join(logDir, 'server.properties'),
    stdoutFile: path.join(logDir, 'stdout.log'),
  };
}

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return null;
  }
}

function writeState(state) {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.writeFileSync(
    STATE_FILE,
    JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2) + '\n',
  );
}

function isOurKafka(args, n) {
  return args.includes('kafka.Kafka') && args.includes(nodeFiles(n).propsFile);
}

/** The live JVM pid of node n started by these scripts (pid file, else a /proc scan), or null. */
function managedPid(n) {
  const { pidFile } = nodeFiles(n);
  const pid = readPidFile(pidFile);
  if (pid !== null && isAlive(pid)) {
    const args = processArgs(pid);
    if (args === null || isOurKafka(args, n)) return pid;
  }
  const [found] = findProcesses((args) => isOurKafka(args, n));
  return found ?? null;
}

async function requireJava() {
  const java = which('java');
  if (!java) {
    throw new Error(
      'java is not on PATH: the local Kafka broker needs a JDK/JRE 17 ' +
        '(Debian: apt-get install openjdk-17-jre-headless).',
    );
  }
  const { stderr, stdout } = await run(java, ['-version']);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (Number.isFinite(major) && major < 11)
    throw new Error(`java ${major} is too old for Kafka: install Java 17`);
  return java;
}

async function assertPortsFree(ids) {
  const busy = [];
  for (const n of ids) {
    for (const port of Object.values(nodePorts(n))) if (await portOpen(port)) busy.push(port);
  }
  if (busy.length) {
    throw new Error(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${KAFKA_HOST} ${busy.length > 1 ? 'are' : 'is'} ` +
        `already in use by something that is not a ready Herald broker; stop it (see: ss -ltnp).`,
    );
  }
}

function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url'); // Kafka's Uuid: 16 bytes, URL-safe base64
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ')
      return id;
  }
}

function readProperties(file) {
  try {
    const props = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const match = /^\s*([^#!=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
      if (match) props[match[1]] = match[2];
    }
    return props;
  } catch {
    return null;
  }
}

function serverProperties({ n, nodes, logDirs }) {
  const ports = nodePorts(n);
  const cluster = nodes === 3;
  const replication = cluster ? 3 : 1;
  const props = {
    'process.roles': 'broker,controller',
    'node.id': n,
    'controller.quorum.voters': range(nodes)
      .map((i) => `${i}@${KAFKA_HOST}:${nodePorts(i).controller}`)
      .join(','),
    listeners: `PLAINTEXT://${KAFKA_HOST}:${ports.client},CONTROLLER://${KAFKA_HOST}:${ports.controller}`,
    'advertised.listeners': `PLAINTEXT://${KAFKA_HOST}:${ports.client}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDirs,
    'num.partitions': 6,
    'default.replication.factor': replication,
    'min.insync.replicas': cluster ? 2 : 1,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': cluster ? 3 : 1,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': cluster ? 2 : 1,
    'transaction.state.log.num.partitions': cluster ? 3 : 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'unclean.leader.election.enable': false,
    'log.retention.hours': 24,
    'num.recovery.threads.per.data.dir': 1,
  };
  if (cluster) {
    // Fault tests: fence a killed broker (and move its leaderships) after 6 s instead of 9 s,
    // well inside kafkajs' default retry budget (~9 s).
    props['broker.heartbeat.interval.ms'] = 1000;
    props['broker.session.timeout.ms'] = 6000;
  }
  const header =
    '# Generated by scripts/lib/kafka.mjs on every start: edit that file, not this one.\n';
  return (
    header +
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') +
    '\n'
  );
}

function writeServerProperties(n, nodes, baseDir) {
  const { logDir, propsFile } = nodeFiles(n);
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(
    propsFile,
    serverProperties({ n, nodes, logDirs: path.join(baseDir, `node-${n}`) }),
  );
  return propsFile;
}

function isFormatted(nodeDir, clusterId, n) {
  const meta = readProperties(path.join(nodeDir, 'meta.properties'));
  return (
    meta !== null &&
    meta['cluster.id'] === clusterId &&
    meta['node.id'] === String(n) &&
    fs.existsSync(path.join(nodeDir, 'bootstrap.checkpoint'))
  );
}

/**
 * Formats the storage of the nodes to start, unless already formatted for this layout, cluster
 * id and Kafka version. A mismatched or stale format is wiped and redone (local data only).
 */
async function ensureFormatted({ nodes, ids, wholeLayout, baseDir, libDir, version, say }) {
  const markerFile = path.join(baseDir, LAYOUT_MARKER);
  let marker = null;
  try {
    marker = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
  } catch {
    marker = null;
  }
  const markerValid =
    marker && marker.nodes === nodes && marker.kafkaVersion === version && marker.clusterId;
  const nodeDir = (n) => path.join(baseDir, `node-${n}`);
  for (const n of range(nodes)) writeServerProperties(n, nodes, baseDir);

  let toFormat;
  if (
    !markerValid ||
    (wholeLayout && !range(nodes).every((n) => isFormatted(nodeDir(n), marker.clusterId, n)))
  ) {
    if (!wholeLayout) {
      throw new Error(
        `the ${layoutName(nodes)} data in ${baseDir} is missing or was formatted differently; ` +
          `start the whole layout (startKafka({ nodes: ${nodes} })) instead of one node`,
      );
    }
    if (fs.existsSync(baseDir) && fs.readdirSync(baseDir).length) {
      say(
        `wiping stale Kafka data in ${path.relative(ROOT, baseDir) || baseDir} (formatted for another layout, version or cluster id)`,
      );
    }
    fs.rmSync(baseDir, { recursive: true, force: true });
    marker = {
      clusterId: newClusterId(),
      nodes,
      kafkaVersion: version,
      formattedAt: new Date().toISOString(),
    };
    toFormat = range(nodes);
  } else {
    toFormat = ids.filter((n) => !isFormatted(nodeDir(n), marker.clusterId, n));
    for (const n of toFormat) fs.rmSync(nodeDir(n), { recursive: true, force: true });
  }
  if (!toFormat.length) return marker;

  fs.mkdirSync(baseDir, { recursive: true });
  say(
    `formatting Kafka storage (cluster id ${marker.clusterId}) for node${toFormat.length > 1 ? 's' : ''} ${toFormat.join(', ')}`,
  );
  await Promise.all(
    toFormat.map(async (n) => {
      const { propsFile } = nodeFiles(n);
      const args = [
        '-cp',
        `${libDir}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        marker.clusterId,
        '-c',
        propsFile,
      ];
      const result = await run(
        'java',
        [`-Dlog4j.configuration=file:${LOG4J}`, `-Dkafka.logs.dir=${nodeFiles(n).logDir}`, ...args],
        {
          cwd: ROOT,
        },
      );
      if (result.code !== 0 || !isFormatted(nodeDir(n), marker.clusterId, n)) {
        throw new Error(
          `formatting Kafka storage for node ${n} failed (exit ${result.code}): java ${args.join(' ')}\n` +
            `${result.stdout}\n${result.stderr}`.trim(),
        );
      }
    }),
  );
  fs.writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
  return marker;
}

function jvmArgs({ n, libDir }) {
  const { logDir, propsFile } = nodeFiles(n);
  const heap = (process.env.HERALD_KAFKA_HEAP_OPTS ?? '-Xms512m -Xmx1g')
    .split(/\s+/)
    .filter(Boolean);
  return [
    ...heap,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${LOG4J}`,
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    `${libDir}/*`,
    'kafka.Kafka',
    propsFile,
  ];
}

const supervised = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // On a normal exit, tell each supervisor to stop its JVM (they also notice a dead parent).
  process.on('exit', () => {
    for (const child of supervised) {
      try {
        child.kill('SIGTERM');
      } catch {
        /* gone */
      }
    }
  });
}

/** Spawns node n; returns { process, exited(): string|undefined, supervised: boolean }. */
function spawnNode({ n, libDir, version, detached }) {
  const { logDir, pidFile, stdoutFile } = nodeFiles(n);
  fs.mkdirSync(logDir, { recursive: true });
  removeFile(pidFile);
  const out = fs.openSync(stdoutFile, 'a');
  fs.writeSync(
    out,
    `\n===== ${new Date().toISOString()} starting Kafka ${version} node ${n} =====\n`,
  );
  const args = jvmArgs({ n, libDir });
  let child;
  try {
    if (detached) {
      child = spawn('java', args, { cwd: ROOT, detached: true, stdio: ['ignore', out, out] });
      child.unref();
      if (child.pid) writePidFile(pidFile, child.pid);
    } else {
      const spec = {
        parentPid: process.pid,
        pidFile,
        command: 'java',
        args,
        cwd: ROOT,
        graceMs: STOP_GRACE_MS,
      };
      // The spec travels base64-encoded so that `pgrep -f kafka.Kafka` only ever finds JVMs.
      const encoded = Buffer.from(JSON.stringify(spec)).toString('base64url');
      child = spawn(process.execPath, [SUPERVISOR_PATH, 'supervise', encoded], {
        cwd: ROOT,
        stdio: ['ignore', out, out],
      });
      supervised.add(child);
      installExitHook();
    }
  } finally {
    fs.closeSync(out);
  }
  let exit;
  child.once('error', (err) => (exit = `could not start: ${err.message}`));
  child.once('exit', (code, signal) => {
    exit = `exited early (${signal ?? `code ${code}`})`;
    supervised.delete(child);
  });
  return { process: child, supervised: !detached, exited: () => exit };
}

async function killNode(n, child, graceMs) {
  const pid = managedPid(n);
  if (pid !== null) await killAndWait(pid, { signal: 'SIGTERM', graceMs }).catch(() => {});
  if (child?.supervised && child.process.exitCode === null) {
    await killAndWait(child.process.pid, { signal: 'SIGTERM', graceMs }).catch(() => {});
  }
  removeFile(nodeFiles(n).pidFile);
}

function logTails(ids) {
  return ids
    .map((n) => {
      const { logDir, stdoutFile } = nodeFiles(n);
      const server = tailFile(path.join(logDir, 'server.log'), 25);
      const stdout = tailFile(stdoutFile, 15);
      return (
        `--- node ${n}: tail of ${path.relative(ROOT, path.join(logDir, 'server.log'))} ---\n${server || '(empty)'}\n` +
        `--- node ${n}: tail of ${path.relative(ROOT, stdoutFile)} ---\n${stdout || '(empty)'}`
      );
    })
    .join('\n');
}

async function waitReady({ nodes, brokers, ids, timeoutMs, children, onlyTheseNodes = false }) {
  const deadline = Date.now() + timeoutMs;
  const abort = () => {
    for (const n of ids) {
      const child = children.get(n);
      const reason = child?.exited();
      if (reason) return `node ${n} ${reason}`;
      if (!child && managedPid(n) === null) return `node ${n} is no longer running`;
    }
    return undefined;
  };
  try {
    await waitFor(
      async () =>
        (await Promise.all(ids.map((n) => portOpen(nodePorts(n).client, KAFKA_HOST, 500)))).every(
          Boolean,
        ),
      {
        timeoutMs,
        intervalMs: 250,
        what: `Kafka client port${ids.length > 1 ? 's' : ''} ${ids.map((n) => nodePorts(n).client).join(', ')}`,
        abort,
      },
    );
    await waitFor(
      async () => {
        const cluster = await describeCluster(brokers);
        const listed = new Set(cluster.brokers.map((b) => b.nodeId));
        // A restarted node only has to be back; a fresh start needs every node of the layout.
        const enough = onlyTheseNodes || cluster.brokers.length >= nodes;
        if (enough && ids.every((n) => listed.has(n))) return cluster;
        throw new Error(`describeCluster lists brokers [${[...listed].sort().join(', ')}]`);
      },
      {
        timeoutMs: Math.max(5_000, deadline - Date.now()),
        intervalMs: 500,
        what: 'describeCluster',
        abort,
      },
    );
  } catch (err) {
    err.message = `Kafka did not become ready: ${err.message}\n${logTails(ids)}`;
    throw err;
  }
}

/**
 * The cluster as one broker sees it: { brokers: [{ nodeId, host, port }], clusterId, controller }.
 * Tries each given broker in turn. A raw Metadata v4 request for no topics (v4: the oldest
 * version Kafka 4.x still serves) rather than kafkajs' admin.describeCluster(): kafkajs asks
 * for every topic and throws as soon as any partition in the cluster has no leader, which is
 * exactly the state of a degraded cluster during a fault test.
 */
export async function describeCluster(brokers, { timeoutMs = 5_000 } = {}) {
  let lastError;
  for (const address of brokers) {
    const [host, port] = splitAddress(address);
    try {
      return await metadataRequest(host, port, timeoutMs);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(
    `no broker answered a metadata request on ${brokers.join(', ')}: ${lastError?.message}`,
  );
}

function splitAddress(address) {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

function metadataRequest(host, port, timeoutMs) {
  const clientId = Buffer.from('herald-infra');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = body.writeInt16BE(3, 0); // api key: Metadata
  o = body.writeInt16BE(4, o); // api version
  o = body.writeInt32BE(1, o); // correlation id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: none (v1+: an empty array, not null = all)
  body.writeInt8(0, o); // allow_auto_topic_creation: false
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0]), body]);
  frame.writeInt32BE(body.length, 0);

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (err) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`${host}:${port}: no metadata response within ${timeoutMs} ms`)),
    );
    socket.once('error', (err) => fail(new Error(`${host}:${port}: ${err.message}`)));
    socket.once('close', () =>
      reject(new Error(`${host}:${port}: connection closed before a metadata response`)),
    );
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      try {
        resolve(parseMetadataV4(received.subarray(4)));
      } catch (err) {
        reject(new Error(`${host}:${port}: unreadable metadata response (${err.message})`));
      }
    });
  });
}

function parseMetadataV4(buf) {
  let o = 0;
  const int16 = () => ((o += 2), buf.readInt16BE(o - 2));
  const int32 = () => ((o += 4), buf.readInt32BE(o - 4));
  const string = () => {
    const length = int16();
    if (length < 0) return null;
    o += length;
    return buf.toString('utf8', o - length, o);
  };
  if (int32() !== 1) throw new Error('unexpected correlation id');
  int32(); // throttle_time_ms
  const brokers = [];
  for (let i = int32(); i > 0; i--) {
    const nodeId = int32();
    const host = string();
    const port = int32();
    string(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = string();
  const controllerId = int32();
  return { brokers, clusterId, controller: controllerId >= 0 ? controllerId : null };
}

function handle({
  nodes,
  layout,
  version,
  brokers,
  startedByUs,
  startedNodes,
  baseDir,
  started,
  children,
}) {
  const pids = {};
  for (const n of range(nodes)) pids[n] = managedPid(n);
  return {
    brokers,
    nodes,
    layout,
    version,
    startedByUs,
    startedNodes,
    pids,
    dataDir: baseDir,
    logDir: RUN_DIR,
    elapsedMs: Date.now() - started,
    /** Stops what this call started (no-op for a reused broker). */
    async stop({ timeoutMs = STOP_GRACE_MS } = {}) {
      if (!startedByUs) return;
      await Promise.all(
        startedNodes.map(async (n) => {
          const pid = managedPid(n);
          if (pid !== null) await killAndWait(pid, { signal: 'SIGTERM', graceMs: timeoutMs });
          const child = children?.get(n);
          if (child?.supervised) {
            // The supervisor exits with its JVM; give it a moment, then make sure.
            for (
              let i = 0;
              i < 50 && child.process.exitCode === null && child.process.signalCode === null;
              i++
            )
              await sleep(100);
            if (child.process.exitCode === null && child.process.signalCode === null)
              child.process.kill('SIGKILL');
          }
          removeFile(nodeFiles(n).pidFile);
        }),
      );
      if (range(MAX_NODES).every((n) => managedPid(n) === null)) removeFile(STATE_FILE);
    },
  };
}
