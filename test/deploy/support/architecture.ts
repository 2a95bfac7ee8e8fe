// What docs/architecture.md claims, read from the code. Which service writes which table: the
// repository classes each service's code imports (following its imports through
// apps/<service>/src and the libs it uses) and the SQL and TypeORM writes in those classes and in
// the service's own files. And the edges of its services-and-topics diagram.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The services that own data; apps/herald only hosts them in one process (all-in-one). */
export const SERVICES = [
  'gateway',
  'audience',
  'contact',
  'delivery-whatsapp',
  'delivery-sms',
  'delivery-messenger',
] as const;
export type Service = (typeof SERVICES)[number];

/** Files to add (a string) or hide (null) on top of the tree: how a test shows what a change does. */
export type Overlay = Record<string, string | null>;

export interface TableWriters {
  /** Tables the migrations create. */
  tables: Set<string>;
  /** table → service → why (the repository class or file that writes it). */
  writers: Map<string, Map<Service, Set<string>>>;
  /** Each service's repository classes, as its code imports them. */
  repositoriesOf: Map<Service, Set<string>>;
}

const REPOSITORY_DIR = 'libs/persistence/src/repositories';
const WRITE_METHODS =
  'save|insert|update|upsert|delete|remove|softDelete|softRemove|restore|increment|decrement|clear';

class Tree {
  private readonly root: string;
  private readonly overlay: Overlay;

  constructor(root: string, overlay: Overlay) {
    this.root = root;
    this.overlay = overlay;
  }

  read(path: string): string | undefined {
    if (path in this.overlay) return this.overlay[path] ?? undefined;
    const full = join(this.root, path);
    return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
  }

  /** TypeScript sources under `dir` (specs excluded), as root-relative paths. */
  list(dir: string): string[] {
    const found: string[] = [];
    const walk = (d: string) => {
      const full = join(this.root, d);
      if (!existsSync(full)) return;
      for (const name of readdirSync(full)) {
        const path = join(d, name);
        if (statSync(join(this.root, path)).isDirectory()) walk(path);
        else found.push(path);
      }
    };
    walk(dir);
    for (const [path, text] of Object.entries(this.overlay)) {
      if (path.startsWith(`${dir}/`) && text !== null && !found.includes(path)) found.push(path);
    }
    return found.filter(
      (p) => p.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec|d)\.ts$/.test(p) && this.read(p),
    );
  }
}

/** Code without comments (JS block and line comments, SQL `--` comments). */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[\s;{}(),])\/\/[^\n]*/g, '$1')
    .replace(/(^|\s)--\s[^\n]*/g, '$1');
}

/** The tables `code` writes: INSERT/UPDATE/DELETE/TRUNCATE in SQL, and TypeORM repository writes. */
export function writesIn(code: string, tables: Set<string>, entities: Map<string, string>): string[] {
  const text = stripComments(code);
  const found = new Set<string>();
  const sql = [
    /\bINSERT\s+INTO\s+"?(\w+)/gi,
    /\bUPDATE\s+(?:ONLY\s+)?"?(\w+)/gi,
    /\bDELETE\s+FROM\s+(?:ONLY\s+)?"?(\w+)/gi,
    /\bTRUNCATE\s+(?:TABLE\s+)?"?(\w+)/gi,
    /\bMERGE\s+INTO\s+"?(\w+)/gi,
  ];
  for (const pattern of sql) {
    for (const m of text.matchAll(pattern)) {
      if (tables.has(m[1])) found.add(m[1]);
    }
  }
  const entityWrite = (entity: string) => {
    const table = entities.get(entity);
    if (table) found.add(table);
  };
  // this.db.getRepository(X).save(…), also across lines and through createQueryBuilder().insert().
  for (const m of text.matchAll(
    new RegExp(`getRepository\\(\\s*(\\w+)\\s*\\)\\s*\\.\\s*(?:${WRITE_METHODS})\\s*\\(`, 'g'),
  ))
    entityWrite(m[1]);
  for (const m of text.matchAll(
    /getRepository\(\s*(\w+)\s*\)\s*\.\s*createQueryBuilder\([^)]*\)[\s\S]{0,200}?\.\s*(?:insert|update|delete)\s*\(/g,
  ))
    entityWrite(m[1]);
  // const repo = this.db.getRepository(X); … repo.save(…)
  for (const m of text.matchAll(/(\w+)\s*=\s*[\w.]*getRepository\(\s*(\w+)\s*\)/g)) {
    if (new RegExp(`\\b${m[1]}\\s*\\.\\s*(?:${WRITE_METHODS})\\s*\\(`).test(text)) entityWrite(m[2]);
  }
  // manager.save(X, …), manager.insert(X, …)
  for (const m of text.matchAll(new RegExp(`\\.\\s*(?:${WRITE_METHODS})\\s*\\(\\s*(\\w+)\\b`, 'g')))
    entityWrite(m[1]);
  return [...found].sort();
}

/** `./x.js` from `from` → the root-relative .ts path, or undefined when it is not a source file. */
function resolveRelative(tree: Tree, from: string, spec: string): string | undefined {
  const base = normalize(join(dirname(from), spec.replace(/\.js$/, '')));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (tree.read(candidate) !== undefined) return candidate;
  }
  return undefined;
}

interface ImportRef {
  spec: string;
  names: string[];
  /** `import * as x from …` or `export * from …`: every name the module has. */
  everything: boolean;
}

function importsOf(code: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const text = stripComments(code);
  for (const m of text.matchAll(
    /\b(?:import|export)\s+(?:type\s+)?([\s\S]*?)\s*from\s*['"]([^'"]+)['"]/g,
  )) {
    const braces = /\{([\s\S]*)\}/.exec(m[1]);
    const names = braces
      ? braces[1]
          .split(',')
          .map((n) =>
            n
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0]
              .trim(),
          )
          .filter(Boolean)
      : [];
    refs.push({ spec: m[2], names, everything: /^\s*\*/.test(m[1]) });
  }
  for (const m of text.matchAll(/\bimport\s*\(?\s*['"]([^'"]+)['"]/g)) refs.push({ spec: m[1], names: [], everything: true });
  return refs;
}

interface RepositoryClass {
  file: string;
  base: string | undefined;
  own: string[];
}

/** Every repository class: libs/persistence/src/repositories and any apps/<service>/src/**\/*.repository.ts. */
function repositoryClasses(
  tree: Tree,
  tables: Set<string>,
  entities: Map<string, string>,
): Map<string, RepositoryClass> {
  const classes = new Map<string, RepositoryClass>();
  const files = [
    ...tree.list(REPOSITORY_DIR),
    ...SERVICES.flatMap((s) => tree.list(`apps/${s}/src`)).filter((f) =>
      f.endsWith('.repository.ts'),
    ),
  ];
  for (const file of files) {
    const code = tree.read(file)!;
    // Helpers a repository file imports that are no repository themselves (shared SQL builders).
    const helpers = importsOf(code)
      .filter((i) => i.spec.startsWith('.'))
      .map((i) => resolveRelative(tree, file, i.spec))
      .filter((f): f is string => !!f && !f.includes('/entities/') && !/export\s+class\s/.test(tree.read(f)!));
    const helperWrites = helpers.flatMap((h) => writesIn(tree.read(h)!, tables, entities));
    const starts = [...code.matchAll(/export\s+class\s+(\w+)(?:\s+extends\s+(\w+))?/g)];
    starts.forEach((m, i) => {
      const body = code.slice(m.index, starts[i + 1]?.index ?? code.length);
      classes.set(m[1], {
        file,
        base: m[2],
        own: [...new Set([...writesIn(body, tables, entities), ...helperWrites])],
      });
    });
  }
  return classes;
}

function writesOfClass(classes: Map<string, RepositoryClass>, name: string): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (let c: string | undefined = name; c && !seen.has(c); c = classes.get(c)?.base) {
    seen.add(c);
    for (const t of classes.get(c)?.own ?? []) out.add(t);
  }
  return [...out];
}

/** The tables the migrations create, and each entity class's table. */
function schema(tree: Tree): { tables: Set<string>; entities: Map<string, string> } {
  const tables = new Set<string>();
  for (const file of tree.list('libs/persistence/src/migrations')) {
    for (const m of tree
      .read(file)!
      .matchAll(/CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)/gi))
      tables.add(m[1]);
  }
  const entities = new Map<string, string>();
  for (const file of tree.list('libs/persistence/src/entities')) {
    const code = tree.read(file)!;
    for (const m of code.matchAll(
      /@Entity\(\s*(?:\{\s*name:\s*)?['"](\w+)['"][\s\S]*?export\s+class\s+(\w+)/g,
    ))
      entities.set(m[2], m[1]);
  }
  return { tables, entities };
}

export function tableWriters(root: string, overlay: Overlay = {}): TableWriters {
  const tree = new Tree(root, overlay);
  const { tables, entities } = schema(tree);
  const classes = repositoryClasses(tree, tables, entities);
  const writers = new Map<string, Map<Service, Set<string>>>();
  const note = (table: string, service: Service, why: string) => {
    const byService = writers.get(table) ?? new Map<Service, Set<string>>();
    writers.set(table, byService);
    const whys = byService.get(service) ?? new Set<string>();
    byService.set(service, whys);
    whys.add(why);
  };
  const repositoriesOf = new Map<Service, Set<string>>();
  for (const service of SERVICES) {
    const used = new Set<string>();
    repositoriesOf.set(service, used);
    const queue = tree.list(`apps/${service}/src`);
    const seen = new Set(queue);
    while (queue.length > 0) {
      const file = queue.shift()!;
      const code = tree.read(file)!;
      const isRepositoryFile =
        file.startsWith(`${REPOSITORY_DIR}/`) || file.endsWith('.repository.ts');
      if (!isRepositoryFile) {
        for (const table of writesIn(code, tables, entities)) note(table, service, file);
      }
      for (const ref of importsOf(code)) {
        let next: string | undefined;
        if (ref.spec === '@herald/persistence') {
          // A namespace import could reach any repository: count them all rather than guess.
          for (const name of ref.everything ? classes.keys() : ref.names) {
            if (classes.has(name)) used.add(name);
          }
        } else if (ref.spec.startsWith('@herald/')) {
          next = `libs/${ref.spec.slice('@herald/'.length)}/src/index.ts`;
        } else if (ref.spec.startsWith('.')) {
          next = resolveRelative(tree, file, ref.spec);
        }
        if (!next || seen.has(next) || tree.read(next) === undefined) continue;
        if (next.endsWith('.repository.ts')) {
          for (const m of tree.read(next)!.matchAll(/export\s+class\s+(\w+)/g)) {
            if (classes.has(m[1])) used.add(m[1]);
          }
        }
        seen.add(next);
        queue.push(next);
      }
    }
    for (const name of used) {
      for (const table of writesOfClass(classes, name)) note(table, service, name);
    }
  }
  return { tables, writers, repositoriesOf };
}

/** Files under `dir` that write a table themselves (imports not followed), with the tables. */
export function writesUnder(root: string, dir: string, overlay: Overlay = {}): Map<string, string[]> {
  const tree = new Tree(root, overlay);
  const { tables, entities } = schema(tree);
  const out = new Map<string, string[]>();
  for (const file of tree.list(dir)) {
    const written = writesIn(tree.read(file)!, tables, entities);
    if (written.length > 0) out.set(file, written);
  }
  return out;
}

/** The ownership table of docs/architecture.md: table → the services its "Written by" cell names. */
export function documentedWriters(markdown: string): Map<string, Set<string>> {
  const section = /## Table ownership\n([\s\S]*?)(?=\n## |$)/.exec(markdown)?.[1] ?? '';
  const rows = section.split('\n').filter((l) => /^\|\s*`/.test(l));
  const out = new Map<string, Set<string>>();
  for (const row of rows) {
    const [tablesCell, writersCell] = row.split('|').slice(1);
    const names = [...writersCell.matchAll(/`([\w*-]+)`/g)].map((m) => m[1]);
    const services = new Set(
      names.flatMap((n) => (n === 'delivery-*' ? SERVICES.filter((s) => s.startsWith('delivery-')) : [n])),
    );
    for (const m of tablesCell.matchAll(/`(\w+)`/g)) out.set(m[1], services);
  }
  return out;
}

/** Where code and document disagree, one line each (empty: they agree). */
export function ownershipDrift(found: TableWriters, documented: Map<string, Set<string>>): string[] {
  const drift: string[] = [];
  for (const table of [...found.tables].sort()) {
    const doc = documented.get(table);
    if (!doc) {
      drift.push(`${table}: not in the ownership table`);
      continue;
    }
    const code = found.writers.get(table) ?? new Map<Service, Set<string>>();
    for (const [service, whys] of code) {
      if (!doc.has(service))
        drift.push(`${table}: written by ${service} (${[...whys].join(', ')}), not named in the document`);
    }
    for (const service of doc) {
      if ((SERVICES as readonly string[]).includes(service) && !code.has(service as Service))
        drift.push(`${table}: the document names ${service} as a writer, the code does not write it`);
    }
  }
  for (const table of documented.keys()) {
    if (!found.tables.has(table)) drift.push(`${table}: in the ownership table, no migration creates it`);
  }
  return drift;
}


/**
 * The edges of the first mermaid flowchart under `## Services and topics`, by node label:
 * `gateway --> BR[[broadcast.requested.v1]] --> audience` gives (gateway, broadcast.requested.v1)
 * and (broadcast.requested.v1, audience).
 */
export function diagramEdges(markdown: string): Set<string> {
  const section = /## Services and topics\n([\s\S]*?)(?=\n## |$)/.exec(markdown)?.[1] ?? '';
  const chart = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const labels = new Map<string, string>();
  const node = (ref: string): string => {
    const m = /^(\w[\w-]*)\s*(?:\(\[(.*)\]\)|\[\[(.*)\]\]|\[(.*)\])?$/.exec(ref.trim());
    if (!m) throw new Error(`not a node: ${ref}`);
    const label = m[2] ?? m[3] ?? m[4];
    if (label !== undefined) labels.set(m[1], label.replace(/^"|"$/g, ''));
    return m[1];
  };
  const pairs: Array<[string, string]> = [];
  for (const line of chart.split('\n')) {
    if (!line.includes('-->')) continue;
    const ids = line.split(/-->(?:\|[^|]*\|)?/).map(node);
    for (let i = 1; i < ids.length; i += 1) pairs.push([ids[i - 1], ids[i]]);
  }
  return new Set(pairs.map(([a, b]) => `${labels.get(a) ?? a} --> ${labels.get(b) ?? b}`));
}
