// The image cannot be built here (no Docker), so the Dockerfile is checked against what it
// must agree with: the Node version of package.json, the commands CI runs (.ci/run and the
// build script), the sources the build compiles, the build context .dockerignore leaves, and
// the entry points the manifests run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { envOf, readDockerfile } from './support/dockerfile.js';
import { REPO_ROOT } from './support/kustomize.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const dockerfile = readDockerfile();
const [build, runtime] = [dockerfile.stages[0], dockerfile.stages.at(-1)!];
const runs = (stage: typeof build) =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('builds on the official Node image of the version package.json pins, in two stages', () => {
    expect(dockerfile.globalArgs.NODE_VERSION).toBe(pkg.devDependencies.node);
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages)
      expect(stage.from).toMatch(/^node:\$\{NODE_VERSION\}-[a-z]+-slim$/);
  });

  it('installs and builds with the commands CI runs, then keeps production dependencies only', () => {
    const ciInstall = /^\s*(npm ci[^\n<]*?)\s*(<\/dev\/null)?$/m.exec(read('.ci/run'))?.[1];
    expect(ciInstall).toBeDefined();
    const commands = runs(build).flatMap((r) => r.split('&&').map((c) => c.trim()));
    expect(commands).toContain(ciInstall);
    expect(commands).toContain('npm run build');
    expect(pkg.scripts.build).toMatch(/tsconfig\.build\.json/);
    expect(commands.some((c) => /^npm prune --omit=dev\b/.test(c))).toBe(true);
  });

  it('copies every source directory the build compiles, and .dockerignore lets each one in', () => {
    const buildConfig = JSON.parse(read('tsconfig.build.json')) as {
      extends: string;
      include: string[];
    };
    const copied = build.instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      path.basename(buildConfig.extends),
      ...buildConfig.include.map((glob) => glob.split('/')[0]),
    ];
    expect(needed.filter((n) => !copied.includes(n))).toEqual([]);
    const ignore = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim());
    expect(ignore).toContain('**');
    expect(copied.filter((c) => !ignore.includes(`!${c}`) && !ignore.includes(`!${c}/`))).toEqual(
      [],
    );
  });

  it('runs as a numeric non-root user with NODE_ENV production, and its entry points exist', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(envOf(runtime).NODE_ENV).toBe('production');
    const cmd = JSON.parse(runtime.instructions.find((i) => i.keyword === 'CMD')!.args) as string[];
    expect(cmd.slice(0, 2)).toEqual(['node', 'dist/apps/herald/src/main.js']);
    // dist/<path>.js is compiled from <path>.ts (tsconfig rootDir ".", outDir "dist").
    for (const entry of [
      'dist/apps/herald/src/main.js',
      'dist/apps/provider-sandbox/src/main.js',
    ]) {
      expect(
        existsSync(path.join(REPO_ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
      ).toBe(true);
    }
    const copiedFromBuild = runtime.instructions
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'))
      .map((i) => i.args.split(/\s+/)[1]);
    expect(copiedFromBuild).toEqual(
      expect.arrayContaining(['/app/package.json', '/app/node_modules', '/app/dist']),
    );
  });
});
