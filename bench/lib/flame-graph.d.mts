// Types of flame-graph.mjs for the TypeScript tests that import it.

export interface FoldedFrame {
  /** The function and where it lives (`emit herald apps/audience:42`), or `all` at the root. */
  name: string;
  functionName: string;
  /** ownerOf() of its script: an npm package, a Herald app or lib, `node (core)`, `(native / V8)`. */
  owner: string;
  selfMs: number;
  totalMs: number;
  children: FoldedFrame[];
}

export interface FoldedProfile extends FoldedFrame {
  /** Idle time left out of the tree. */
  idleMs: number;
}

export interface FoldOptions {
  keepIdle?: boolean;
  fromMs?: number;
}

export function frameName(callFrame: {
  functionName: string;
  url: string;
  lineNumber: number;
}): string;
export function foldProfile(profile: unknown, options?: FoldOptions): FoldedProfile;
export function collapsedStacks(tree: FoldedFrame, digits?: number): string[];
export function flameGraphSvg(
  tree: FoldedFrame,
  options?: {
    title?: string;
    subtitle?: string;
    width?: number;
    minPx?: number;
    maxDepth?: number;
  },
): string;
export function flameGraphPathOf(profilePath: string): string;
export function writeFlameGraph(profilePath: string, options?: { fromMs?: number }): string;
export function writeFlameGraphs(dir: string, log?: (message: string) => void): string[];
export const FLAME_FAMILIES: Array<{ label: string; hue: number; grey?: boolean }>;
