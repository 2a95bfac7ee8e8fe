// A second, throwaway KRaft broker that only speaks SASL/SCRAM-SHA-512, for tests of Kafka
// authentication and ACLs. It never touches the default broker (127.0.0.1:9092, .cache/kafka/data,
// .run/kafka): it has its own ports, data directory and process, and whoever starts it stops it.
//
//   const broker = await startScramKafka({ users: { 'herald-gateway': 'pw' } });
//   broker.brokers   // ['127.0.0.1:<port>'], SASL_PLAINTEXT
//   broker.admin     // { username, password } of the super user (creates ACLs)
//   await broker.stop();
//
// Users are created with SCRAM credentials when the storage is formatted (StorageTool
// --add-scram), so they exist before the first client connects. The StandardAuthorizer denies
// whatever no ACL allows; the super user (and the controller listener's ANONYMOUS, loopback
// only) may do anything. Same jars as the default broker (ensureKafkaJars: Maven on first use).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAFKA_HOST, ensureKafkaJars, kafkaVersion } from './kafka.mjs';
import { killAndWait, run, sleep, tailFile } from './processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOG4J = path.join(ROOT, 'infra', 'kafka', 'log4j.properties');
const MECHANISM = 'SCRAM-SHA-512';
const DEFAULT_START_TIMEOUT_MS = 120_000;

/** A port nobody listens on now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, KAFKA_HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A user name or password as StorageTool and JAAS take them: no quotes, commas, brackets or '='. */
function checkCredential(what, value) {
  if (!/^[A-Za-z0-9._@-]+$/.test(value))
    throw new Error(`${what} "${value}" may hold only letters, digits and . _ @ -`);
  return value;
}

function properties({ port, controllerPort, dataDir, admin }) {
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${KAFKA_HOST}:${controllerPort}`,
    listeners: `SASL_PLAINTEXT://${KAFKA_HOST}:${port},CONTROLLER://${KAFKA_HOST}:${controllerPort}`,
    'advertised.listeners': `SASL_PLAINTEXT://${KAFKA_HOST}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': MECHANISM,
    'sasl.mechanism.inter.broker.protocol': MECHANISM,
    [`listener.name.sasl_plaintext.${MECHANISM.toLowerCase()}.sasl.jaas.config`]: `org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin.username}" password="${admin.password}";`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // The broker talks to its own controller over the loopback PLAINTEXT controller listener.
    'super.users': `User:${admin.username};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': false,
    'log.dirs': path.join(dataDir, 'data'),
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

/**
 * Starts the SCRAM broker and resolves once it answers an authenticated Metadata request.
 * `users`: name → password, each created with SCRAM-SHA-512 credentials (besides the super user).
 * Fails, and leaves nothing running, if it is not ready within `timeoutMs`.
 */
export async function startScramKafka({
  users = {},
  timeoutMs = DEFAULT_START_TIMEOUT_MS,
  log = () => undefined,
} = {}) {
  const version = kafkaVersion();
  const libDir = await ensureKafkaJars({ version, log });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-kafka-scram-'));
  const admin = { username: 'herald-test-admin', password: randomBytes(12).toString('hex') };
  const all = { [admin.username]: admin.password, ...users };
  const propsFile = path.join(dataDir, 'server.properties');
  fs.writeFileSync(propsFile, properties({ port, controllerPort, dataDir, admin }));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const jvm = [
    `-Dlog4j.configuration=file:${LOG4J}`,
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    `${libDir}/*`,
  ];

  const scram = Object.entries(all).flatMap(([name, password]) => [
    '--add-scram',
    `${MECHANISM}=[name=${checkCredential('user name', name)},password=${checkCredential('password', password)}]`,
  ]);
  // A Kafka cluster id is 16 random bytes in URL-safe base64 (what StorageTool random-uuid prints).
  const clusterId = randomBytes(16).toString('base64url');
  const format = await run(
    'java',
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, ...scram],
    { cwd: ROOT },
  );
  if (format.code !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `formatting the SCRAM broker's storage failed (exit ${format.code}):\n${format.stdout}\n${format.stderr}`.trim(),
    );
  }

  const stdoutFile = path.join(logDir, 'stdout.log');
  const out = fs.openSync(stdoutFile, 'a');
  const heap = (process.env.HERALD_KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m')
    .split(/\s+/)
    .filter(Boolean);
  const child = spawn(
    'java',
    [...heap, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...jvm, 'kafka.Kafka', propsFile],
    {
      cwd: ROOT,
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  let exited;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  // A test runner that dies without calling stop() must not leave the JVM behind.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', onExit);
      if (exited === undefined && child.pid)
        await killAndWait(child.pid, { signal: 'SIGTERM', graceMs: 15_000 }).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    })());

  const brokers = [`${KAFKA_HOST}:${port}`];
  const deadline = Date.now() + timeoutMs;
  log(`starting a SASL/SCRAM Kafka ${version} on ${brokers[0]} (data in ${dataDir})`);
  for (;;) {
    if (exited !== undefined) {
      const tail = tailFile(stdoutFile, 30);
      await stop();
      throw new Error(`the SCRAM broker exited (${exited}) before it was ready:\n${tail}`);
    }
    // The SASL port opens once the broker is unfenced; an unauthenticated Metadata request then
    // gets the connection closed, which is all readiness needs to know.
    if (await portAnswers(port)) break;
    if (Date.now() > deadline) {
      const tail = tailFile(path.join(logDir, 'server.log'), 30) || tailFile(stdoutFile, 30);
      await stop();
      throw new Error(`the SCRAM broker was not ready within ${timeoutMs} ms:\n${tail}`);
    }
    await sleep(250);
  }
  return {
    brokers,
    port,
    controllerPort,
    mechanism: MECHANISM.toLowerCase(),
    admin,
    users: all,
    dataDir,
    stop,
  };
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: KAFKA_HOST, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
