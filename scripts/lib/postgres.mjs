// PostgreSQL for local runs and tests: the machine's own server (Debian cluster managed by
// pg_ctlcluster), started if it is installed and stopped, plus the target database created
// if missing. Plain Node ESM (Node >= 20): node built-ins + pg only.
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/herald).
import fs from 'node:fs';
import pg from 'pg';
import { run, sleep, which } from './processes.mjs';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/herald';

const CONNECT_TIMEOUT_MS = 3_000;
const START_TIMEOUT_MS = 60_000;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);
// 57P03 cannot_connect_now (starting up / shutting down), 57P01 admin_shutdown.
const NOT_YET = new Set(['57P03', '57P01']);

/** DATABASE_URL, else the default. */
export function databaseUrl() {
  return (process.env.DATABASE_URL ?? '').trim() || DEFAULT_DATABASE_URL;
}

/** Splits a postgres:// URL into pg client settings; `database` may be overridden. */
export function parseDatabaseUrl(url = databaseUrl()) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a URL: ${redact(url)}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// (got ${parsed.protocol}//)`);
  }
  const host =
    parsed.searchParams.get('host') ||
    decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1') ||
    '127.0.0.1';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL names no database: ${redact(url)}`);
  return {
    host,
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || process.env.PGUSER || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
  };
}

/**
 * Makes sure the server behind `url` accepts connections (starting the local Debian cluster if
 * it is stopped) and that the database exists (created if missing).
 * Resolves to { url, host, port, database, startedServer, createdDatabase }.
 */
export async function ensurePostgres(
  url = databaseUrl(),
  { log = defaultLog, timeoutMs = START_TIMEOUT_MS } = {},
) {
  const say = typeof log === 'function' ? log : () => {};
  const config = parseDatabaseUrl(url);
  const where = `${config.host}:${config.port}`;
  let startedServer = false;

  let probe = await tryConnect({ ...config, database: maintenanceDb() });
  if (probe.unreachable) {
    if (!isLocal(config.host)) {
      throw new Error(
        `PostgreSQL at ${where} is not reachable (${probe.error.message}); start it, or fix DATABASE_URL.`,
      );
    }
    const cluster = await findCluster(config.port);
    if (!cluster) {
      throw new Error(
        `PostgreSQL at ${where} is not reachable (${probe.error.message}) and no local Debian cluster ` +
          `on port ${config.port} was found (pg_ctlcluster, /etc/postgresql). Install/start PostgreSQL, or fix DATABASE_URL.`,
      );
    }
    say(`PostgreSQL is not running: starting cluster ${cluster.version}/${cluster.name}`);
    await pgCtlCluster(cluster, 'start');
    startedServer = true;
    probe = await waitUntilAccepting({ ...config, database: maintenanceDb() }, timeoutMs);
  } else if (probe.notYet) {
    probe = await waitUntilAccepting({ ...config, database: maintenanceDb() }, timeoutMs);
  }
  if (probe.error) throw explain(probe.error, config);

  const client = probe.client;
  let createdDatabase = false;
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      config.database,
    ]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(config.database)}`);
        createdDatabase = true;
        say(`created database ${config.database} on ${where}`);
      } catch (err) {
        if (err.code !== '42P04') throw explain(err, config); // 42P04: created concurrently
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  return {
    url,
    host: config.host,
    port: config.port,
    database: config.database,
    startedServer,
    createdDatabase,
  };
}

/**
 * Fault injection: restarts the local cluster serving `url` (pg_ctlcluster restart, fast mode:
 * open connections are cut) and waits until it accepts connections again.
 * Resolves to { version, cluster, elapsedMs }.
 */
export async function restartPostgres(url = databaseUrl(), { timeoutMs = START_TIMEOUT_MS } = {}) {
  return controlLocalCluster(url, 'restart', timeoutMs);
}

/** Fault injection: stops the local cluster serving `url` (fast mode). */
export async function stopPostgres(url = databaseUrl()) {
  return controlLocalCluster(url, 'stop', 0);
}

/** Starts the local cluster serving `url` and waits until it accepts connections. */
export async function startPostgres(url = databaseUrl(), { timeoutMs = START_TIMEOUT_MS } = {}) {
  return controlLocalCluster(url, 'start', timeoutMs);
}

/**
 * Resolves to { url, reachable, databaseExists, error? } without starting or creating anything.
 */
export async function postgresStatus(url = databaseUrl()) {
  const config = parseDatabaseUrl(url);
  const probe = await tryConnect({ ...config, database: maintenanceDb() });
  if (probe.error)
    return {
      url: redact(url),
      reachable: false,
      databaseExists: false,
      error: probe.error.message,
    };
  try {
    const { rowCount } = await probe.client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      config.database,
    ]);
    const { rows } = await probe.client.query('SHOW server_version');
    return {
      url: redact(url),
      reachable: true,
      databaseExists: rowCount > 0,
      serverVersion: rows[0].server_version,
    };
  } finally {
    await probe.client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

function defaultLog(message) {
  process.stderr.write(`[postgres] ${message}\n`);
}

function redact(url) {
  return String(url).replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

// The database to connect to for CREATE DATABASE and status checks.
function maintenanceDb() {
  return 'postgres';
}

function isLocal(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('/');
}

function errorCode(err) {
  return err?.code ?? err?.errors?.find((e) => e?.code)?.code;
}

async function tryConnect(config) {
  const probe = await tryConnectOnce(config);
  // No "postgres" database on this server: the template database always exists.
  if (errorCode(probe.error) === '3D000' && config.database === maintenanceDb()) {
    return tryConnectOnce({ ...config, database: 'template1' });
  }
  return probe;
}

async function tryConnectOnce(config) {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => {}); // a later server shutdown must not crash the caller
  try {
    await client.connect();
    return { client };
  } catch (error) {
    await client.end().catch(() => {});
    const code = errorCode(error);
    const timedOut = /timeout/i.test(error?.message ?? '');
    return { error, unreachable: UNREACHABLE.has(code) || timedOut, notYet: NOT_YET.has(code) };
  }
}

async function waitUntilAccepting(config, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await tryConnect(config);
    if (probe.client) return probe;
    if (!probe.unreachable && !probe.notYet) return probe; // a real error (auth, missing db…)
    if (Date.now() > deadline) {
      probe.error = new Error(
        `PostgreSQL at ${config.host}:${config.port} did not accept connections within ${timeoutMs / 1000} s ` +
          `(${probe.error.message}); see /var/log/postgresql/.`,
      );
      return probe;
    }
    await sleep(250);
  }
}

function explain(err, config) {
  const code = errorCode(err);
  const where = `${config.host}:${config.port}`;
  if (code === '28P01' || code === '28000') {
    return new Error(
      `PostgreSQL at ${where} refused user "${config.user}" (${err.message}): fix the user/password in DATABASE_URL.`,
    );
  }
  if (code === '42501') {
    return new Error(
      `user "${config.user}" may not create database "${config.database}" on ${where}: create it by hand or use a superuser.`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The local Debian cluster listening on `port`: { version, name, status } or null. */
async function findCluster(port) {
  if (!which('pg_ctlcluster')) return null;
  if (which('pg_lsclusters')) {
    const { code, stdout } = await run('pg_lsclusters', ['--no-header']);
    if (code === 0) {
      for (const line of stdout.split('\n')) {
        const [version, name, clusterPort, status] = line.trim().split(/\s+/);
        if (version && Number(clusterPort) === port) return { version, name, status };
      }
    }
  }
  // Fallback: /etc/postgresql/<version>/main.
  let versions;
  try {
    versions = fs
      .readdirSync('/etc/postgresql')
      .filter((v) => fs.existsSync(`/etc/postgresql/${v}/main`));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? { version: versions[0], name: 'main', status: 'unknown' } : null;
}

async function pgCtlCluster(cluster, action) {
  const args = ['--skip-systemctl-redirect', cluster.version, cluster.name, action];
  if (action !== 'start') args.push('-m', 'fast');
  const { code, stdout, stderr } = await run('pg_ctlcluster', args);
  if (code !== 0) {
    const output = `${stdout}\n${stderr}`.trim();
    // Starting an already running cluster is fine.
    if (action === 'start' && /already running/i.test(output)) return;
    throw new Error(
      `pg_ctlcluster ${args.join(' ')} failed (exit ${code}): ${output}\n` +
        `Run it yourself (as root or the postgres user): pg_ctlcluster ${args.join(' ')}`,
    );
  }
}

async function controlLocalCluster(url, action, timeoutMs) {
  const config = parseDatabaseUrl(url);
  if (!isLocal(config.host))
    throw new Error(`cannot ${action} PostgreSQL at ${config.host}: not a local server`);
  const cluster = await findCluster(config.port);
  if (!cluster)
    throw new Error(
      `no local Debian PostgreSQL cluster on port ${config.port} (pg_ctlcluster, /etc/postgresql)`,
    );
  const started = Date.now();
  await pgCtlCluster(cluster, action);
  if (action !== 'stop') {
    const probe = await waitUntilAccepting({ ...config, database: maintenanceDb() }, timeoutMs);
    if (probe.error) throw explain(probe.error, config);
    await probe.client.end().catch(() => {});
  }
  return { version: cluster.version, cluster: cluster.name, elapsedMs: Date.now() - started };
}
