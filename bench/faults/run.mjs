#!/usr/bin/env node
// `npm run faults`: proves "nothing lost, nothing twice" under faults (see docs/benchmark.md,
// "Fault suite"). Builds dist/, starts Kafka (the 3-node cluster by default) and PostgreSQL,
// starts the whole stack as real processes with a topic prefix and a database of the run's own,
// seeds the contacts once with COPY, then runs one broadcast per case with its fault injected
// mid-way and checks the sandbox's record, the run's status and counts, and every topic's lag.
// Writes bench/results/<stem>.{json,md}; stops everything it started, on success, failure,
// Ctrl-C or --max-minutes alike. Exit 0 only when every case passed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, cleanupOnSignals, onCleanup } from '../lib/cleanup.mjs';
import { seedContacts } from '../lib/contacts.seed.mjs';
import { writeFlameGraphs } from '../lib/flame-graph.mjs';
import { adminClient } from '../lib/herald.admin.mjs';
import { SERVICE_NAMES, setProcessFlags, startStack } from '../lib/herald.stack.mjs';
import {
  HERALD_MAIN,
  ROOT,
  buildDist,
  mendHarnessKafkajs,
  createRunDatabase,
  deletePrefixed,
  gitInfo,
} from '../lib/infra.mjs';
import { prettyJson } from '../lib/json.mjs';
import { useKafkaLayout } from '../lib/kafka-layout.mjs';
import { describeMachine } from '../lib/machine.mjs';
import { sandboxClient } from '../lib/sandbox.client.mjs';
import { broadcastUnderFault } from './broadcast-under-fault.mjs';
import { USAGE, parseFaultArgs } from './faults.args.mjs';
import { writeFaultsReport } from './faults.report.mjs';
import { faultCases } from './fault.scenarios.mjs';

const startedAt = new Date();
let args;
try {
  args = parseFaultArgs(process.argv.slice(2));
} catch (err) {
  console.error(`faults: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const since = () => `${Math.round((Date.now() - startedAt.getTime()) / 1000)}s`.padStart(6);
const log = (message) => console.log(`[faults ${since()}] ${message}`);
cleanupOnSignals(log);
setProcessFlags(args);
setTimeout(() => {
  log(`--max-minutes ${args.maxMinutes} reached: stopping everything`);
  void cleanup(log).then(() => process.exit(124));
}, args.maxMinutes * 60_000).unref();

const compact = (n) => (n % 1_000 === 0 ? `${n / 1_000}k` : String(n));
const tag = randomBytes(3).toString('hex');
const stamp = startedAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
const stem = `${stamp}-faults-${args.nodes === 3 ? 'cluster3' : 'single'}-${compact(args.contacts)}${args.label ? `-${args.label}` : ''}`;
const outDir = path.resolve(ROOT, args.out);
const runDir = path.join(ROOT, '.run', 'faults', `${stamp}-${tag}`);
const prefix = `faults-${tag}.`;

const results = {
  schema: 1,
  kind: 'faults',
  id: `${stamp}-${tag}`,
  startedAt: startedAt.toISOString(),
  command: `npm run faults -- ${process.argv.slice(2).join(' ')}`.trim(),
  options: args,
  git: gitInfo(),
  logs: path.relative(ROOT, path.join(runDir, 'logs')),
  cases: [],
};

async function main() {
  const cases = faultCases(args);
  if (cases.length === 0) throw new Error('no case selected');
  if (args.build) {
    log('building dist/ (tsc)');
    const { ms } = buildDist();
    log(`built in ${(ms / 1000).toFixed(1)} s`);
  }
  if (!fs.existsSync(HERALD_MAIN))
    throw new Error(
      `${path.relative(ROOT, HERALD_MAIN)} is missing: build first (drop --no-build)`,
    );
  await mendHarnessKafkajs();

  log(`starting Kafka (${args.nodes === 3 ? '3-node cluster' : 'single node'}) and PostgreSQL`);
  const kafka = await useKafkaLayout({
    nodes: args.nodes,
    stopSingle: args.stopSingle,
    log: (m) => log(`kafka: ${m}`),
  });
  results.kafka = {
    nodes: args.nodes,
    brokers: kafka.brokers,
    version: kafka.version,
    replaced: kafka.replaced,
  };
  onCleanup('delete the run topics', () => deletePrefixed(kafka.brokers, prefix));
  const database = await createRunDatabase({
    tag,
    keep: args.keepDb,
    log: (m) => log(`postgres: ${m}`),
  });
  log(`database ${database.name}, topic prefix ${prefix}`);
  results.machine = await describeMachine({
    databaseUrl: database.url,
    kafkaVersion: kafka.version,
  });

  const stack = await startStack({
    runDir,
    label: 'faults',
    prefix,
    databaseUrl: database.url,
    brokers: kafka.brokers,
    services: SERVICE_NAMES,
    sandbox: true,
    env: {
      KAFKA_REPLICATION_FACTOR: String(args.nodes === 3 ? 3 : 1),
      DELIVERY_CONCURRENCY: String(args.concurrency),
      DELIVERY_MAX_UNRECORDED: String(args.unrecorded),
      DELIVERY_RETRY_DELAYS: args.retryDelays,
    },
    log,
  });
  const admin = adminClient(stack);
  const sandbox = sandboxClient(stack.sandboxUrl);
  const bot = await admin.setupBot({
    name: 'Faults bot',
    channels: args.channels,
    messagesPerSecond: args.rate,
  });
  const hookBot = args.scenarios.some((s) => s === 'kill-broker' || s === 'poison')
    ? await admin.setupBot({ name: 'Faults hook bot', channels: ['sms'] })
    : null;
  log(
    `seeding ${args.contacts.toLocaleString('en')} contacts (${args.channels.join(', ')}) with COPY`,
  );
  await seedContacts({
    databaseUrl: database.url,
    botId: bot.botId,
    count: args.contacts,
    channels: args.channels,
  });

  const env = {
    stack,
    admin,
    sandbox,
    bot,
    hookBot,
    contacts: args.contacts,
    channels: args.channels,
    databaseUrl: database.url,
    args,
    log,
  };
  for (const c of cases) {
    log(`── ${c.name}`);
    const result = await broadcastUnderFault(env, c);
    results.cases.push({ scenario: c.scenario, ...result });
  }
  await stack.stop();
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  log(`failed: ${err.stack ?? err.message}`);
  results.error = err.message;
  exitCode = 1;
} finally {
  results.finishedAt = new Date().toISOString();
  results.durationS = Math.round((Date.now() - startedAt.getTime()) / 1000);
  results.ok = !results.error && results.cases.length > 0 && results.cases.every((c) => c.ok);
  if (!results.ok) exitCode = 1;
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, `${stem}.json`);
  fs.writeFileSync(json, `${prettyJson(results)}\n`);
  try {
    const { markdown } = writeFaultsReport(results, outDir, stem);
    log(
      `results: ${path.relative(process.cwd(), json)}, report: ${path.relative(process.cwd(), markdown)}`,
    );
  } catch (err) {
    log(`the report could not be written: ${err.stack ?? err.message}`);
    exitCode = 1;
  }
  log('stopping what this run started');
  await cleanup(log);
  // Each process wrote its CPU profile as it exited: draw them.
  if (args.cpuProfile) {
    const flames = writeFlameGraphs(path.resolve(ROOT, args.cpuProfile), log);
    if (flames.length)
      log(`flame graphs: ${flames.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  }
  for (const c of results.cases)
    log(`${c.ok ? 'pass' : 'FAIL'}  ${c.name}${c.ok ? '' : ` (${c.outcome})`}`);
  log(exitCode === 0 ? 'done: every case passed' : `done with failures (exit ${exitCode})`);
  process.exit(exitCode);
}
