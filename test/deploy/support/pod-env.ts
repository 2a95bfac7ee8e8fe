// The environment a rendered container gets: the image's ENV, then envFrom ConfigMaps/Secrets,
// then env entries, each resolved from the rendered objects. Secrets the overlay does not
// render (CloudNativePG's, or the operator's own) get a realistic stand-in value.
import type { K8sObject } from './kustomize.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; emptyDir?: Record<string, unknown> }>;
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  enableServiceLinks?: boolean;
}

export interface SecretRef {
  variable: string;
  secret: string;
  key: string;
  /** Rendered by the overlay (else it must come from elsewhere). */
  rendered: boolean;
}

export interface ResolvedEnv {
  env: Record<string, string>;
  /** Variables the manifest sets (not the image). */
  set: string[];
  /** Variables set more than once by the manifest. */
  duplicates: string[];
  secretRefs: SecretRef[];
}

export type StandIn = (secret: string, key: string) => string | undefined;

function secretData(secret: K8sObject): Record<string, string> {
  const data = Object.fromEntries(
    Object.entries((secret.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );
  return { ...data, ...((secret.stringData as Record<string, string> | undefined) ?? {}) };
}

export function resolveEnv(
  container: Container,
  objects: K8sObject[],
  imageEnv: Record<string, string>,
  standIn: StandIn,
): ResolvedEnv {
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const env: Record<string, string> = { ...imageEnv };
  const set: string[] = [];
  const secretRefs: SecretRef[] = [];
  const put = (name: string, value: string) => {
    set.push(name);
    env[name] = value;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = find('ConfigMap', source.configMapRef.name);
      if (!map)
        throw new Error(
          `${container.name}: envFrom ConfigMap ${source.configMapRef.name} is not rendered`,
        );
      for (const [k, v] of Object.entries((map.data as Record<string, string> | undefined) ?? {}))
        put(k, v);
    }
    if (source.secretRef) {
      const secret = find('Secret', source.secretRef.name);
      if (!secret)
        throw new Error(
          `${container.name}: envFrom Secret ${source.secretRef.name} is not rendered`,
        );
      for (const [k, v] of Object.entries(secretData(secret))) put(k, v);
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      put(variable.name, variable.value);
    } else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      const value = (find('ConfigMap', name)?.data as Record<string, string> | undefined)?.[key];
      if (value === undefined)
        throw new Error(
          `${container.name}: ${variable.name} refers to ConfigMap ${name} key ${key}, which is not rendered`,
        );
      put(variable.name, value);
    } else if (variable.valueFrom?.secretKeyRef) {
      const { name, key } = variable.valueFrom.secretKeyRef;
      const secret = find('Secret', name);
      const value = secret ? secretData(secret)[key] : standIn(name, key);
      if (secret && value === undefined)
        throw new Error(
          `${container.name}: ${variable.name} refers to key ${key} missing from Secret ${name}`,
        );
      if (value === undefined)
        throw new Error(
          `${container.name}: ${variable.name} refers to Secret ${name}, which is neither rendered nor known`,
        );
      secretRefs.push({ variable: variable.name, secret: name, key, rendered: Boolean(secret) });
      put(variable.name, value);
    } else {
      throw new Error(
        `${container.name}: ${variable.name} has a source these tests do not resolve`,
      );
    }
  }
  const duplicates = set.filter((name, i) => set.indexOf(name) !== i);
  return { env, set: [...new Set(set)], duplicates, secretRefs };
}
