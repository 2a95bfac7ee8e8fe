#!/usr/bin/env node
// `npm run bench`: measures Herald's numbers against their limits, measured in the same run on
// the same machine (see docs/benchmark.md). Builds dist/, starts Kafka and PostgreSQL through
// scripts/lib, runs each scenario on a fresh stack of real processes with a topic prefix and a
// database of the run's own, writes bench/results/<stem>.{json,md} and SVG charts, and stops
// everything it started, on success, failure, Ctrl-C or --max-minutes alike.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { USAGE, parseArgs } from './lib/args.mjs';
import { cleanup, cleanupOnSignals, isStopping, onCleanup } from './lib/cleanup.mjs';
import { writeFlameGraphs } from './lib/flame-graph.mjs';
import {
  HERALD_MAIN,
  ROOT,
  buildDist,
  mendHarnessKafkajs,
  createRunDatabase,
  deletePrefixed,
  gitInfo,
  startInfra,
} from './lib/infra.mjs';
import { describeMachine, machineLoad } from './lib/machine.mjs';
import { prettyJson } from './lib/json.mjs';
import { writeReport } from './lib/report.mjs';
import { setProcessFlags } from './lib/herald.stack.mjs';
import { audience } from './scenarios/audience.scenario.mjs';
import { delivery } from './scenarios/delivery.scenario.mjs';
import { scaleOut } from './scenarios/scale-out.scenario.mjs';
import { fanOut } from './scenarios/fan-out.scenario.mjs';
import { hookAccept } from './scenarios/hook-accept.scenario.mjs';
import { latency } from './scenarios/latency.scenario.mjs';
import { memory } from './scenarios/memory.scenario.mjs';

const startedAt = new Date();
let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(`bench: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const since = () => `${Math.round((Date.now() - startedAt.getTime()) / 1000)}s`.padStart(6);
const log = (message) => console.log(`[bench ${since()}] ${message}`);
cleanupOnSignals(log);
setProcessFlags(args);
setTimeout(() => {
  log(`--max-minutes ${args.maxMinutes} reached: stopping everything`);
  void cleanup(log).then(() => process.exit(124));
}, args.maxMinutes * 60_000).unref();

const compact = (n) =>
  n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1_000 === 0 ? `${n / 1_000}k` : String(n);
const tag = randomBytes(3).toString('hex');
const stamp = startedAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
const sized = args.scenarios.some((s) => s === 'fan-out' || s === 'memory' || s === 'audience')
  ? `-${compact(args.contacts)}`
  : '';
const stem = `${stamp}-${args.scenarios.join('+')}${sized}${args.label ? `-${args.label}` : ''}`;
const outDir = path.resolve(ROOT, args.out);
const runDir = path.join(ROOT, '.run', 'bench', `${stamp}-${tag}`);
const prefixBase = `bench-${tag}.`;

const results = {
  schema: 1,
  id: `${stamp}-${tag}`,
  startedAt: startedAt.toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  options: args,
  git: gitInfo(),
  logs: path.relative(ROOT, path.join(runDir, 'logs')),
  scenarios: {},
  loadDuring: {},
};

async function main() {
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

  log('starting Kafka and PostgreSQL');
  const infra = await startInfra({ log: (m) => log(`kafka: ${m}`) });
  // Registered after Kafka's stop, so they run before it: the run's topics and database go first.
  onCleanup('delete the run topics', () => deletePrefixed(infra.brokers, prefixBase));
  const database = await createRunDatabase({
    tag,
    keep: args.keepDb,
    log: (m) => log(`postgres: ${m}`),
  });
  log(`database ${database.name}, topic prefix ${prefixBase}`);

  results.machine = await describeMachine({
    databaseUrl: database.url,
    kafkaVersion: infra.kafkaVersion,
  });
  const kafkaPids = Object.values(infra.kafka.pids ?? {}).filter(Boolean);
  results.loadBefore = await machineLoad({ ms: 3_000, ownPids: kafkaPids });

  const ctx = {
    args,
    log,
    prefixBase,
    kafkaLibDir: infra.kafkaLibDir,
    topicPartitions: Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 6),
    stackOptions: { runDir, databaseUrl: database.url, brokers: infra.brokers },
  };
  const run = async (name, fn) => {
    if (isStopping()) return;
    results.loadDuring[name] = await machineLoad({ ms: 2_000, ownPids: kafkaPids });
    const started = Date.now();
    log(`── ${name}`);
    try {
      results.scenarios[name] = await fn();
    } catch (err) {
      log(`${name} failed: ${err.stack ?? err.message}`);
      results.scenarios[name] = { error: err.message };
    }
    results.scenarios[name].elapsedS = Math.round((Date.now() - started) / 1000);
  };
  if (args.scenarios.includes('hook-accept')) await run('hook-accept', () => hookAccept(ctx));
  if (args.scenarios.includes('latency')) await run('latency', () => latency(ctx));
  if (args.scenarios.includes('fan-out'))
    await run('fan-out', () =>
      fanOut(ctx, { contacts: args.contacts, ceilings: !args.skipCeilings }),
    );
  if (args.scenarios.includes('memory')) {
    const reuse = results.scenarios['fan-out'];
    await run('memory', () => memory(ctx, { reuse: reuse && !reuse.error ? reuse : undefined }));
  }
  if (args.scenarios.includes('delivery')) await run('delivery', () => delivery(ctx));
  if (args.scenarios.includes('scale-out')) await run('scale-out', () => scaleOut(ctx));
  if (args.scenarios.includes('audience'))
    await run('audience', () => audience(ctx, { contacts: args.contacts }));
  results.loadAfter = await machineLoad({ ms: 2_000, ownPids: kafkaPids });
}

/** A short description of other work seen on the machine, or null when it was quiet. */
function noiseOf(r) {
  const loads = [r.loadBefore, ...Object.values(r.loadDuring), r.loadAfter].filter(Boolean);
  const worst = loads.reduce(
    (a, l) =>
      l.otherProcesses.reduce((s, p) => s + p.corePercent, 0) > a.sum
        ? { sum: l.otherProcesses.reduce((s, p) => s + p.corePercent, 0), load: l }
        : a,
    { sum: 0, load: null },
  );
  if (worst.sum < 25) return null;
  return `other processes used up to ${worst.sum} % of a core between scenarios, e.g. ${worst.load.otherProcesses
    .slice(0, 3)
    .map((p) => `\`${p.command}\``)
    .join(', ')}`;
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
  results.noisy = noiseOf(results);
  const failed = Object.entries(results.scenarios).filter(([, s]) => s.error);
  const incomplete = [
    results.scenarios['fan-out'],
    results.scenarios.delivery,
    results.scenarios.audience,
    ...Object.values(results.scenarios.memory?.complete ?? {}).map((c) => ({ complete: c })),
  ].filter((s) => s && !s.error && s.complete === false);
  if (failed.length || incomplete.length) exitCode = 1;
  if (results.machine) {
    fs.mkdirSync(outDir, { recursive: true });
    const json = path.join(outDir, `${stem}.json`);
    fs.writeFileSync(json, `${prettyJson(results)}\n`);
    try {
      const { markdown } = writeReport(results, outDir, stem);
      log(
        `results: ${path.relative(process.cwd(), json)}, report: ${path.relative(process.cwd(), markdown)}`,
      );
    } catch (err) {
      log(`the report could not be written: ${err.stack ?? err.message}`);
      exitCode = 1;
    }
  }
  log('stopping what this run started');
  await cleanup(log);
  // Each process wrote its CPU profile as it exited: draw them.
  if (args.cpuProfile) {
    const flames = writeFlameGraphs(path.resolve(ROOT, args.cpuProfile), log);
    if (flames.length)
      log(`flame graphs: ${flames.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  }
  if (failed.length) log(`failed scenarios: ${failed.map(([n]) => n).join(', ')}`);
  if (incomplete.length)
    log(
      'a fan-out or delivery run did not deliver to everyone exactly once, or the audience run did not publish everyone exactly once (see the report)',
    );
  log(exitCode === 0 ? 'done' : `done with errors (exit ${exitCode})`);
  process.exit(exitCode);
}
