// deploy/compose/docker-compose.yml as compose reads it: YAML merge keys resolved, and each
// service's environment as its container gets it (the image's ENV, then the service's own,
// with `${NAME:-default}` interpolated as if nothing were set in the shell).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { imageEnv } from './dockerfile.js';
import { REPO_ROOT } from './kustomize.js';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  restart?: string;
}

export const COMPOSE_FILE = path.join(REPO_ROOT, 'deploy/compose/docker-compose.yml');

export function composeServices(): Record<string, ComposeService> {
  return (
    parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
      services: Record<string, ComposeService>;
    }
  ).services;
}

const interpolate = (value: string | number): string =>
  String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

/** The variables the service sets (not the image). */
export function composeSet(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v)]),
  );
}

export function composeEnv(service: ComposeService): Record<string, string> {
  return { ...imageEnv(), ...composeSet(service) };
}

/** The container ports a service publishes. */
export function publishedPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => Number(p.split(':').at(-1)));
}
