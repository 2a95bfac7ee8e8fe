// Validates a rendered object against its schema: Kubernetes' own kinds and KEDA's and the
// Prometheus Operator's through the kubernetes-models packages, Strimzi's and CloudNativePG's
// through crd-schemas.ts. An object of any other kind has no schema and is refused.
import { Ajv, type ValidateFunction } from 'ajv';
import { CRD_SCHEMAS } from './crd-schemas.js';
import type { K8sObject } from './kustomize.js';

interface Model {
  new (data: unknown): { validate(): void };
}

/** kubernetes-models module of an apiVersion ("apps/v1", "v1", "keda.sh/v1alpha1"…). */
function modelModule(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'monitoring.coreos.com')
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  if (
    group === '' ||
    group === 'apps' ||
    group === 'batch' ||
    group === 'autoscaling' ||
    group === 'policy' ||
    group.endsWith('.k8s.io')
  ) {
    return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  }
  return undefined;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const crdValidators = new Map<string, ValidateFunction>(
  Object.entries(CRD_SCHEMAS).map(([key, schema]) => [key, ajv.compile(schema)]),
);

/** Problems of one object ([] when valid). */
export async function schemaProblems(object: K8sObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name}`;
  const crd = crdValidators.get(`${object.apiVersion}/${object.kind}`);
  if (crd) {
    return crd(object)
      ? []
      : (crd.errors ?? []).map(
          (e) =>
            `${where}: ${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
        );
  }
  const specifier = modelModule(object.apiVersion);
  const model = specifier
    ? ((await import(specifier).catch(() => ({}))) as Record<string, Model | undefined>)[
        object.kind
      ]
    : undefined;
  if (!model) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** The API server's naming rules, which the OpenAPI schemas do not carry. */
export function nameProblems(object: K8sObject): string[] {
  const { name, labels = {} } = object.metadata;
  const problems: string[] = [];
  const rule = object.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!rule.test(name)) problems.push(`${object.kind}/${name}: invalid name`);
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_VALUE.test(value))
      problems.push(`${object.kind}/${name}: label ${key}=${value} is not a valid label value`);
  }
  return problems;
}
