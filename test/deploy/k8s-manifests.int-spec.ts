// Every kustomize overlay under deploy/k8s, rendered with `kubectl kustomize` as an operator
// would, validated against the Kubernetes (and operators') schemas, and checked against the
// code it deploys: each Deployment's environment boots that app through the real launcher;
// probes, ports and the metrics path are routes of the app; every consumer group has its KEDA
// trigger; every topic the contracts and the consumers name has its KafkaTopic. No cluster,
// no Kafka: the apps are launched with `startService` captured (support/herald-apps.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ALL_TOPICS, dlqTopicOf, topicConfigsOf } from '@herald/contracts';
import { imageEnv } from './support/dockerfile.js';
import {
  BaseConfig,
  configVariables,
  createSandboxApp,
  directlyReadVariables,
  loadConfig,
  sandboxSettingOf,
  SandboxConfig,
  SERVICE_NAMES,
} from './support/herald-apps.js';
import {
  byKind,
  kustomizeVersion,
  named,
  overlayNames,
  REPO_ROOT,
  selects,
  type K8sObject,
} from './support/kustomize.js';
import {
  commandOf,
  containerOf,
  LAUNCHER,
  loadOverlay,
  SANDBOX_MAIN,
  type CnpgCluster,
  type Overlay,
  type Workload,
} from './support/overlay.js';
import { nameProblems, schemaProblems } from './support/schemas.js';

const STAGES = ['platform', 'config', 'migrate', 'apps'];
const OPERATIONS_DOC = readFileSync(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');

interface ScaledObject extends K8sObject {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: Array<{ type: string; metadata: Record<string, string> }>;
  };
}
interface Hpa extends K8sObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics: Array<{ type: string; resource?: { name: string } }>;
  };
}
interface KafkaTopic extends K8sObject {
  spec: {
    partitions: number;
    replicas: number;
    topicName?: string;
    config?: Record<string, string | number>;
  };
}
interface Service extends K8sObject {
  spec: {
    selector: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: string | number }>;
  };
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: Array<{
      from?: Array<Record<string, unknown>>;
      ports?: Array<{ port?: string | number }>;
    }>;
    egress?: Array<{
      to?: Array<{
        podSelector?: { matchLabels?: Record<string, string> };
        namespaceSelector?: unknown;
        ipBlock?: unknown;
      }>;
      ports?: Array<{ port?: string | number }>;
    }>;
  };
}

const quantityMi = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi|Ki)?$/.exec(q);
  if (!m) throw new Error(`unsupported quantity ${q}`);
  return (
    Number(m[1]) * ({ Ki: 1 / 1024, Mi: 1, Gi: 1024 } as Record<string, number>)[m[2] ?? 'Mi']
  );
};

describe('deploy/k8s overlays', () => {
  it('are rendered by a kubectl with Kustomize v5, and there are dev and prod overlays', () => {
    expect(kustomizeVersion()).toMatch(/^v5\./);
    expect(overlayNames()).toEqual(expect.arrayContaining(['dev', 'prod']));
  });
});

describe.each(overlayNames())('overlay %s', (overlay) => {
  let objects: K8sObject[];
  let deployments: Workload[];
  /** The Deployment of each Herald app, its container's environment and what the launcher made of it. */
  let apps: Overlay['apps'];
  let kafkaName: string;
  let cnpg: CnpgCluster;
  let envOf: Overlay['envOf'];

  beforeAll(async () => {
    ({ objects, deployments, apps, kafkaName, cnpg, envOf } = await loadOverlay(overlay));
  });

  it('validates every object against its schema and the API server naming rules', async () => {
    const problems = (
      await Promise.all(
        objects.map(async (o) => [...(await schemaProblems(o)), ...nameProblems(o)]),
      )
    ).flat();
    expect(problems).toEqual([]);
    expect(objects.length).toBeGreaterThan(30);
  });

  it('labels every object with its stage, so the stages can be applied in order', () => {
    const stageOf = (o: K8sObject) => o.metadata.labels?.['herald.dev/stage'];
    expect(
      objects
        .filter((o) => !STAGES.includes(stageOf(o) ?? ''))
        .map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    for (const o of objects) {
      // The sandbox (a dev-only component) comes up with the apps, its config included.
      const expected = o.metadata.name.includes('provider-sandbox')
        ? 'apps'
        : /^(Kafka|KafkaNodePool|KafkaTopic|KafkaUser|Cluster)$/.test(o.kind)
          ? 'platform'
          : /^(ConfigMap|Secret|NetworkPolicy|ServiceMonitor|TriggerAuthentication)$/.test(o.kind)
            ? 'config'
            : o.kind === 'Job'
              ? 'migrate'
              : 'apps';
      expect(`${o.kind}/${o.metadata.name}: ${stageOf(o)}`).toBe(
        `${o.kind}/${o.metadata.name}: ${expected}`,
      );
    }
    // Argo CD applies them in the same order: waves -2 (platform, config), -1 (migrate), 0.
    const waves = objects.map(
      (o) => `${stageOf(o)} ${o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0'}`,
    );
    expect([...new Set(waves)].sort()).toEqual([
      'apps 0',
      'config -2',
      'migrate -1',
      'platform -2',
    ]);
  });

  it('runs one Deployment per Herald app, each through the launcher, all from one image', () => {
    expect([...apps.keys()].sort()).toEqual([...SERVICE_NAMES].sort());
    const herald = deployments.filter((d) => commandOf(containerOf(d))[1] === LAUNCHER);
    expect(herald).toHaveLength(SERVICE_NAMES.length);
    const others = deployments
      .filter((d) => !herald.includes(d))
      .map((d) => commandOf(containerOf(d)).join(' '));
    expect(others.every((command) => command === `node ${SANDBOX_MAIN}`)).toBe(true);
    expect(new Set(deployments.map((d) => containerOf(d).image)).size).toBe(1);
    for (const d of deployments) {
      expect(d.spec.template.spec.containers).toHaveLength(1);
      expect(d.spec.template.spec.initContainers ?? []).toEqual([]);
    }
  });

  it("sets only variables the app's config class reads, none twice, and every one a deployment needs", () => {
    for (const [service, { resolved, app }] of apps) {
      // NODE_OPTIONS is read by Node itself.
      const known = [
        ...configVariables(app.configClass),
        ...directlyReadVariables(),
        'NODE_OPTIONS',
      ];
      expect({ service, unknown: resolved.set.filter((v) => !known.includes(v)) }).toEqual({
        service,
        unknown: [],
      });
      expect({ service, duplicates: resolved.duplicates }).toEqual({ service, duplicates: [] });
      // Each app keeps its own default port; the manifests rely on it rather than setting PORT.
      expect({ service, PORT: resolved.env.PORT }).toEqual({ service, PORT: undefined });
      // A default that points at this machine (the local broker, database, sandbox) is wrong in a cluster.
      const defaults = new app.configClass() as Record<string, unknown>;
      const local = known.filter((v) => /127\.0\.0\.1|localhost/.test(String(defaults[v] ?? '')));
      expect({ service, unset: local.filter((v) => resolved.env[v] === undefined) }).toEqual({
        service,
        unset: [],
      });
      // Production refuses the development encryption key and (gateway) a generated admin key.
      if (resolved.env.NODE_ENV === 'production') {
        const secretVars = resolved.secretRefs.map((r) => r.variable);
        expect(secretVars).toContain('HERALD_ENCRYPTION_KEY');
        if (service === 'gateway') expect(secretVars).toContain('HERALD_ADMIN_KEY');
      }
    }
  });

  it("exposes the app's own port and probes its real health routes", () => {
    for (const [service, { deployment, container, app }] of apps) {
      const http = container.ports?.find((p) => p.name === 'http');
      expect({ service, port: http?.containerPort }).toEqual({ service, port: app.port });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      for (const probe of [
        container.livenessProbe,
        container.readinessProbe,
        container.startupProbe,
      ]) {
        if (probe?.httpGet) expect(app.getRoutes).toContain(probe.httpGet.path);
      }
      const service_ = byKind<Service>(objects, 'Service').find((s) =>
        selects({ matchLabels: s.spec.selector }, deployment.spec.template.metadata.labels),
      );
      expect(service_?.spec.ports).toEqual([
        expect.objectContaining({ name: 'http', port: app.port, targetPort: 'http' }),
      ]);
      expect(deployment.spec.template.spec.enableServiceLinks).toBe(false);
    }
  });

  it('runs every workload as non-root with a read-only root filesystem, /tmp on an emptyDir, and requests and limits', () => {
    const workloads = [...deployments, ...byKind<Workload>(objects, 'Job')];
    expect(workloads.length).toBeGreaterThan(SERVICE_NAMES.length);
    for (const w of workloads) {
      const pod = w.spec.template.spec;
      const c = pod.containers[0];
      const where = `${w.kind}/${w.metadata.name}`;
      expect({ where, pod: pod.securityContext }).toEqual({
        where,
        pod: expect.objectContaining({ runAsNonRoot: true, runAsUser: expect.any(Number) }),
      });
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect({ where, container: c.securityContext }).toEqual({
        where,
        container: expect.objectContaining({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        }),
      });
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect({ where, tmp: pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir }).toEqual({
        where,
        tmp: expect.any(Object),
      });
      for (const kind of ['requests', 'limits'] as const) {
        expect({
          where,
          kind,
          cpu: Boolean(c.resources?.[kind]?.cpu),
          memory: Boolean(c.resources?.[kind]?.memory),
        }).toEqual({ where, kind, cpu: true, memory: true });
      }
    }
  });

  it('gives the delivery apps a grace period longer than a provider call, so SIGTERM drains in-flight work', () => {
    for (const [service, { deployment, app }] of apps) {
      const grace = (deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      const timeout = (app.config as unknown as { PROVIDER_TIMEOUT_MS?: number })
        .PROVIDER_TIMEOUT_MS;
      if (timeout !== undefined)
        expect({ service, longer: grace > timeout + 10_000 }).toEqual({ service, longer: true });
    }
  });

  it('migrates with a one-shot Job running `migrate` with a valid config, before the apps', () => {
    const jobs = byKind<Workload & { spec: { backoffLimit?: number } }>(objects, 'Job');
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    const container = containerOf(job);
    expect(commandOf(container)).toEqual(['node', LAUNCHER, 'migrate']);
    expect(readFileSync(path.join(REPO_ROOT, 'apps/herald/src/main.ts'), 'utf8')).toMatch(
      /'migrate'/,
    );
    expect(job.spec.template.spec.restartPolicy).toMatch(/^(Never|OnFailure)$/);
    expect(container.image).toBe(containerOf(deployments[0]).image);
    const resolved = envOf(container);
    const known = [...configVariables(BaseConfig), ...directlyReadVariables()];
    expect(resolved.set.filter((v) => !known.includes(v))).toEqual([]);
    expect(() => loadConfig(BaseConfig, resolved.env)).not.toThrow();
    // Argo CD runs it as a Sync hook between the platform/config wave and the apps.
    expect(job.metadata.annotations).toEqual(
      expect.objectContaining({
        'argocd.argoproj.io/hook': 'Sync',
        'argocd.argoproj.io/sync-wave': '-1',
      }),
    );
    expect(OPERATIONS_DOC).toContain('herald.dev/stage=migrate');
  });

  it('scales each consumer app on lag with one KEDA trigger per (consumer group, topic) it consumes', () => {
    const scaled = byKind<ScaledObject>(objects, 'ScaledObject');
    const topics = byKind<KafkaTopic>(objects, 'KafkaTopic');
    const partitionsOf = (t: string) =>
      topics.find((k) => (k.spec.topicName ?? k.metadata.name) === t)?.spec.partitions ?? 0;
    const byTopic = (a: { topic?: string }, b: { topic?: string }) =>
      String(a.topic).localeCompare(String(b.topic));
    const actual: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [service, { deployment, resolved, app }] of apps) {
      const mine = scaled.filter((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
      const triggers = mine.flatMap((so) => so.spec.triggers);
      actual[service] = {
        scaledObjects: mine.length,
        triggers: triggers
          .map((t) => ({
            type: t.type,
            group: t.metadata.consumerGroup,
            topic: t.metadata.topic,
            bootstrap: t.metadata.bootstrapServers,
          }))
          .sort(byTopic),
      };
      expected[service] = {
        scaledObjects: app.consumers.length > 0 ? 1 : 0,
        triggers: app.consumers
          .map((c) => ({
            type: 'kafka',
            group: c.group,
            topic: c.physicalTopic,
            bootstrap: resolved.env.KAFKA_BROKERS,
          }))
          .sort(byTopic),
      };
      if (mine.length !== 1) continue;
      const so = mine[0];
      expect(triggers.every((t) => Number(t.metadata.lagThreshold) > 0)).toBe(true);
      // Never to zero (the apps' own timers and health), never past the partitions.
      expect(so.spec.minReplicaCount ?? 0).toBeGreaterThanOrEqual(1);
      const maxPartitions = Math.max(...app.consumers.map((c) => partitionsOf(c.physicalTopic)));
      expect({ service, max: so.spec.maxReplicaCount! <= maxPartitions }).toEqual({
        service,
        max: true,
      });
      // The autoscaler owns the count: a replicas field would be reset on every apply.
      expect({ service, replicas: deployment.spec.replicas }).toEqual({
        service,
        replicas: undefined,
      });
    }
    expect(actual).toEqual(expected);
    expect(
      Object.values(expected).some((e) => (e as { scaledObjects: number }).scaledObjects > 0),
    ).toBe(true);
  });

  it('scales the gateway on CPU with an HPA, behind a Service and an Ingress', () => {
    const gateway = apps.get('gateway')!;
    const hpas = byKind<Hpa>(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef)).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.deployment.metadata.name },
    ]);
    expect(hpas[0].spec.metrics).toEqual([
      expect.objectContaining({
        type: 'Resource',
        resource: expect.objectContaining({ name: 'cpu' }),
      }),
    ]);
    expect(gateway.deployment.spec.replicas).toBeUndefined();
    const ingress = byKind<
      K8sObject & {
        spec: {
          rules: Array<{
            http: {
              paths: Array<{ backend: { service: { name: string; port: { name?: string } } } }>;
            };
          }>;
        };
      }
    >(objects, 'Ingress');
    expect(ingress).toHaveLength(1);
    const backend = ingress[0].spec.rules[0].http.paths[0].backend.service;
    const service = named<Service>(objects, 'Service', backend.name);
    expect(
      selects(
        { matchLabels: service.spec.selector },
        gateway.deployment.spec.template.metadata.labels,
      ),
    ).toBe(true);
    expect(service.spec.ports.map((p) => p.name)).toContain(backend.port.name);
  });

  it('has a KafkaTopic for every contract topic, its .dlq twin and every retry topic a consumer reads', () => {
    const topics = byKind<KafkaTopic>(objects, 'KafkaTopic');
    const common = apps.get('gateway')!.resolved.env;
    const prefix = common.HERALD_TOPIC_PREFIX ?? '';
    const consumed = [...apps.values()].flatMap(({ app }) =>
      app.consumers.map((c) => c.physicalTopic),
    );
    // The audience's dead-letter ledger reads the `.dlq` twins: they are neither contract nor retry topics.
    const dlqTopics = new Set(ALL_TOPICS.map((t) => prefix + dlqTopicOf(t)));
    const retryTopics = consumed.filter(
      (t) =>
        !ALL_TOPICS.includes(t.slice(prefix.length) as (typeof ALL_TOPICS)[number]) &&
        !dlqTopics.has(t),
    );
    expect(retryTopics.length).toBeGreaterThan(0);
    expect(retryTopics.every((t) => /\.retry\.[^.]+$/.test(t))).toBe(true);
    const expected = new Set([
      ...ALL_TOPICS.map((t) => prefix + t),
      ...ALL_TOPICS.map((t) => prefix + dlqTopicOf(t)),
      ...consumed,
    ]);
    expect(topics.map((t) => t.spec.topicName ?? t.metadata.name).sort()).toEqual(
      [...expected].sort(),
    );
    const minPartitions = Math.min(...topics.map((t) => t.spec.partitions));
    for (const t of topics) {
      const where = t.metadata.name;
      expect({
        where,
        replicas: t.spec.replicas,
        minIsr: String(t.spec.config?.['min.insync.replicas']),
      }).toEqual({ where, replicas: 3, minIsr: '2' });
      expect({ where, cluster: t.metadata.labels?.['strimzi.io/cluster'] }).toEqual({
        where,
        cluster: kafkaName,
      });
      // Settings the code gives the topics it creates (e.g. larger messages for hook requests).
      const required = topicConfigsOf((t.spec.topicName ?? t.metadata.name).slice(prefix.length));
      const declared = Object.fromEntries(
        Object.keys(required).map((k) => [k, String(t.spec.config?.[k])]),
      );
      expect({ where, config: declared }).toEqual({ where, config: required });
    }
    // A consumer that starts before the Topic Operator creates its topics itself: with no more
    // partitions than any KafkaTopic declares (they can only be raised) and the same replication.
    for (const [service, { app }] of apps) {
      expect({ service, partitions: app.config.KAFKA_TOPIC_PARTITIONS <= minPartitions }).toEqual({
        service,
        partitions: true,
      });
      expect({ service, replication: app.config.KAFKA_REPLICATION_FACTOR }).toEqual({
        service,
        replication: 3,
      });
    }
  });

  it('runs Kafka in KRaft mode on node pools with enough brokers, and the apps and KEDA reach its bootstrap', () => {
    const kafka = named<
      K8sObject & {
        spec: {
          kafka: {
            listeners: Array<{
              name: string;
              port: number;
              tls: boolean;
              authentication?: { type: string };
              networkPolicyPeers?: Array<Record<string, unknown>>;
            }>;
            config?: Record<string, unknown>;
          };
        };
      }
    >(objects, 'Kafka', kafkaName);
    expect(kafka.metadata.annotations).toEqual(
      expect.objectContaining({
        'strimzi.io/kraft': 'enabled',
        'strimzi.io/node-pools': 'enabled',
      }),
    );
    const pools = byKind<K8sObject & { spec: { replicas: number; roles: string[] } }>(
      objects,
      'KafkaNodePool',
    ).filter((p) => p.metadata.labels?.['strimzi.io/cluster'] === kafkaName);
    const count = (role: string) =>
      pools.filter((p) => p.spec.roles.includes(role)).reduce((n, p) => n + p.spec.replicas, 0);
    expect(count('controller') % 2).toBe(1);
    expect(count('broker')).toBeGreaterThanOrEqual(
      Math.max(...byKind<KafkaTopic>(objects, 'KafkaTopic').map((t) => t.spec.replicas)),
    );
    expect(kafka.spec.kafka.config?.['auto.create.topics.enable']).toBe(false);
    // Every listener is TLS with SCRAM: no client reaches Kafka without a KafkaUser.
    expect(
      kafka.spec.kafka.listeners.map((l) => ({ tls: l.tls, auth: l.authentication?.type })),
    ).toEqual(kafka.spec.kafka.listeners.map(() => ({ tls: true, auth: 'scram-sha-512' })));
    const listener = kafka.spec.kafka.listeners[0];
    for (const [service, { resolved }] of apps) {
      expect({ service, brokers: resolved.env.KAFKA_BROKERS }).toEqual({
        service,
        brokers: `${kafkaName}-kafka-bootstrap:${listener.port}`,
      });
    }
    const herald = apps.get('gateway')!.deployment.spec.template.metadata.labels;
    expect(
      listener.networkPolicyPeers?.some((peer) => selects(peer.podSelector as never, herald)),
    ).toBe(true);
  });

  it('runs PostgreSQL 15 on CloudNativePG, whose app Secret is DATABASE_URL, with connections for every pod at its maximum', () => {
    expect(cnpg.spec.imageName).toMatch(/:15(\.|$)/);
    const scaled = byKind<ScaledObject>(objects, 'ScaledObject');
    const hpas = byKind<Hpa>(objects, 'HorizontalPodAutoscaler');
    let connections = 1; // the migration Job: runMigrations opens one connection
    for (const [service, { deployment, resolved, app }] of apps) {
      expect({
        service,
        ref: resolved.secretRefs.find((r) => r.variable === 'DATABASE_URL'),
      }).toEqual({
        service,
        ref: expect.objectContaining({ secret: `${cnpg.metadata.name}-app`, key: 'uri' }),
      });
      const name = deployment.metadata.name;
      const max =
        scaled.find((s) => s.spec.scaleTargetRef.name === name)?.spec.maxReplicaCount ??
        hpas.find((h) => h.spec.scaleTargetRef.name === name)?.spec.maxReplicas ??
        deployment.spec.replicas ??
        1;
      connections += max * app.config.DATABASE_POOL_SIZE;
    }
    expect(connections).toBeLessThanOrEqual(
      Number(cnpg.spec.postgresql?.parameters?.max_connections ?? 100) - 10,
    );
  });

  it('takes every Secret from the overlay, from CloudNativePG, or from the operator as docs/operations.md says', () => {
    const refs = [...apps.values()]
      .flatMap((a) => a.resolved.secretRefs)
      .filter((r) => !r.rendered);
    for (const ref of refs) {
      if (ref.secret === `${cnpg.metadata.name}-app`) continue;
      expect({
        secret: ref.secret,
        documented: OPERATIONS_DOC.includes(ref.secret) && OPERATIONS_DOC.includes(ref.key),
      }).toEqual({ secret: ref.secret, documented: true });
    }
  });

  it('protects every Deployment with a PodDisruptionBudget that still lets a node drain', () => {
    const pdbs = byKind<
      K8sObject & {
        spec: {
          maxUnavailable?: number | string;
          minAvailable?: unknown;
          selector: { matchLabels: Record<string, string> };
        };
      }
    >(objects, 'PodDisruptionBudget');
    for (const d of deployments) {
      const mine = pdbs.filter((p) => selects(p.spec.selector, d.spec.template.metadata.labels));
      expect({ deployment: d.metadata.name, pdbs: mine.length }).toEqual({
        deployment: d.metadata.name,
        pdbs: 1,
      });
      expect(mine[0].spec.maxUnavailable).toBe(1);
      expect(mine[0].spec.minAvailable).toBeUndefined();
    }
  });

  it('default-denies every Herald pod and lets it reach only DNS, Kafka, PostgreSQL and what it calls', () => {
    const policies = byKind<NetworkPolicy>(objects, 'NetworkPolicy');
    const kafkaPod = { 'strimzi.io/cluster': kafkaName, 'strimzi.io/kind': 'Kafka' };
    const pgPod = { 'cnpg.io/cluster': cnpg.metadata.name };
    const kafkaPort = named<
      K8sObject & { spec: { kafka: { listeners: Array<{ tls: boolean; port: number }> } } }
    >(objects, 'Kafka', kafkaName).spec.kafka.listeners[0].port;
    const egressTo = (pod: Record<string, string>, target: Record<string, string>, port: number) =>
      policies.some(
        (p) =>
          p.spec.policyTypes.includes('Egress') &&
          selects(p.spec.podSelector, pod) &&
          (p.spec.egress ?? []).some(
            (rule) =>
              (rule.to ?? []).some((peer) => selects(peer.podSelector, target)) &&
              (rule.ports ?? []).some((x) => x.port === port),
          ),
      );
    for (const w of [...deployments, ...byKind<Workload>(objects, 'Job')]) {
      const labels = w.spec.template.metadata.labels;
      const where = w.metadata.name;
      const deny = policies.filter(
        (p) =>
          selects(p.spec.podSelector, labels) &&
          p.spec.policyTypes.includes('Ingress') &&
          p.spec.policyTypes.includes('Egress') &&
          !p.spec.ingress &&
          !p.spec.egress,
      );
      expect({ where, defaultDeny: deny.length }).toEqual({ where, defaultDeny: 1 });
      const command = commandOf(containerOf(w));
      if (command[1] !== LAUNCHER) continue;
      expect({
        where,
        kafka: egressTo(labels, kafkaPod, kafkaPort),
        postgres: egressTo(labels, pgPod, 5432),
      }).toEqual({ where, kafka: true, postgres: true });
    }
    for (const [service, { deployment }] of apps) {
      const labels = deployment.spec.template.metadata.labels;
      const scrape = policies.some(
        (p) =>
          selects(p.spec.podSelector, labels) &&
          (p.spec.ingress ?? []).some(
            (r) =>
              (r.from ?? []).some((f) => 'namespaceSelector' in f) &&
              (r.ports ?? []).some((x) => x.port === 'http'),
          ),
      );
      expect({ service, scrape }).toEqual({ service, scrape: true });
    }
    // The gateway takes its public traffic from the ingress controller (k8s-security checks that
    // nothing else gets in).
    const gateway = apps.get('gateway')!.deployment.spec.template.metadata.labels;
    expect(
      policies.some(
        (p) =>
          selects(p.spec.podSelector, gateway) &&
          (p.spec.ingress ?? []).some(
            (r) =>
              (r.from ?? []).some((f) =>
                selects(f.podSelector as never, { 'app.kubernetes.io/name': 'ingress-nginx' }),
              ) && (r.ports ?? []).some((x) => x.port === 'http'),
          ),
      ),
    ).toBe(true);
  });

  it('scrapes GET /metrics on every app through one ServiceMonitor', () => {
    const monitors = byKind<
      K8sObject & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          endpoints: Array<{ port: string; path: string }>;
        };
      }
    >(objects, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const monitor = monitors[0];
    const services = byKind<Service>(objects, 'Service');
    for (const [service, { deployment, app }] of apps) {
      // The gateway's metrics are on its internal Service, the public one has none.
      const svc = services.find(
        (s) =>
          selects({ matchLabels: s.spec.selector }, deployment.spec.template.metadata.labels) &&
          selects(monitor.spec.selector, s.metadata.labels),
      )!;
      expect({ service, selected: selects(monitor.spec.selector, svc.metadata.labels) }).toEqual({
        service,
        selected: true,
      });
      for (const endpoint of monitor.spec.endpoints) {
        expect(svc.spec.ports.map((p) => p.name)).toContain(endpoint.port);
        expect({ service, routes: app.getRoutes.has(endpoint.path) }).toEqual({
          service,
          routes: true,
        });
      }
    }
  });

  it('ships a Grafana dashboard that queries only metrics the code exports', () => {
    const maps = byKind<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap').filter(
      (m) => m.metadata.labels?.grafana_dashboard === '1',
    );
    expect(maps).toHaveLength(1);
    const [json] = Object.values(maps[0].data);
    const dashboard = JSON.parse(json) as {
      panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b(herald_[a-z0-9_]+)/g)].map((m) =>
          m[1].replace(/_(bucket|sum|count)$/, ''),
        ),
      ),
    );
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults, prefix: 'herald_' });
    const known = new Set([
      ...defaults.getMetricsAsArray().map((m) => m.name),
      ...definedMetricNames(),
      ...PENDING_METRICS,
    ]);
    expect([...used].filter((name) => !known.has(name))).toEqual([]);
  });

  it('alerts on dead letters and on a consumer whose lag does not move, with metrics the code exports', () => {
    const rules = byKind<
      K8sObject & { spec: { groups: Array<{ rules: Array<{ alert?: string; expr: string; for?: string }> }> } }
    >(objects, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
    const alert = (name: string) => rules.find((r) => r.alert === name);
    const deadLetters = alert('HeraldDeadLetters');
    expect(deadLetters?.expr).toMatch(/rate\(herald_dead_letters_total\[10m\]\)\) > 0/);
    const stuck = alert('HeraldConsumerLagStuck');
    expect(stuck?.expr).toContain('herald_kafka_consumer_lag) > 0');
    expect(stuck?.expr).toMatch(/changes\(herald_kafka_consumer_lag\[10m\]\)\) == 0/);
    const exported = new Set(definedMetricNames());
    const used = rules.flatMap((r) => [...r.expr.matchAll(/\b(herald_[a-z0-9_]+)/g)].map((m) => m[1]));
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    expect(OPERATIONS_DOC).toContain('HeraldDeadLetters');
    expect(OPERATIONS_DOC).toContain('HeraldConsumerLagStuck');
  });

  it('when the provider sandbox is deployed, points the gateway at it and probes its real routes', async () => {
    const sandbox = deployments.find(
      (d) => commandOf(containerOf(d)).join(' ') === `node ${SANDBOX_MAIN}`,
    );
    const gatewayEnv = apps.get('gateway')!.resolved.env;
    const perType = ['PROVIDER_BASE_URL_WHATSAPP', 'PROVIDER_BASE_URL_SMS', 'PROVIDER_BASE_URL_MESSENGER'];
    if (!sandbox) {
      // Real providers, over TLS, for every channel type.
      for (const name of ['PROVIDER_DEFAULT_BASE_URL', ...perType])
        expect({ name, value: gatewayEnv[name] ?? gatewayEnv.PROVIDER_DEFAULT_BASE_URL }).toEqual({
          name,
          value: expect.stringMatching(/^https:\/\//),
        });
      expect(gatewayEnv.PROVIDER_BASE_URL_SMS).toMatch(/twilio/);
      return;
    }
    const container = containerOf(sandbox);
    const { env, set } = envOf(container);
    const unknown = set.filter((v) => sandboxSettingOf(v) === undefined && !(v in imageEnv()));
    expect(unknown).toEqual([]);
    const settings = SandboxConfig.load(env);
    expect(settings.host).toBe('0.0.0.0');
    expect(container.ports?.find((p) => p.name === 'http')?.containerPort).toBe(settings.port);
    const service = byKind<Service>(objects, 'Service').find((s) =>
      selects({ matchLabels: s.spec.selector }, sandbox.spec.template.metadata.labels),
    )!;
    expect(gatewayEnv.PROVIDER_DEFAULT_BASE_URL).toBe(
      `http://${service.metadata.name}:${service.spec.ports[0].port}`,
    );
    // No channel type slips past the sandbox to a real provider.
    for (const name of perType)
      expect({ name, value: gatewayEnv[name] || gatewayEnv.PROVIDER_DEFAULT_BASE_URL }).toEqual({
        name,
        value: gatewayEnv.PROVIDER_DEFAULT_BASE_URL,
      });
    const app = await createSandboxApp({ logger: false });
    try {
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        const response = await app.inject({ method: 'GET', url: probe!.httpGet!.path });
        expect({ path: probe!.httpGet!.path, status: response.statusCode }).toEqual({
          path: probe!.httpGet!.path,
          status: 200,
        });
      }
    } finally {
      await app.close();
    }
  });

  it('keeps the apps within their memory limits with room for the Node heap', () => {
    for (const [service, { container, resolved }] of apps) {
      const limitMi = quantityMi(container.resources!.limits!.memory);
      expect({ service, limitMi: limitMi >= 256 }).toEqual({ service, limitMi: true });
      // The V8 heap is set, and at most half the limit: the young generation, code and buffers
      // take the rest (docs/benchmark.md measures the peaks).
      const heapMb = Number(
        /--max-old-space-size=(\d+)/.exec(resolved.env.NODE_OPTIONS ?? '')?.[1],
      );
      expect({
        service,
        heapMb: Number.isInteger(heapMb) && heapMb > 0 && heapMb <= limitMi / 2,
      }).toEqual({
        service,
        heapMb: true,
      });
    }
  });
});

/** Series a dashboard may use before the code registers them (none at present). */
const PENDING_METRICS: string[] = [];

/** Metric names the code registers (libs/ and apps/), e.g. registry.counter('herald_…'). */
function definedMetricNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        for (const m of readFileSync(full, 'utf8').matchAll(
          /\.(?:counter|gauge|histogram|summary)\(\s*'(herald_[a-z0-9_]+)'/g,
        ))
          names.add(m[1]);
        for (const m of readFileSync(full, 'utf8').matchAll(/name:\s*'(herald_[a-z0-9_]+)'/g))
          names.add(m[1]);
      }
    }
  };
  walk(path.join(REPO_ROOT, 'libs'));
  walk(path.join(REPO_ROOT, 'apps'));
  return [...names];
}
