#!/usr/bin/env node
// Re-renders a run's Markdown report and charts from its JSON: `node bench/render-report.mjs bench/results/<stem>.json`.
import fs from 'node:fs';
import path from 'node:path';
import { writeReport } from './lib/report.mjs';

const file = process.argv[2];
if (!file || !file.endsWith('.json') || !fs.existsSync(file)) {
  console.error('usage: node bench/render-report.mjs bench/results/<stem>.json');
  process.exit(2);
}
const { markdown } = writeReport(
  JSON.parse(fs.readFileSync(file, 'utf8')),
  path.dirname(file),
  path.basename(file, '.json'),
);
console.log(`wrote ${markdown}`);
