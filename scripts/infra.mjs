#!/usr/bin/env node
// Local infrastructure for Herald: a real Kafka broker (KRaft, Apache Kafka's released jars) and
// the machine's PostgreSQL. No Docker.
//
//   node scripts/infra.mjs up [--nodes 3]    fetch jars if needed, start Kafka detached,
//                                            start PostgreSQL if stopped, create the database
//   node scripts/infra.mjs down              stop the Kafka broker(s) started by these scripts
//   node scripts/infra.mjs status [--json]   what runs where
//   node scripts/infra.mjs scram             a second, throwaway broker that speaks only
//                                            SASL/SCRAM-SHA-512 (own ports and data), in the
//                                            foreground until Ctrl-C: try KAFKA_SASL_* against it
//
// Exit codes: 0 ok (status: Kafka ready and PostgreSQL reachable with the database),
// 1 failure, 2 usage error, 3 (status only) something is not running.
// Environment: HERALD_KAFKA_VERSION, HERALD_KAFKA_HEAP_OPTS, HERALD_KAFKA_START_TIMEOUT_MS
// (see scripts/lib/kafka.mjs), DATABASE_URL (see scripts/lib/postgres.mjs).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ensureKafkaJars,
  kafkaPaths,
  kafkaStatus,
  kafkaVersion,
  startKafka,
  stopKafka,
} from './lib/kafka.mjs';
import { startScramKafka } from './lib/kafka-scram.mjs';
import { databaseUrl, ensurePostgres, postgresStatus } from './lib/postgres.mjs';

const USAGE = `Usage: node scripts/infra.mjs <up|down|status|scram> [--nodes 1|3] [--json]
  up      fetch the Kafka jars if needed (Maven, first use), start Kafka detached
          (--nodes 3: a 3-node KRaft cluster on 9092/9094/9096), start PostgreSQL if it is
          stopped and create the database of DATABASE_URL if missing
  down    stop the Kafka broker(s) these scripts started (PostgreSQL is left running)
  status  show Kafka and PostgreSQL state (--json: machine-readable)
  scram   start a separate SASL/SCRAM-SHA-512 broker with ACLs on free ports, print the
          settings of a user of it, stop it (and delete its data) on Ctrl-C
Exit codes: 0 ok, 1 failure, 2 usage error, 3 (status) something is not running.`;

class UsageError extends Error {}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        nodes: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `one command expected, got: ${positionals.join(' ')}`
        : 'no command given',
    );
  let nodes;
  if (values.nodes !== undefined) {
    nodes = Number(values.nodes);
    if (nodes !== 1 && nodes !== 3)
      throw new UsageError(`--nodes must be 1 or 3, got ${values.nodes}`);
  }
  return { command: positionals[0], nodes, json: Boolean(values.json) };
}

const rel = (p) => path.relative(process.cwd(), p) || '.';

async function up({ nodes = 1 }) {
  const version = kafkaVersion();
  await ensureKafkaJars({ version });
  const kafka = await startKafka({ nodes, detached: true });
  const pg = await ensurePostgres(databaseUrl());
  const paths = kafkaPaths({ nodes, dataDir: kafka.dataDir, version });
  const pids = Object.entries(kafka.pids)
    .filter(([, pid]) => pid !== null)
    .map(([n, pid]) => `node ${n}: ${pid}`)
    .join(', ');
  const how = kafka.startedByUs
    ? `started now in ${(kafka.elapsedMs / 1000).toFixed(1)} s`
    : 'already running, not started by this command';
  console.log(
    `Kafka ${kafka.version} (${kafka.layout}) ready on ${kafka.brokers.join(',')} — ${how}`,
  );
  if (pids) console.log(`  pids:  ${pids}`);
  console.log(`  jars:  ${rel(paths.libDir)}`);
  console.log(`  data:  ${rel(kafka.dataDir)}`);
  console.log(`  logs:  ${rel(path.join(paths.runDir, 'node-N', 'server.log'))}`);
  console.log(`  stop:  node scripts/infra.mjs down`);
  const pgHow = [
    pg.startedServer ? 'server started now' : null,
    pg.createdDatabase ? 'database created now' : 'database exists',
  ]
    .filter(Boolean)
    .join(', ');
  console.log(`PostgreSQL ready on ${pg.host}:${pg.port}, database ${pg.database} (${pgHow})`);
  console.log(`  DATABASE_URL=${databaseUrl().replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}`);
  return 0;
}

async function down({ nodes }) {
  const { stopped, foreign } = await stopKafka({ nodes });
  if (!stopped.length) console.log('no Kafka broker started by these scripts is running');
  for (const s of stopped)
    console.log(
      `stopped Kafka node ${s.node} (pid ${s.pid}${s.killed ? ', SIGKILLed after the grace period' : ''})`,
    );
  if (foreign.length) {
    console.log(
      `note: something still answers on ${foreign.map((p) => `127.0.0.1:${p}`).join(', ')} (not started by these scripts)`,
    );
  }
  console.log("PostgreSQL is left running (it is the machine's server).");
  return 0;
}

async function status({ json }) {
  const [kafka, pg] = await Promise.all([kafkaStatus(), postgresStatus(databaseUrl())]);
  const ok = kafka.ready && pg.reachable && pg.databaseExists;
  if (json) {
    console.log(JSON.stringify({ ok, kafka, postgres: pg }, null, 2));
    return ok ? 0 : 3;
  }
  const shown = kafka.nodes.filter((n) => n.running || n.clientPortOpen || n.node === 1);
  console.log(
    `Kafka ${kafka.version}: ${kafka.ready ? 'ready' : 'NOT ready'}${kafka.layout ? ` (${kafka.layout})` : ''}`,
  );
  for (const n of shown) {
    const state = n.clientPortOpen ? 'answering' : n.running ? 'running, port closed' : 'down';
    const pid = n.pid !== null ? `pid ${n.pid}` : 'no pid (not started by these scripts)';
    console.log(
      `  node ${n.node}: 127.0.0.1:${n.clientPort} ${state}, ${n.clientPortOpen || n.running ? pid : ''}`.replace(
        /, $/,
        '',
      ),
    );
  }
  if (kafka.cluster) {
    console.log(
      `  cluster ${kafka.cluster.clusterId}: brokers [${kafka.cluster.brokerIds.join(', ')}], controller ${kafka.cluster.controllerId}`,
    );
  }
  if (kafka.dataDir) console.log(`  data: ${kafka.dataDir}`);
  if (kafka.error) console.log(`  error: ${kafka.error}`);
  if (pg.reachable) {
    console.log(
      `PostgreSQL ${pg.serverVersion}: reachable, database ${pg.databaseExists ? 'exists' : 'MISSING (run: node scripts/infra.mjs up)'}`,
    );
  } else {
    console.log(`PostgreSQL: NOT reachable (${pg.error})`);
  }
  console.log(`  ${pg.url}`);
  return ok ? 0 : 3;
}

async function scram() {
  const password = randomBytes(12).toString('hex');
  const broker = await startScramKafka({ users: { 'herald-local': password }, log: console.log });
  console.log(
    `SASL/SCRAM Kafka ready on ${broker.brokers.join(',')} (ACLs enforced; data in ${broker.dataDir})`,
  );
  console.log(
    `  a user without ACLs yet:  KAFKA_BROKERS=${broker.brokers.join(',')} KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=herald-local KAFKA_SASL_PASSWORD=${password}`,
  );
  console.log(`  the super user (for ACLs): ${broker.admin.username} / ${broker.admin.password}`);
  console.log('  Ctrl-C stops it and deletes its data.');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await broker.stop();
  return 0;
}

async function main(argv) {
  let args;
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`infra: ${err.message}\n${USAGE}`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'up':
      return up(args);
    case 'down':
      return down(args);
    case 'status':
      return status(args);
    case 'scram':
      return scram();
    case 'migrate':
      console.error(
        'infra: "migrate" is not implemented yet (the migration runner belongs to libs/persistence).',
      );
      return 2;
    default:
      console.error(`infra: unknown command "${args.command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`infra: ${err.message}`);
    process.exitCode = 1;
  },
);
