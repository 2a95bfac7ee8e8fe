#!/usr/bin/env node
// `npm test`: the whole suite. Type-check, lint, unit specs, then integration and e2e on a real
// Kafka broker (started here when none runs, and stopped again afterwards) and PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { startKafka, stopKafka } from './lib/kafka.mjs';
import { ensurePostgres } from './lib/postgres.mjs';

const testDb =
  process.env.HERALD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test';
const env = {
  ...process.env,
  HERALD_TEST_DATABASE_URL: testDb,
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
};

function step(title, command, args) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed`);
    return false;
  }
  return true;
}

const node = process.execPath;
const jest = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];
const reports = [];
fs.mkdirSync('.run', { recursive: true });
/** Jest arguments that also write a JSON report, summed into the closing line. */
const report = (tier) => {
  const file = `.run/jest-${tier}.json`;
  fs.rmSync(file, { force: true });
  reports.push(file);
  return ['--json', `--outputFile=${file}`];
};
let ok = step('type-check', node, [
  'node_modules/typescript/bin/tsc',
  '-p',
  'tsconfig.json',
  '--noEmit',
]);
ok = step('lint', node, ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']) && ok;
ok =
  step('unit tests', node, [...jest, '--selectProjects', 'unit', '--ci', ...report('unit')]) && ok;

let started = false;
try {
  console.log('\n▶ infrastructure: Kafka and PostgreSQL');
  const kafka = await startKafka({ nodes: 1, detached: true });
  started = kafka.startedByUs;
  await ensurePostgres(testDb);
  ok =
    step('integration and e2e tests', node, [
      ...jest,
      '--selectProjects',
      'integration',
      '--runInBand',
      '--ci',
      ...report('integration'),
      '--',
      ...process.argv.slice(2),
    ]) && ok;
} finally {
  if (started && !process.env.HERALD_KEEP_KAFKA) await stopKafka({ nodes: 1 });
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  if (!fs.existsSync(file)) {
    failed++; // a tier that wrote no report did not run to the end
    continue;
  }
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
  skipped += result.numPendingTests + result.numTodoTests;
}
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok && failed === 0 && passed > 0 ? 0 : 1);
