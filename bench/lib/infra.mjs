// The real parts a run needs, from the project's own scripts: the build in dist/, a KRaft Kafka
// broker (or cluster), and PostgreSQL with a database of the run's own, migrated, dropped again
// at the end. Also removes the run's topics and consumer groups from the shared broker.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaJars, kafkaPaths, kafkaVersion, startKafka } from '../../scripts/lib/kafka.mjs';
import { ensurePostgres, parseDatabaseUrl } from '../../scripts/lib/postgres.mjs';
import { isAlive } from '../../scripts/lib/processes.mjs';
import { onCleanup } from './cleanup.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HERALD_MAIN = path.join(ROOT, 'dist', 'apps', 'herald', 'src', 'main.js');
export const SANDBOX_MAIN = path.join(ROOT, 'dist', 'apps', 'provider-sandbox', 'src', 'main.js');
export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/herald_bench';

/** Compiles apps/ and libs/ into dist/ the way `npm start` does; throws with tsc's output on failure. */
export function buildDist() {
  const started = Date.now();
  const steps = [
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
    ['node_modules/tsc-alias/dist/bin/index.js', '-p', 'tsconfig.build.json'],
  ];
  // tsc emits even when it reports errors: tsc-alias runs regardless, so dist/ never keeps
  // unresolved @herald/* imports for whoever runs it next.
  const results = steps.map((args) =>
    spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
  );
  results.forEach((result, i) => {
    if (result.status !== 0) {
      const output = `${result.stdout}\n${result.stderr}`
        .trim()
        .split('\n')
        .slice(0, 40)
        .join('\n');
      throw new Error(
        `the build failed (${path.basename(steps[i][0])}):\n${output}\n(--no-build runs the dist/ already there)`,
      );
    }
  });
  return { ms: Date.now() - started };
}

/** The commit the run measured and whether apps/ or libs/ had changes (HERALD_BENCH_GIT_COMMIT overrides). */
export function gitInfo() {
  if (process.env.HERALD_BENCH_GIT_COMMIT)
    return { commit: process.env.HERALD_BENCH_GIT_COMMIT, dirty: null };
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return { commit: 'unknown', dirty: null };
  const status = spawnSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return {
    commit: head.stdout.trim(),
    dirty: status.status === 0 ? status.stdout.trim().length > 0 : null,
  };
}

/**
 * Starts Kafka (1 or 3 nodes; a broker already answering is reused and left running) and makes
 * sure PostgreSQL runs. A broker started here is stopped at cleanup unless HERALD_KEEP_KAFKA is set.
 */
export async function startInfra({ nodes = 1, log = () => {} } = {}) {
  await ensureKafkaJars({ log });
  const keep = Boolean(process.env.HERALD_KEEP_KAFKA);
  const kafka = await startKafka({ nodes, detached: keep, log });
  if (kafka.startedByUs && !keep) onCleanup('stop Kafka', () => kafka.stop());
  return {
    brokers: kafka.brokers,
    kafka,
    kafkaVersion: kafka.version ?? kafkaVersion(),
    kafkaLibDir: kafkaPaths({ nodes, version: kafka.version ?? kafkaVersion() }).libDir,
  };
}

/** A database of this run's own (`<base>_<pid>_<hex>`), created, migrated and dropped at cleanup. */
export async function createRunDatabase({
  baseUrl = process.env.HERALD_BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL,
  tag,
  keep = false,
  log = () => {},
} = {}) {
  const base = parseDatabaseUrl(baseUrl);
  const name = `${base.database}_${process.pid}_${tag}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const runUrl = url.toString();
  await dropStaleDatabases(baseUrl, log);
  await ensurePostgres(runUrl, { log });
  if (!keep) onCleanup(`drop database ${name}`, () => dropDatabase(baseUrl, name));
  await migrate(runUrl);
  return { url: runUrl, name };
}

/** Applies Herald's migrations with the built launcher (`main.js migrate`). */
export function migrate(databaseUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HERALD_MAIN, 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`migrations failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

async function adminClient(baseUrl) {
  const config = parseDatabaseUrl(baseUrl);
  const client = new pg.Client({ ...config, database: 'postgres', connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function dropDatabase(baseUrl, name) {
  const client = await adminClient(baseUrl);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops run databases left by runs that died (their pid is gone), so they do not pile up. */
async function dropStaleDatabases(baseUrl, log) {
  const base = parseDatabaseUrl(baseUrl).database;
  let client;
  try {
    client = await adminClient(baseUrl);
  } catch {
    return; // ensurePostgres reports an unreachable server with a better message
  }
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${base}\\_%`,
    ]);
    for (const { datname } of rows) {
      const match = new RegExp(`^${base}_(\\d+)_[0-9a-z]+$`).exec(datname);
      if (match && !isAlive(Number(match[1]))) {
        log(`dropping ${datname}, left by a run that is gone`);
        await client.query(
          `DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`,
        );
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The harness's own kafkajs clients (lag sampling, drains, admin) get the same request-queue
 * mend as the services (libs/kafka/src/kafkajs-request-queue.ts, from the build): without it
 * each of their broker connections runs a timer a millisecond and takes CPU from what is measured.
 */
export async function mendHarnessKafkajs() {
  const built = path.join(ROOT, 'dist', 'libs', 'kafka', 'src', 'kafkajs-request-queue.js');
  const { mendKafkajsRequestQueue } = await import(pathToFileURL(built).href);
  mendKafkajsRequestQueue();
}

export function kafkaClient(brokers, clientId = 'herald-bench') {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Deletes every topic and consumer group whose name starts with `prefix` (the run's own). */
export async function deletePrefixed(brokers, prefix) {
  if (!prefix) throw new Error('refusing to delete topics without a prefix');
  const admin = kafkaClient(brokers, 'herald-bench-cleanup').admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => {});
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    return { topics: topics.length, groups: groups.length };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads up to `want` records of a topic from its beginning with a throwaway consumer group,
 * handing each to `onRecord`; gives up after `timeoutMs`. Resolves to how many were read.
 */
export async function readFirstRecords(
  brokers,
  { topic, groupId, clientId, want, onRecord, timeoutMs = 20_000 },
) {
  const consumer = kafkaClient(brokers, clientId).consumer({ groupId, maxWaitTimeInMs: 200 });
  let read = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (read >= want) return;
          read++;
          onRecord(message);
          if (read >= want) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return read;
}
