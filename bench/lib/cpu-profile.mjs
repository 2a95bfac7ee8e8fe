// Summarises V8 CPU profiles (the `.cpuprofile` files `--cpu-profile DIR` writes): where each
// process spent its time, by function (self time) and by package or Herald module.
//
//   node bench/lib/cpu-profile.mjs DIR|FILE... [--top N] [--flame] [--from S]
//
// --flame also writes `<profile>.flame.svg` beside each profile (see flame-graph.mjs), replacing
// one there; --from S leaves out the first S seconds of each process (start-up) from both.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Self time in ms per node id, from the profile's samples and their time deltas; `fromMs` leaves
 * out the samples of the profile's first milliseconds (start-up: loading modules).
 */
export function selfTimes(profile, fromMs = 0) {
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    at += (timeDeltas[i] ?? 0) / 1000;
    if (at < fromMs) continue;
    // Each sample's time is the delta that follows it (V8's convention: deltas lead samples).
    const ms = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + ms);
  }
  return self;
}

/** Where a script belongs: an npm package, a Herald app or lib, Node's own code, or V8. */
export function ownerOf(url) {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node (core)';
  const herald = /\/dist\/(apps|libs)\/([^/]+)/.exec(url);
  if (herald) return `herald ${herald[1]}/${herald[2]}`;
  return path.basename(url);
}

/** { totalMs, idleMs, byFunction: [[name, ms]], byOwner: [[owner, ms]] } of one profile. */
export function summarise(profile, fromMs = 0) {
  const self = selfTimes(profile, fromMs);
  const byFunction = new Map();
  const byOwner = new Map();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    totalMs += ms;
    const name =
      `${functionName || '(anonymous)'} ${url ? `${ownerOf(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const owner = ['(garbage collector)', '(program)'].includes(functionName)
      ? functionName
      : ownerOf(url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, idleMs, byFunction: sorted(byFunction), byOwner: sorted(byOwner) };
}

async function main(argv) {
  const flameIndex = argv.indexOf('--flame');
  const flame = flameIndex >= 0;
  if (flame) argv.splice(flameIndex, 1);
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv.splice(topIndex, 2)[1]) : 15;
  const fromIndex = argv.indexOf('--from');
  const fromMs = fromIndex >= 0 ? Number(argv.splice(fromIndex, 2)[1]) * 1000 : 0;
  const files = argv.flatMap((arg) =>
    fs.statSync(arg).isDirectory()
      ? fs
          .readdirSync(arg)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(arg, f))
      : [arg],
  );
  if (files.length === 0) {
    console.error(
      'usage: node bench/lib/cpu-profile.mjs DIR|FILE... [--top N] [--flame] [--from S]',
    );
    process.exit(2);
  }
  for (const file of files.sort()) {
    const s = summarise(JSON.parse(fs.readFileSync(file, 'utf8')), fromMs);
    const pct = (ms) => `${((100 * ms) / s.totalMs).toFixed(1)}%`.padStart(6);
    console.log(
      `\n## ${path.basename(file)}: ${(s.totalMs / 1000).toFixed(1)} s busy, ${(s.idleMs / 1000).toFixed(1)} s idle`,
    );
    console.log('by package / module:');
    for (const [owner, ms] of s.byOwner.slice(0, top)) console.log(`  ${pct(ms)}  ${owner}`);
    console.log('by function (self time):');
    for (const [name, ms] of s.byFunction.slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
  }
  if (flame) {
    const { writeFlameGraph } = await import('./flame-graph.mjs');
    for (const file of files.sort())
      console.log(`\nflame graph: ${writeFlameGraph(file, { fromMs })}`);
  }
}

// Not awaited at the top level: flame-graph.mjs imports this module, which must finish loading first.
if (import.meta.url === `file://${process.argv[1]}`)
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
