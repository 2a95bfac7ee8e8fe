// Flame graphs of V8 CPU profiles (the `.cpuprofile` files `--cpu-profile DIR` writes), as
// self-contained SVG: no script, no fonts or styles from elsewhere, so a browser, an image viewer
// or a Markdown page shows it as it is. Each box is a function in one call stack; its width is
// the CPU time spent in it and in what it called (total), the boxes above it are its callees,
// and the part of it with nothing above is its own (self) time. Hovering a box shows its figures.
//
// foldProfile() does the counting (testable on its own); flameGraphSvg() draws the folded tree.
import fs from 'node:fs';
import path from 'node:path';
import { ownerOf, selfTimes } from './cpu-profile.mjs';

/** The key under which frames of one parent merge: the same function at the same place. */
const frameKey = ({ functionName, url, lineNumber, columnNumber }) =>
  `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`;

/** A readable name of a call frame: the function and where it lives. */
export function frameName({ functionName, url, lineNumber }) {
  const name = functionName || '(anonymous)';
  return url ? `${name} ${ownerOf(url)}:${lineNumber + 1}` : name;
}

/**
 * Folds a V8 CPU profile into a call tree of CPU time: `{ name, functionName, owner, selfMs,
 * totalMs, children: [...] }`, children sorted by total time (largest first). A frame's self time
 * is the time of the samples taken in it; its total time is its self time plus its children's.
 * Frames of one parent that are the same function at the same place are merged. `(idle)` is left
 * out unless `keepIdle`: a flame graph shows where the busy time went. `fromMs` leaves out the
samples of the profile's first milliseconds (start-up). The root is the whole
 * process (`all`), its totalMs the busy time; `idleMs` says how much idle time was left out.
 */
export function foldProfile(profile, { keepIdle = false, fromMs = 0 } = {}) {
  const self = selfTimes(profile, fromMs);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Profiles written with `parent` links instead of `children` (Chrome's trace format) work too.
  const childrenOf = new Map(profile.nodes.map((node) => [node.id, node.children ?? []]));
  if (profile.nodes.every((node) => !node.children))
    for (const node of profile.nodes)
      if (node.parent !== undefined) childrenOf.get(node.parent)?.push(node.id);
  const childIds = new Set([...childrenOf.values()].flat());
  const v8Root = profile.nodes.find((node) => !childIds.has(node.id));
  const tree = {
    name: 'all',
    functionName: 'all',
    owner: '',
    selfMs: 0,
    totalMs: 0,
    children: [],
    idleMs: 0,
  };
  const merge = (parent, index, frame) => {
    const key = frameKey(frame.callFrame);
    let child = index.get(key);
    if (!child) {
      child = {
        name: frameName(frame.callFrame),
        functionName: frame.callFrame.functionName || '(anonymous)',
        owner: ownerOf(frame.callFrame.url),
        selfMs: 0,
        totalMs: 0,
        children: [],
        index: new Map(),
      };
      index.set(key, child);
      parent.children.push(child);
    }
    return child;
  };
  // Depth-first without recursion: async stacks can be deep.
  const stack = [];
  const rootIndex = new Map();
  if (v8Root) {
    tree.selfMs += self.get(v8Root.id) ?? 0;
    for (const id of childrenOf.get(v8Root.id)) stack.push([id, tree, rootIndex]);
  }
  while (stack.length > 0) {
    const [id, parent, index] = stack.pop();
    const node = byId.get(id);
    if (!node) continue;
    if (!keepIdle && node.callFrame.functionName === '(idle)') {
      tree.idleMs += subtreeMs(node.id, childrenOf, self);
      continue;
    }
    const folded = merge(parent, index, node);
    folded.selfMs += self.get(id) ?? 0;
    for (const childId of childrenOf.get(id)) stack.push([childId, folded, folded.index]);
  }
  const total = (node) => {
    let sum = node.selfMs;
    for (const child of node.children) sum += total(child);
    delete node.index;
    node.totalMs = sum;
    node.children.sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
    return sum;
  };
  total(tree);
  return tree;
}

function subtreeMs(id, childrenOf, self) {
  let sum = 0;
  const stack = [id];
  while (stack.length > 0) {
    const next = stack.pop();
    sum += self.get(next) ?? 0;
    stack.push(...(childrenOf.get(next) ?? []));
  }
  return sum;
}

/**
 * The folded tree as collapsed stacks ("all;a;b 12.5": the stack, root first, and its self time
 * in ms), one line per stack with self time: the format flamegraph.pl and speedscope read.
 */
export function collapsedStacks(tree, digits = 3) {
  const lines = [];
  const walk = (node, path) => {
    const here = [...path, node.name.replaceAll(';', ',')];
    if (node.selfMs > 0) lines.push(`${here.join(';')} ${Number(node.selfMs.toFixed(digits))}`);
    for (const child of node.children) walk(child, here);
  };
  walk(tree, []);
  return lines;
}

const esc = (s) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** A small stable hash of a string, for colour variations. */
function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967295;
}

/** Colour families by where the code lives; the shade varies by function so neighbours differ. */
export const FLAME_FAMILIES = [
  { label: 'Herald apps', hue: 22, test: (owner) => owner.startsWith('herald apps/') },
  { label: 'Herald libs', hue: 42, test: (owner) => owner.startsWith('herald libs/') },
  { label: 'Node core', hue: 125, test: (owner) => owner === 'node (core)' },
  { label: 'garbage collector', hue: 0, test: (owner, fn) => fn === '(garbage collector)' },
  { label: 'V8, native, idle', hue: 260, grey: true, test: (owner) => /^(\(|all$)/.test(owner) },
  { label: 'packages, other files', hue: 205, test: () => true },
];

const familyOf = (node) =>
  FLAME_FAMILIES.find((family) => family.test(node.owner, node.functionName));

function colourOf(family, name) {
  const v = hash(name);
  return `hsl(${family.hue + Math.round(v * 16 - 8)}, ${family.grey ? 10 : 62}%, ${Math.round(60 + v * 18)}%)`;
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/**
 * The folded tree as an SVG flame graph: the root at the bottom, callees above their callers,
 * widths proportional to total CPU time. Boxes narrower than `minPx` are left out (their time is
 * still in their parent's width), and so are frames deeper than `maxDepth` (module loading at
start-up nests hundreds deep). Each box carries a tooltip (<title>) with its figures.
 */
export function flameGraphSvg(
  tree,
  { title = 'CPU flame graph', subtitle = '', width = 1200, minPx = 1, maxDepth = 60 } = {},
) {
  const rowHeight = 17;
  const left = 10;
  const plotWidth = width - 2 * left;
  const top = subtitle ? 64 : 48;
  const total = tree.totalMs || 1;
  const scale = plotWidth / total;
  const boxes = [];
  let depth = 0;
  let cut = false;
  // Lay out breadth-agnostic: each child starts where its previous sibling ended.
  const stack = [[tree, 0, 0]];
  while (stack.length > 0) {
    const [node, x, level] = stack.pop();
    const w = node.totalMs * scale;
    if (w < minPx) continue;
    if (level > maxDepth) {
      cut = true;
      continue;
    }
    boxes.push({ node, x, w, level });
    depth = Math.max(depth, level);
    let cx = x;
    for (const child of node.children) {
      stack.push([child, cx, level + 1]);
      cx += child.totalMs * scale;
    }
  }
  const legendY = top + (depth + 1) * rowHeight + 22;
  const height = legendY + 22;
  const yOf = (level) => top + (depth - level) * rowHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fbfbf8"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
  ];
  if (subtitle)
    parts.push(
      `<text x="${width / 2}" y="42" text-anchor="middle" font-size="12" fill="#555">${esc(subtitle)}</text>`,
    );
  for (const { node, x, w, level } of boxes) {
    const y = yOf(level);
    const share = ((100 * node.totalMs) / total).toFixed(2);
    const tip =
      `${node.name}${node.owner && node.owner !== 'all' ? ` [${node.owner}]` : ''}\n` +
      `total ${fmtMs(node.totalMs)} (${share} % of the busy time), self ${fmtMs(node.selfMs)}`;
    const fill = node === tree ? '#d9d9d9' : colourOf(familyOf(node), node.name);
    parts.push(
      `<g><title>${esc(tip)}</title><rect x="${(left + x).toFixed(2)}" y="${y}" width="${Math.max(0.1, w - 0.3).toFixed(2)}" height="${rowHeight - 1}" fill="${fill}" rx="1"/>`,
    );
    const chars = Math.floor((w - 6) / 6.2);
    if (chars >= 3) {
      const label = node === tree ? `all: ${fmtMs(total)} busy` : node.name;
      const text = label.length <= chars ? label : `${label.slice(0, Math.max(1, chars - 2))}..`;
      parts.push(
        `<text x="${(left + x + 3).toFixed(2)}" y="${y + rowHeight - 5}" fill="#111">${esc(text)}</text>`,
      );
    }
    parts.push('</g>');
  }
  let lx = left;
  parts.push(`<text x="${lx}" y="${legendY}" fill="#333">colour: where the code lives</text>`);
  lx += 190;
  for (const family of FLAME_FAMILIES) {
    const sample = colourOf(family, family.label);
    parts.push(
      `<rect x="${lx}" y="${legendY - 10}" width="14" height="12" fill="${sample}"/>`,
      `<text x="${lx + 18}" y="${legendY}" fill="#333">${esc(family.label)}</text>`,
    );
    lx += 30 + family.label.length * 6.5;
  }
  if (cut)
    parts.push(
      `<text x="${width - left}" y="${legendY}" text-anchor="end" fill="#333">stacks cut at ${maxDepth} frames</text>`,
    );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The flame graph's path for a profile: `<dir>/<name>.flame.svg` beside `<dir>/<name>.cpuprofile`. */
export const flameGraphPathOf = (profilePath) =>
  profilePath.replace(/\.cpuprofile$/, '') + '.flame.svg';

/**
 * Reads one `.cpuprofile`, writes its flame graph beside it; returns the SVG's path. `fromMs`
 * leaves out the process's first milliseconds (start-up).
 */
export function writeFlameGraph(profilePath, { fromMs = 0 } = {}) {
  const tree = foldProfile(JSON.parse(fs.readFileSync(profilePath, 'utf8')), { fromMs });
  const name = path.basename(profilePath, '.cpuprofile');
  const out = flameGraphPathOf(profilePath);
  const window = fromMs > 0 ? `after its first ${fmtMs(fromMs)}, ` : '';
  fs.writeFileSync(
    out,
    flameGraphSvg(tree, {
      title: `${name}: where the CPU went`,
      subtitle: `${window}${fmtMs(tree.totalMs)} busy (${fmtMs(tree.idleMs)} idle, left out). Width: CPU time of a function and its callees; boxes above a box: its callees; hover a box for its figures.`,
    }),
  );
  return out;
}

/**
 * Writes a flame graph beside every `.cpuprofile` in `dir` that has none yet (the processes write
 * their profiles as they exit); returns the paths written. A profile that cannot be read (a
 * process killed while writing it) is reported, not thrown.
 */
export function writeFlameGraphs(dir, log = () => {}) {
  if (!fs.existsSync(dir)) return [];
  const written = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()) {
    const profilePath = path.join(dir, file);
    if (fs.existsSync(flameGraphPathOf(profilePath))) continue;
    try {
      written.push(writeFlameGraph(profilePath));
    } catch (err) {
      log(`no flame graph for ${file}: ${err.message}`);
    }
  }
  return written;
}
