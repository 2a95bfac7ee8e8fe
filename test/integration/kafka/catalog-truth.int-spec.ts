// The catalog's producers and consumers are what the code does. Consumers: the topics each app's
// Nest module really handles (booted through the real launcher, nothing connects). Producers:
// every EventPublisher call in the code each app is built from (its own src and the libs it
// imports), with the topic read from the call's types (narrow topic types make a union of
// topics exact). The ACLs in deploy/k8s are derived from the same catalog (k8s-security).
import ts from 'typescript';
import path from 'node:path';
import {
  launch,
  SERVICE_NAMES,
  type HeraldApp,
  type ServiceName,
} from '../../deploy/support/herald-apps.js';
import { CATALOG, Topics, type TopicName } from '@herald/contracts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** A producer name the catalog may use besides the apps: callers outside Herald. */
const OUTSIDE = 'any internal service';
/**
 * Topics the shared delivery core publishes for every channel that one channel never does, and
 * why. Each must still be found by the scan, so this list cannot outlive its reason.
 */
const NEVER_AT_RUNTIME: Partial<Record<ServiceName, Record<string, string>>> = {
  'delivery-messenger': {
    'delivery.fallback.v1':
      'channel fallback hands on only people "not here" on a channel; Messenger has no such codes (its ids are not phone numbers)',
  },
};
/** Where bytes may be forwarded as they are (publishRaw): the transport's dead letters, the gateway's replay. */
const RAW_FORWARDERS = ['libs/kafka/src/', 'apps/gateway/src/'];

const catalogTopics = Object.keys(CATALOG) as TopicName[];
const isCatalogTopic = (topic: string): topic is TopicName =>
  (catalogTopics as string[]).includes(topic);
const baseOf = (topic: string) => topic.replace(/\.retry\.[^.]+$/, '');

interface PublishCall {
  /** Repository-relative file. */
  file: string;
  line: number;
  method: 'publish' | 'publishRetry' | 'publishDeadLetters' | 'publishRaw';
  /** Contract topics the call can publish (for publishRaw: none, the topic is the record's). */
  topics: string[];
  /** Why the topics could not be told from the types, if they could not. */
  unknown?: string;
}

const PUBLISH_METHODS = new Set(['publish', 'publishRetry', 'publishDeadLetters', 'publishRaw']);

/** Every EventPublisher call in apps/ and libs/ (tests and specs aside), typed. */
function scanPublishCalls(): { calls: PublishCall[]; program: ts.Program } {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    { incremental: false },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const files = config.fileNames.filter(
    (f) => /\/(apps|libs)\//.test(f) && !/\.(spec|test)\.tsx?$/.test(f) && !f.endsWith('.tsx'),
  );
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const calls: PublishCall[] = [];
  const topicsOfType = (type: ts.Type): { topics: string[]; unknown?: string } => {
    const topics: string[] = [];
    for (const member of type.isUnion() ? type.types : [type]) {
      if (member.isStringLiteral()) topics.push(baseOf(member.value));
      else if (member.flags & ts.TypeFlags.TemplateLiteral) {
        // `${topic}.retry.${string}`: a retry twin of `topic`.
        const head = /^(.*)\.retry\.$/.exec((member as ts.TemplateLiteralType).texts[0]);
        if (!head) return { topics, unknown: checker.typeToString(member) };
        topics.push(head[1]);
      } else return { topics, unknown: checker.typeToString(member) };
    }
    return { topics };
  };
  for (const source of program.getSourceFiles()) {
    if (!files.includes(source.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        PUBLISH_METHODS.has(node.expression.name.text) &&
        checker.getTypeAtLocation(node.expression.expression).getSymbol()?.getName() ===
          'EventPublisher'
      ) {
        const method = node.expression.name.text as PublishCall['method'];
        const found =
          method === 'publishRaw'
            ? { topics: [] }
            : topicsOfType(checker.getTypeAtLocation(node.arguments[0]));
        calls.push({
          file: path.relative(ROOT, source.fileName),
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          method,
          ...found,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { calls, program };
}

/** What each file imports (resolved to files of the program). */
function importGraph(program: ts.Program): Map<string, string[]> {
  const known = new Set(program.getSourceFiles().map((f) => f.fileName));
  const host = ts.createModuleResolutionCache(ROOT, (f) => f, program.getCompilerOptions());
  const graph = new Map<string, string[]>();
  for (const source of program.getSourceFiles()) {
    if (!/\/(apps|libs)\//.test(source.fileName)) continue;
    const imported: string[] = [];
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (!specifier) continue;
      const resolved = ts.resolveModuleName(
        specifier,
        source.fileName,
        program.getCompilerOptions(),
        ts.sys,
        host,
      ).resolvedModule?.resolvedFileName;
      if (resolved && known.has(resolved)) imported.push(resolved);
    }
    graph.set(source.fileName, imported);
  }
  return graph;
}

/** The files an app is built from: its own src and everything they import, transitively. */
function filesOf(service: ServiceName, graph: Map<string, string[]>): Set<string> {
  const own = `${path.join(ROOT, 'apps', service, 'src')}/`;
  const reached = new Set<string>();
  const queue = [...graph.keys()].filter((f) => f.startsWith(own));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    queue.push(...(graph.get(file) ?? []));
  }
  return new Set([...reached].map((f) => path.relative(ROOT, f)));
}

type Role = 'producers' | 'consumers';

/** Where the catalog and the code disagree on who produces or consumes each topic, for a person. */
function mismatches(role: Role, actual: Map<ServiceName, Set<string>>): string[] {
  const verb = role === 'producers' ? 'publishes' : 'consumes';
  const problems: string[] = [];
  for (const topic of catalogTopics) {
    const listed = new Set<string>(CATALOG[topic][role].filter((name) => name !== OUTSIDE));
    for (const service of SERVICE_NAMES) {
      const does = actual.get(service)?.has(topic) ?? false;
      if (does && !listed.has(service))
        problems.push(
          `${topic}: ${service} ${verb} it; add it to the topic's ${role} in the catalog`,
        );
      if (!does && listed.has(service))
        problems.push(
          `${topic}: the catalog lists ${service} among its ${role}, but it never ${verb} it`,
        );
    }
  }
  return problems;
}

describe('the topic catalog names its true producers and consumers', () => {
  const apps = new Map<ServiceName, HeraldApp>();
  const files = new Map<ServiceName, Set<string>>();
  let calls: PublishCall[];

  beforeAll(async () => {
    for (const service of SERVICE_NAMES) apps.set(service, await launch(service, {}));
    const scan = scanPublishCalls();
    calls = scan.calls;
    const graph = importGraph(scan.program);
    for (const service of SERVICE_NAMES) files.set(service, filesOf(service, graph));
  }, 120_000);

  /** Catalog topics an app consumes (retry twins count as their topic; DLQ readers do not). */
  const consumedBy = (service: ServiceName) =>
    new Set(
      apps
        .get(service)!
        .consumers.map((c) => baseOf(c.topic))
        .filter((t) => !t.endsWith('.dlq')),
    );

  const callsOf = (service: ServiceName) => calls.filter((c) => files.get(service)!.has(c.file));

  /** Catalog topics an app's code publishes (but those it never does at runtime, and why). */
  const publishedBy = (service: ServiceName) =>
    new Set(
      callsOf(service)
        .filter((c) => c.method === 'publish')
        .flatMap((c) => c.topics)
        .filter((t) => !(t in (NEVER_AT_RUNTIME[service] ?? {}))),
    );

  it('names only Herald apps (and callers outside Herald as producers of requests)', () => {
    for (const contract of Object.values(CATALOG)) {
      const names = [...contract.producers.filter((p) => p !== OUTSIDE), ...contract.consumers];
      expect({
        topic: contract.topic,
        strangers: names.filter((n) => !apps.has(n as ServiceName)),
      }).toEqual({ topic: contract.topic, strangers: [] });
    }
  });

  it('finds the publish calls it reads: the scan sees every app publish what it is known to', () => {
    expect(calls.length).toBeGreaterThan(5);
    // Every topic is published somewhere (but a superseded one the catalog lists no producer of,
    // still read during an upgrade), and every call's topic is known from its types.
    expect(calls.filter((c) => c.unknown)).toEqual([]);
    const published = new Set(calls.filter((c) => c.method === 'publish').flatMap((c) => c.topics));
    const produced = catalogTopics.filter((topic) => CATALOG[topic].producers.length > 0);
    expect([...published].sort()).toEqual([...produced].sort());
  });

  it('lists as consumers of each topic exactly the apps whose modules handle it', () => {
    for (const service of SERVICE_NAMES) {
      for (const topic of consumedBy(service))
        expect({ service, topic, contract: isCatalogTopic(topic) }).toEqual({
          service,
          topic,
          contract: true,
        });
    }
    expect(mismatches('consumers', new Map(SERVICE_NAMES.map((s) => [s, consumedBy(s)])))).toEqual(
      [],
    );
  });

  it('lists as producers of each topic exactly the apps whose code publishes it', () => {
    expect(mismatches('producers', new Map(SERVICE_NAMES.map((s) => [s, publishedBy(s)])))).toEqual(
      [],
    );
  });

  it('fails when an app starts or stops producing or consuming a topic the catalog does not say', () => {
    const consumed = new Map(SERVICE_NAMES.map((s) => [s, new Set(consumedBy(s))]));
    consumed.get('gateway')!.add(Topics.TargetResolved);
    consumed.get('contact')!.delete(Topics.ContactInbound);
    expect(mismatches('consumers', consumed)).toEqual([
      "target.resolved.v1: gateway consumes it; add it to the topic's consumers in the catalog",
      'contact.inbound.v1: the catalog lists contact among its consumers, but it never consumes it',
    ]);
    const published = new Map(SERVICE_NAMES.map((s) => [s, new Set(publishedBy(s))]));
    published.get('gateway')!.add(Topics.DeliveryResult);
    expect(mismatches('producers', published)).toEqual([
      "delivery.result.v1: gateway publishes it; add it to the topic's producers in the catalog",
    ]);
  });

  it('keeps its exceptions true: each topic an app never publishes is still in its code', () => {
    for (const [service, topics] of Object.entries(NEVER_AT_RUNTIME)) {
      const inCode = callsOf(service as ServiceName).flatMap((c) => c.topics);
      for (const topic of Object.keys(topics ?? {}))
        expect({ service, topic, inCode: inCode.includes(topic) }).toEqual({
          service,
          topic,
          inCode: true,
        });
    }
  });

  it('puts back (retries, dead letters) only events of a topic the app itself consumes', () => {
    for (const service of SERVICE_NAMES) {
      const consumed = consumedBy(service);
      // Shared code is typed for every channel: the app's own channel must be among them.
      const strays = callsOf(service)
        .filter((c) => c.method === 'publishRetry' || c.method === 'publishDeadLetters')
        .filter((c) => !c.topics.some((t) => consumed.has(t)))
        .map((c) => `${c.file}:${c.line} ${c.topics.join(' | ')}`);
      expect({ service, strays }).toEqual({ service, strays: [] });
    }
  });

  it('forwards raw bytes only where records must travel as they are', () => {
    const raw = calls.filter((c) => c.method === 'publishRaw');
    expect(raw.length).toBeGreaterThan(0);
    expect(
      raw.filter((c) => !RAW_FORWARDERS.some((dir) => c.file.startsWith(dir))).map((c) => c.file),
    ).toEqual([]);
  });
});
