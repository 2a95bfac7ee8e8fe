#!/usr/bin/env node
// `npm start`: the whole system locally with its real parts. Builds Herald, starts a KRaft Kafka
// broker (jars fetched by Maven on first use) and PostgreSQL, applies migrations, starts the
// provider sandbox and every service (one process each; `--all-in-one` hosts them in one), seeds
// a demo bot, and prints where to reach everything. Ctrl-C stops it all: every child runs under
// a supervisor that also stops it if this script is killed outright, so nothing is left behind.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureKafkaJars, startKafka } from './lib/kafka.mjs';
import { ensurePostgres, DEFAULT_DATABASE_URL } from './lib/postgres.mjs';
import { SUPERVISOR_PATH, sleep } from './lib/processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DIR = path.join(ROOT, '.run');
const allInOne = process.argv.includes('--all-in-one');
const SERVICES = [
  ['audience', 3001],
  ['contact', 3002],
  ['delivery-whatsapp', 3003],
  ['delivery-sms', 3004],
  ['delivery-messenger', 3005],
  ['gateway', 3000],
];
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 3999);
const GATEWAY_PORT = Number(process.env.PORT ?? 3000);
const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORT}`;
const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`;
const children = [];
let stopping = false;
let kafka;

const say = (message) => console.log(`\x1b[1mherald\x1b[0m ${message}`);

function persistent(name, make) {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const file = path.join(RUN_DIR, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const value = make();
  fs.writeFileSync(file, value, { mode: 0o600 });
  return value;
}

const adminKey =
  process.env.HERALD_ADMIN_KEY ??
  persistent('admin-key', () => `hak_${randomBytes(18).toString('base64url')}`);
// The console's first admin, created by the gateway at boot when missing (kept in .run/ for local use).
const consoleEmail = process.env.HERALD_CONSOLE_ADMIN_EMAIL ?? 'admin@herald.local';
const consolePassword =
  process.env.HERALD_CONSOLE_ADMIN_PASSWORD ??
  persistent('console-admin-password', () => randomBytes(12).toString('base64url'));
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  HERALD_ADMIN_KEY: adminKey,
  HERALD_CONSOLE_ADMIN_EMAIL: consoleEmail,
  HERALD_CONSOLE_ADMIN_PASSWORD: consolePassword,
  HERALD_PUBLIC_URL: process.env.HERALD_PUBLIC_URL ?? gatewayUrl,
  PROVIDER_DEFAULT_BASE_URL: process.env.PROVIDER_DEFAULT_BASE_URL ?? sandboxUrl,
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
  HOST: process.env.HOST ?? '127.0.0.1',
};

/** Runs a Node entry under the supervisor, prefixing its output with its name. */
function launch(name, args, extraEnv = {}) {
  const spec = {
    parentPid: process.pid,
    pidFile: path.join(RUN_DIR, `${name}.pid`),
    command: process.execPath,
    args,
    cwd: ROOT,
    graceMs: 20_000,
  };
  const child = spawn(
    process.execPath,
    [SUPERVISOR_PATH, 'supervise', Buffer.from(JSON.stringify(spec)).toString('base64url')],
    {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => console.log(`\x1b[36m${name.padEnd(18)}\x1b[0m ${line}`));
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitReady(url, what, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (stopping) throw new Error('stopped');
    await sleep(300);
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000}s`);
}

async function admin(method, urlPath, body) {
  const response = await fetch(`${gatewayUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => null);
  if (!response.ok)
    throw new Error(`${method} ${urlPath} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A demo bot with a WhatsApp channel on the sandbox and a greeting broadcast, kept across runs. */
async function demo() {
  const file = path.join(RUN_DIR, 'demo.json');
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    const found = await fetch(`${gatewayUrl}/admin/broadcasts/${saved.broadcastId}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    if (found.ok) return { ...saved, hookUrl: (await found.json()).hookUrl };
  }
  const bot = await admin('POST', '/admin/bots', { name: 'Demo bot' });
  const { token } = await admin('POST', `/admin/bots/${bot.id}/tokens`, { name: 'demo' });
  // The demo messages people who never wrote in (the sandbox allows it): the 24-hour window is off for its account.
  await admin('POST', `/admin/bots/${bot.id}/channels`, {
    type: 'whatsapp',
    config: {
      phoneNumberId: '1065550001',
      accessToken: 'demo-access-token',
      enforceCustomerServiceWindow: false,
    },
  });
  await admin('POST', `/admin/bots/${bot.id}/channels`, {
    type: 'sms',
    config: {
      accountSid: 'AC' + '0'.repeat(32),
      authToken: 'demo-auth-token',
      from: '+15550006666',
    },
  });
  const broadcast = await admin('POST', `/admin/bots/${bot.id}/broadcasts`, {
    name: 'Greeting',
    content: { messages: [{ text: 'Hello {{first_name}}' }] },
  });
  const saved = { botId: bot.id, token, broadcastId: broadcast.id };
  fs.writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  return { ...saved, hookUrl: broadcast.hookUrl };
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping: services drain and exit, then Kafka');
  for (const { child } of [...children].reverse()) child.kill('SIGTERM');
  await Promise.all(
    children.map(({ child }) =>
      child.exitCode === null && child.signalCode === null
        ? new Promise((r) => child.once('exit', r))
        : null,
    ),
  );
  await kafka?.stop?.();
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

say('building (tsc)…');
const build = spawnSync(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
  { cwd: ROOT, stdio: 'inherit' },
);
const alias =
  build.status === 0
    ? spawnSync(
        process.execPath,
        ['node_modules/tsc-alias/dist/bin/index.js', '-p', 'tsconfig.build.json'],
        { cwd: ROOT, stdio: 'inherit' },
      )
    : build;
const consoleBuild =
  alias.status === 0
    ? spawnSync(
        process.execPath,
        ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/console/vite.config.ts'],
        { cwd: ROOT, stdio: 'inherit' },
      )
    : alias;
if (consoleBuild.status !== 0) {
  say('build failed');
  process.exit(1);
}

say('starting Kafka (KRaft) and PostgreSQL…');
await ensureKafkaJars();
[kafka] = await Promise.all([
  startKafka({ nodes: 1, detached: false }),
  ensurePostgres(env.DATABASE_URL),
]);
const migrate = spawnSync(process.execPath, ['dist/apps/herald/src/main.js', 'migrate'], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
if (migrate.status !== 0) {
  say('migrations failed');
  await shutdown(1);
}

launch('provider-sandbox', ['dist/apps/provider-sandbox/src/main.js'], {
  SANDBOX_PORT: String(SANDBOX_PORT),
});
if (allInOne) {
  launch('herald', ['dist/apps/herald/src/main.js', 'all']);
} else {
  for (const [name, port] of SERVICES) {
    launch(name, ['dist/apps/herald/src/main.js', name], {
      PORT: String(name === 'gateway' ? GATEWAY_PORT : port),
    });
  }
}
await waitReady(`${sandboxUrl}/health/ready`, 'the provider sandbox');
for (const [name, port] of SERVICES) {
  await waitReady(
    `http://127.0.0.1:${name === 'gateway' ? GATEWAY_PORT : port}/health/ready`,
    name,
  );
}
const seeded = await demo();

console.log(`
\x1b[1mHerald is running.\x1b[0m  (Ctrl-C stops everything)

  Gateway            ${gatewayUrl}        health: ${gatewayUrl}/health/ready
  Console            ${gatewayUrl}/console/   sign in as ${consoleEmail} / ${consolePassword}   (kept in .run/console-admin-password)
  Admin key          ${adminKey}   (Authorization: Bearer …; kept in .run/admin-key)
  Provider sandbox   ${sandboxUrl}        (WhatsApp Cloud API, Twilio, Messenger Send API)
  Kafka              ${kafka.brokers.join(', ')}   PostgreSQL  ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}
  Services           ${allInOne ? 'one process (all-in-one)' : SERVICES.map(([n, p]) => `${n}:${n === 'gateway' ? GATEWAY_PORT : p}`).join('  ')}

Send the demo broadcast to Ada on WhatsApp:

  curl -s -X POST '${seeded.hookUrl}' \\
    -H 'Authorization: Bearer ${seeded.token}' -H 'Content-Type: application/json' \\
    -d '{"targets":[{"user_id":"15551234567","bot_channel":"whatsapp","first_name":"Ada"}]}'

See what the sandbox received:

  curl -s '${sandboxUrl}/sandbox/messages?channel=whatsapp&to=15551234567'

Follow the run (use the run_id the hook returned):

  curl -s -H 'Authorization: Bearer ${adminKey}' ${gatewayUrl}/admin/runs/<run_id>
`);
