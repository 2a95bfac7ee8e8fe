// Renders the kustomize overlays the way operators do, with `kubectl kustomize`. The overlays
// use Kustomize v5 syntax (`labels`, `patches` with targets), so an older kubectl fails here
// with the reason rather than rendering something else.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OVERLAYS_DIR = path.join(REPO_ROOT, 'deploy/k8s/overlays');
const MIN_KUSTOMIZE_MAJOR = 5;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Every overlay directory under deploy/k8s/overlays. */
export function overlayNames(): string[] {
  return readdirSync(OVERLAYS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function kubectl(args: string[]): string {
  try {
    return execFileSync('kubectl', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed, and the manifest tests render deploy/k8s with `kubectl kustomize`. ' +
          `Install a kubectl with Kustomize v${MIN_KUSTOMIZE_MAJOR} (kubectl 1.27 or newer), e.g. the \`kubectl\` apt package (.ci/run tries it).`,
        { cause: error },
      );
    }
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, {
      cause: error,
    });
  }
}

/** The Kustomize version inside kubectl; fails with the reason when it is too old for the overlays. */
export function kustomizeVersion(): string {
  const version = (
    JSON.parse(kubectl(['version', '--client', '-o', 'json'])) as { kustomizeVersion?: string }
  ).kustomizeVersion;
  const major = Number(/^v?(\d+)\./.exec(version ?? '')?.[1]);
  if (!version || !(major >= MIN_KUSTOMIZE_MAJOR)) {
    throw new Error(
      `kubectl embeds Kustomize ${version ?? '(unknown)'}, but deploy/k8s needs Kustomize v${MIN_KUSTOMIZE_MAJOR} ` +
        "(kubectl 1.27 or newer). Debian's own kubernetes-client package is kubectl 1.20 (Kustomize v2) and cannot render it.",
    );
  }
  return version;
}

/** `kubectl kustomize <dir>`, parsed. */
export function render(dir: string): K8sObject[] {
  const yaml = kubectl(['kustomize', dir]);
  return parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  });
}

export function byKind<T = K8sObject>(objects: K8sObject[], kind: string): Array<T & K8sObject> {
  return objects.filter((o) => o.kind === kind) as Array<T & K8sObject>;
}

export function named<T = K8sObject>(
  objects: K8sObject[],
  kind: string,
  name: string,
): T & K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found as T & K8sObject;
}

/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
export function selects(
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}
