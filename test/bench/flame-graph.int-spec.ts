// The flame graphs of `--cpu-profile DIR` (bench/lib/flame-graph.mjs) on a tiny synthetic V8
// profile: the folding (stack → self and total time) is what a reader of the picture relies on.
// No I/O beyond a temporary directory; it lives in test/ because the unit project covers only
// apps/ and libs/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  collapsedStacks,
  flameGraphPathOf,
  flameGraphSvg,
  foldProfile,
  writeFlameGraphs,
  type FoldedFrame,
} from '../../bench/lib/flame-graph.mjs';

type Folded = FoldedFrame;

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  scriptId: '1',
  url,
  lineNumber,
  columnNumber: 0,
});

const APP = 'file:///srv/herald/dist/apps/audience/src/page-emitter.service.js';
const PKG = 'file:///srv/herald/node_modules/kafkajs/src/producer/index.js';

/**
 * (root) → main → emit → send (kafkajs); main → emit → encode; (root) → (garbage collector);
 * (root) → (idle); and a second `emit` node under main at the same place (V8 may split one
 * frame in two), which must merge with the first.
 */
function profile() {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 7, 8] },
      { id: 2, callFrame: frame('main', APP, 9), children: [3, 6] },
      { id: 3, callFrame: frame('emit', APP, 41), children: [4, 5] },
      { id: 4, callFrame: frame('send', PKG, 99) },
      { id: 5, callFrame: frame('encode', APP, 70) },
      { id: 6, callFrame: frame('emit', APP, 41), children: [9] },
      { id: 7, callFrame: frame('(garbage collector)') },
      { id: 8, callFrame: frame('(idle)') },
      { id: 9, callFrame: frame('send', PKG, 99) },
    ],
    startTime: 0,
    endTime: 100_000,
    // V8's convention: the time of sample i is the delta that follows it (µs).
    samples: [2, 3, 4, 4, 5, 9, 7, 8, 8],
    timeDeltas: [0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000],
  };
}

const byName = (node: Folded, name: string) => node.children.find((c) => c.name.startsWith(name))!;

describe('flame graphs of CPU profiles', () => {
  it('folds the stacks into self and total time, merging one frame split in two and leaving idle out', () => {
    const tree = foldProfile(profile());
    // Sample times (ms): main 1, emit 2, send 3 + 4, encode 5, send (second emit) 6, GC 7, idle 8 + 8 (the last sample takes the last delta).
    expect(tree.idleMs).toBe(16);
    expect(tree.totalMs).toBe(1 + 2 + 3 + 4 + 5 + 6 + 7);
    expect(tree.selfMs).toBe(0);
    expect(tree.children.map((c) => [c.name, c.totalMs])).toEqual([
      ['main herald apps/audience:10', 21],
      ['(garbage collector)', 7],
    ]);
    const main = tree.children[0];
    expect(main).toMatchObject({ selfMs: 1, totalMs: 21 });
    expect(main.children).toHaveLength(1);
    const emit = byName(main, 'emit');
    expect(emit).toMatchObject({ selfMs: 2, totalMs: 20 });
    expect(byName(emit, 'send')).toMatchObject({
      name: 'send kafkajs:100',
      selfMs: 13,
      totalMs: 13,
      children: [],
    });
    expect(byName(emit, 'encode')).toMatchObject({ selfMs: 5, totalMs: 5 });
    // Children largest first.
    expect(emit.children.map((c) => c.totalMs)).toEqual([13, 5]);
  });

  it('keeps idle time when asked', () => {
    const tree = foldProfile(profile(), { keepIdle: true });
    expect(tree.totalMs).toBe(28 + 16);
    expect(byName(tree, '(idle)')).toMatchObject({ selfMs: 16, totalMs: 16 });
  });

  it('leaves out the first milliseconds of a profile when asked (start-up)', () => {
    // Samples are taken at 0, 1, 3, 6, 10… ms: from 3.5 ms on, the first three are left out.
    const tree = foldProfile(profile(), { fromMs: 3.5 });
    expect(tree.totalMs).toBe(4 + 5 + 6 + 7);
    const emit = byName(byName(tree, 'main'), 'emit');
    expect(emit).toMatchObject({ selfMs: 0, totalMs: 15 });
    expect(byName(emit, 'send')).toMatchObject({ selfMs: 10 });
  });

  it('reads profiles linked by parent instead of children', () => {
    const p = profile();
    const parents = new Map<number, number>();
    for (const node of p.nodes)
      for (const child of node.children ?? []) parents.set(child, node.id);
    const linked = {
      ...p,
      nodes: p.nodes.map(({ children: _children, ...node }) => ({
        ...node,
        parent: parents.get(node.id),
      })),
    };
    expect(collapsedStacks(foldProfile(linked))).toEqual(collapsedStacks(foldProfile(p)));
  });

  it('writes collapsed stacks, root first, with their self time', () => {
    expect(collapsedStacks(foldProfile(profile())).sort()).toEqual(
      [
        'all;(garbage collector) 7',
        'all;main herald apps/audience:10 1',
        'all;main herald apps/audience:10;emit herald apps/audience:42 2',
        'all;main herald apps/audience:10;emit herald apps/audience:42;send kafkajs:100 13',
        'all;main herald apps/audience:10;emit herald apps/audience:42;encode herald apps/audience:71 5',
      ].sort(),
    );
  });

  it('draws boxes as wide as their total time, callees above their callers', () => {
    const tree = foldProfile(profile());
    const svg = flameGraphSvg(tree, { title: 'test <profile>', width: 300 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('test &lt;profile&gt;');
    expect(svg).not.toContain('<script');
    const box = (name: string) => {
      const match = new RegExp(
        `<title>${name}[^<]*</title><rect x="([\\d.]+)" y="(\\d+)" width="([\\d.]+)"`,
      ).exec(svg);
      if (!match) throw new Error(`no box for ${name} in\n${svg}`);
      return { x: Number(match[1]), y: Number(match[2]), width: Number(match[3]) };
    };
    const all = box('all');
    const main = box('main herald apps/audience:10');
    const emit = box('emit herald apps/audience:42');
    const send = box('send kafkajs:100');
    const gc = box('\\(garbage collector\\)');
    // 280 px for 28 ms: 10 px per ms (less the 0.3 px gap between boxes).
    expect(all.width).toBeCloseTo(280 - 0.3, 1);
    expect(main.width).toBeCloseTo(210 - 0.3, 1);
    expect(send.width).toBeCloseTo(130 - 0.3, 1);
    expect(gc.x).toBeCloseTo(main.x + 210, 1);
    expect(main.y).toBeLessThan(all.y);
    expect(emit.y).toBeLessThan(main.y);
    expect(send.y).toBeLessThan(emit.y);
    expect(svg).toContain('total 13.0 ms (46.43 % of the busy time), self 13.0 ms');
  });

  it('writes <name>.flame.svg beside every profile of a directory that has none yet', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-flame-'));
    try {
      const file = path.join(dir, 'fan-out-audience-1.cpuprofile');
      fs.writeFileSync(file, JSON.stringify(profile()));
      fs.writeFileSync(path.join(dir, 'broken-2.cpuprofile'), '{"nodes": [');
      const problems: string[] = [];
      expect(writeFlameGraphs(dir, (m: string) => problems.push(m))).toEqual([
        flameGraphPathOf(file),
      ]);
      expect(flameGraphPathOf(file)).toBe(path.join(dir, 'fan-out-audience-1.flame.svg'));
      expect(fs.readFileSync(flameGraphPathOf(file), 'utf8')).toContain('fan-out-audience-1');
      expect(problems).toEqual([expect.stringContaining('broken-2.cpuprofile')]);
      expect(writeFlameGraphs(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
