// One rendered overlay and what it deploys: for each Herald app its Deployment, the container's
// resolved environment and what the real launcher makes of that environment.
import path from 'node:path';
import { imageEnv } from './dockerfile.js';
import { launch, SERVICE_NAMES, type HeraldApp, type ServiceName } from './herald-apps.js';
import { byKind, kustomizeVersion, OVERLAYS_DIR, render, type K8sObject } from './kustomize.js';
import { resolveEnv, type Container, type PodSpec, type ResolvedEnv } from './pod-env.js';

export const LAUNCHER = 'dist/apps/herald/src/main.js';
export const SANDBOX_MAIN = 'dist/apps/provider-sandbox/src/main.js';

export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

export interface CnpgCluster extends K8sObject {
  spec: {
    instances: number;
    imageName?: string;
    bootstrap?: { initdb?: { database?: string; owner?: string } };
    postgresql?: { parameters?: Record<string, string> };
  };
}

export interface DeployedApp {
  deployment: Workload;
  container: Container;
  resolved: ResolvedEnv;
  app: HeraldApp;
}

export interface Overlay {
  name: string;
  objects: K8sObject[];
  deployments: Workload[];
  apps: Map<ServiceName, DeployedApp>;
  kafkaName: string;
  cnpg: CnpgCluster;
  /** The environment of any container of this overlay (Secrets it does not render get stand-ins). */
  envOf(container: Container): ResolvedEnv;
}

export const containerOf = (w: Workload): Container => w.spec.template.spec.containers[0];
export const commandOf = (c: Container): string[] => [...(c.command ?? []), ...(c.args ?? [])];

export async function loadOverlay(name: string): Promise<Overlay> {
  kustomizeVersion(); // fails first, with the reason, on a kubectl too old for the overlays
  const objects = render(path.join(OVERLAYS_DIR, name));
  const deployments = byKind<Workload>(objects, 'Deployment');
  const cnpg = byKind<CnpgCluster>(objects, 'Cluster')[0];
  const standIn = (secret: string, key: string): string | undefined => {
    if (cnpg && secret === `${cnpg.metadata.name}-app`) {
      // What CloudNativePG puts in the Secret it creates for the application owner.
      const { database = 'app', owner = 'app' } = cnpg.spec.bootstrap?.initdb ?? {};
      const values: Record<string, string> = {
        uri: `postgresql://${owner}:stand-in@${cnpg.metadata.name}-rw:5432/${database}`,
        username: owner,
        password: 'stand-in',
        dbname: database,
      };
      return values[key];
    }
    // Strimzi's cluster CA certificate: a PEM, as KAFKA_SSL_CA reads it.
    if (key.endsWith('.crt')) return `-----BEGIN CERTIFICATE-----\nstand-in-for-${secret}\n-----END CERTIFICATE-----\n`;
    // The operator's own Secrets (documented; a test checks), shaped like the real thing.
    return `stand-in-for-${secret}-${key}-${'x'.repeat(32)}`;
  };
  const envOf = (container: Container) => resolveEnv(container, objects, imageEnv(), standIn);
  const apps = new Map<ServiceName, DeployedApp>();
  for (const service of SERVICE_NAMES) {
    const deployment = deployments.find(
      (d) => commandOf(containerOf(d)).join(' ') === `node ${LAUNCHER} ${service}`,
    );
    if (!deployment) continue;
    const container = containerOf(deployment);
    const resolved = envOf(container);
    apps.set(service, {
      deployment,
      container,
      resolved,
      app: await launch(service, resolved.env),
    });
  }
  return {
    name,
    objects,
    deployments,
    apps,
    kafkaName: byKind(objects, 'Kafka')[0]?.metadata.name ?? '',
    cnpg,
    envOf,
  };
}
