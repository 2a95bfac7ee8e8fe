// The configuration tables of docs/operations.md, generated from the code and the deployment
// files: for each app, every variable its config class reads (the sandbox: every SANDBOX_*
// variable its config recognises), the code's default, and what each overlay and the compose
// file set. A test compares the committed section with this; HERALD_WRITE_OPERATIONS_DOC=1
// rewrites it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices, composeSet } from './compose.js';
import { imageEnv } from './dockerfile.js';
import {
  BaseConfig,
  configVariables,
  sandboxSettingOf,
  SandboxConfig,
  SERVICE_NAMES,
} from './herald-apps.js';
import { REPO_ROOT } from './kustomize.js';
import {
  commandOf,
  containerOf,
  LAUNCHER,
  SANDBOX_MAIN,
  type Overlay,
  type Workload,
} from './overlay.js';
import type { Container } from './pod-env.js';

export const DOC_PATH = path.join(REPO_ROOT, 'docs/operations.md');
export const START = '<!-- config-by-app:start -->';
export const END = '<!-- config-by-app:end -->';

const code = (v: string) => `\`${v.replace(/\|/g, '\\|')}\``;

interface Column {
  title: string;
  /** Cell text for a variable, or undefined when it is not set there. */
  cell(variable: string): string | undefined;
}

/** What a container sets, as table cells: literal values, or where a Secret value comes from. */
function manifestCells(container: Container | undefined, overlay: Overlay): Column['cell'] {
  if (!container) return () => 'not deployed';
  const resolved = overlay.envOf(container);
  const fromImage = imageEnv();
  const secretOf = new Map(resolved.secretRefs.map((r) => [r.variable, r]));
  return (variable) => {
    const secret = secretOf.get(variable);
    if (secret)
      return `Secret ${code(secret.rendered ? secret.secret.replace(/-[a-z0-9]{10}$/, '') : secret.secret)} key ${code(secret.key)}`;
    if (resolved.set.includes(variable)) return code(resolved.env[variable]);
    if (variable in fromImage) return `${code(fromImage[variable])} (image)`;
    return undefined;
  };
}

function defaultCell(variable: string, value: unknown): string {
  if (value === undefined) return '—';
  if (value === '') return '(empty)';
  if (/KEY$/.test(variable) && typeof value === 'string') return 'a development key';
  return code(String(value));
}

function table(variables: string[], defaults: (v: string) => string, columns: Column[]): string {
  const header = `| Variable | Default | ${columns.map((c) => c.title).join(' | ')} |`;
  const rule = `|---|---|${columns.map(() => '---|').join('')}`;
  const rows = variables.map(
    (v) => `| ${code(v)} | ${defaults(v)} | ${columns.map((c) => c.cell(v) ?? '—').join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}

const containerRunning = (overlay: Overlay, command: string): Container | undefined => {
  const all = [
    ...overlay.deployments,
    ...overlay.objects.filter((o): o is Workload => o.kind === 'Job'),
  ];
  return all.map(containerOf).find((c) => commandOf(c).join(' ') === command);
};

export function generateConfigTables(overlays: Overlay[]): string {
  const compose = composeServices();
  const composeCells = (name: string): Column => ({
    title: 'compose',
    cell: (v) => {
      const set = compose[name] ? composeSet(compose[name]) : undefined;
      if (!set) return 'not deployed';
      return v in set
        ? code(set[v])
        : v in imageEnv() && name !== 'provider-sandbox'
          ? `${code(imageEnv()[v])} (image)`
          : undefined;
    },
  });
  const sections: string[] = [];

  // The Herald apps, apps with identical tables merged (the three delivery apps differ only by port).
  const groups = new Map<
    string,
    { names: string[]; ports: number[]; render: (portCell: string) => string }
  >();
  for (const service of SERVICE_NAMES) {
    const first = overlays[0].apps.get(service)!;
    const variables = configVariables(first.app.configClass);
    const instance = new first.app.configClass() as Record<string, unknown>;
    const command = `node ${LAUNCHER} ${service}`;
    const columns: Column[] = [
      ...overlays.map((o) => ({
        title: o.name,
        cell: manifestCells(containerRunning(o, command), o),
      })),
      composeCells(service),
    ];
    const render = (portCell: string) =>
      table(variables, (v) => (v === 'PORT' ? portCell : defaultCell(v, instance[v])), columns);
    const key = render('');
    const group = groups.get(key) ?? { names: [], ports: [], render };
    group.names.push(service);
    group.ports.push(first.app.port);
    groups.set(key, group);
  }
  for (const { names, ports, render } of groups.values()) {
    sections.push(
      `#### ${names.map(code).join(', ')}\n\n${render(`${ports.map((p) => code(String(p))).join(' / ')} (per app; PORT overrides it when a process runs one service)`)}`,
    );
  }

  const migrate = `node ${LAUNCHER} migrate`;
  const base = new BaseConfig() as unknown as Record<string, unknown>;
  sections.push(
    `#### ${code('migrate')} (the migration Job)\n\n` +
      table(
        configVariables(BaseConfig).filter((v) => v !== 'PORT'),
        (v) => defaultCell(v, base[v]),
        [
          ...overlays.map((o) => ({
            title: o.name,
            cell: manifestCells(containerRunning(o, migrate), o),
          })),
          composeCells('migrate'),
        ],
      ),
  );

  const sandboxVars = sandboxVariables();
  const settings = SandboxConfig.load({}) as unknown as Record<string, unknown>;
  const sandbox = `node ${SANDBOX_MAIN}`;
  sections.push(
    `#### ${code('provider-sandbox')} (dev overlay and compose only)\n\n` +
      table(
        sandboxVars.map((v) => v.name),
        (v) => defaultCell(v, settings[sandboxVars.find((x) => x.name === v)?.setting ?? '']),
        [
          ...overlays.map((o) => ({
            title: o.name,
            cell: containerRunning(o, sandbox)
              ? manifestCells(containerRunning(o, sandbox), o)
              : () => 'not deployed',
          })),
          composeCells('provider-sandbox'),
        ],
      ),
  );
  return `${START}\n${sections.join('\n\n')}\n${END}`;
}

/**
 * The sandbox's SANDBOX_* names are private to its config, so they are read from its source;
 * a test checks that each one is recognised and that together they cover every setting.
 */
export function sandboxVariables(): Array<{ name: string; setting: string | undefined }> {
  const source = readFileSync(
    path.join(REPO_ROOT, 'apps/provider-sandbox/src/sandbox.config.ts'),
    'utf8',
  );
  return [...new Set([...source.matchAll(/'(SANDBOX_[A-Z0-9_]+)'/g)].map((m) => m[1]))].map(
    (name) => ({ name, setting: sandboxSettingOf(name) }),
  );
}
