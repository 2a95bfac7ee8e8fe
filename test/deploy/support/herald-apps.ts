// What the code says about each deployable app, read from the code itself: the launcher
// (apps/herald/src/services.ts) is run exactly as the container runs it, with only
// `startService` replaced so that nothing listens or connects. What the launcher would have
// started (config, port, Nest module) is captured and inspected: the config class and its
// variables, the HTTP routes, the Kafka topics and consumer groups.
import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { DynamicModule, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { Logger, RequestMethod } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runtime = await import('@herald/runtime');
// The launcher's modules log as they are built (e.g. one data source per launch): not news here.
Logger.overrideLogger(['error']);
type StartServiceOptions = Parameters<typeof runtime.startService>[0];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const started: StartServiceOptions[] = [];
jest.unstable_mockModule('@herald/runtime', () => ({
  ...runtime,
  startService: (options: StartServiceOptions) => {
    started.push(options);
    return Promise.resolve({ close: () => Promise.resolve() });
  },
}));

const { SERVICE_NAMES, startServices } = await import('../../../apps/herald/src/services.js');
const { KAFKA_OPTIONS, KafkaConnection } = await import('@herald/kafka');
const { SandboxConfig } = await import('../../../apps/provider-sandbox/src/sandbox.config.js');
const { createSandboxApp } = await import('../../../apps/provider-sandbox/src/bootstrap.js');

// Spec files import the code through this module only: a static import of an app or of
// @herald/delivery-core elsewhere would load it before the mock and start a real service.
export { SERVICE_NAMES, SandboxConfig, createSandboxApp };
export const { BaseConfig, loadConfig } = runtime;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type Env = Record<string, string | undefined>;

export interface ConsumedTopic {
  /** Logical topic, as in @EventPattern. */
  topic: string;
  /** Physical topic: HERALD_TOPIC_PREFIX + topic. */
  physicalTopic: string;
  /** The handler's consumer group (KafkaConnection.groupOf). */
  group: string;
}

export interface HeraldApp {
  service: ServiceName;
  /** The validated config the app would run with. */
  config: InstanceType<typeof runtime.BaseConfig> & { PORT: number };
  /** Its config class: the variables the app reads are exactly its instance's keys (loadConfig). */
  configClass: new () => object;
  port: number;
  /** `GET /health/live`, …: every GET route of the app's module tree. */
  getRoutes: Set<string>;
  /** Topics consumed and their groups (empty when the app does not consume). */
  consumers: ConsumedTopic[];
}

/** Variables a config class reads: exactly what loadConfig looks up. */
export function configVariables(configClass: new () => object): string[] {
  return Object.keys(new configClass());
}

/** Boots `service` through the real launcher with `env` (nothing listens) and reports what it would run. */
export async function launch(service: ServiceName, env: Env): Promise<HeraldApp> {
  started.length = 0;
  await startServices([service], env);
  const options = started[0];
  if (!options || started.length !== 1)
    throw new Error(`the launcher started ${started.length} services for ${service}`);
  const config = options.config as HeraldApp['config'];
  const { controllers, providers } = walkModule(options.module);
  const kafkaOptions = providers.find((p) => p.provide === KAFKA_OPTIONS)?.useValue;
  if (!kafkaOptions) throw new Error(`${service}: no Kafka options in its module tree`);
  const connection = new KafkaConnection(
    kafkaOptions as ConstructorParameters<typeof KafkaConnection>[0],
  );
  const topics = options.consumes ? controllers.flatMap(eventPatternsOf) : [];
  return {
    service,
    config,
    configClass: config.constructor as new () => object,
    port: options.port,
    getRoutes: new Set(controllers.flatMap(getRoutesOf)),
    consumers: [...new Set(topics)].map((topic) => ({
      topic,
      physicalTopic: connection.physical(topic),
      group: connection.groupOf(topic),
    })),
  };
}

interface ProviderLike {
  provide?: unknown;
  useValue?: unknown;
}

function walkModule(root: DynamicModule | Type<unknown>): {
  controllers: Type<unknown>[];
  providers: ProviderLike[];
} {
  const controllers = new Set<Type<unknown>>();
  const providers: ProviderLike[] = [];
  const seen = new Set<unknown>();
  const visit = (entry: unknown): void => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const dynamic =
      typeof entry === 'object' && 'module' in entry ? (entry as DynamicModule) : undefined;
    const moduleClass = (dynamic ? dynamic.module : entry) as Type<unknown>;
    const meta = <T>(key: string): T[] =>
      (Reflect.getMetadata(key, moduleClass) as T[] | undefined) ?? [];
    for (const c of [...meta<Type<unknown>>('controllers'), ...(dynamic?.controllers ?? [])])
      controllers.add(c);
    for (const p of [
      ...meta<ProviderLike>('providers'),
      ...((dynamic?.providers ?? []) as ProviderLike[]),
    ]) {
      if (typeof p === 'object') providers.push(p);
    }
    for (const i of [...meta<unknown>('imports'), ...(dynamic?.imports ?? [])]) visit(i);
  };
  visit(root);
  return { controllers: [...controllers], providers };
}

function handlersOf(controller: Type<unknown>): Array<(...args: unknown[]) => unknown> {
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor')
    .map((name) => Object.getOwnPropertyDescriptor(proto, name)?.value as unknown)
    .filter((fn): fn is (...args: unknown[]) => unknown => typeof fn === 'function');
}

function joinPath(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .flatMap((p) => (Array.isArray(p) ? (p[0] ?? '') : (p ?? '')))
    .flatMap((p) => p.split('/'));
  return `/${segments.filter(Boolean).join('/')}`;
}

function getRoutesOf(controller: Type<unknown>): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
  return handlersOf(controller)
    .filter((fn) => Reflect.getMetadata(METHOD_METADATA, fn) === RequestMethod.GET)
    .map((fn) =>
      joinPath(base, Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined),
    );
}

function eventPatternsOf(controller: Type<unknown>): string[] {
  return handlersOf(controller)
    .flatMap((fn) => (Reflect.getMetadata(PATTERN_METADATA, fn) as unknown[] | undefined) ?? [])
    .map(String);
}

/**
 * The sandbox's SANDBOX_* variable names are private to its config; a variable is one of them
 * when setting it changes the loaded settings (or is refused as invalid).
 */
export function sandboxSettingOf(name: string): string | undefined {
  const base = SandboxConfig.load({}) as unknown as Record<string, unknown>;
  let loaded: Record<string, unknown>;
  try {
    loaded = SandboxConfig.load({ [name]: 'zz-probe' }) as unknown as Record<string, unknown>;
  } catch (error) {
    const match = new RegExp(`\\b${name}\\b`).test((error as Error).message);
    if (!match) throw error;
    // Refused: numeric. Find which setting it feeds with a valid number.
    loaded = SandboxConfig.load({ [name]: '123' }) as unknown as Record<string, unknown>;
  }
  return Object.keys(base).find((key) => loaded[key] !== base[key]);
}

/**
 * Variables the code reads straight from process.env rather than through a config class (the
 * OpenTelemetry SDK's standard OTEL_* ones). A manifest may set these too.
 */
export function directlyReadVariables(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        for (const m of readFileSync(full, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g))
          names.add(m[1]);
      }
    }
  };
  for (const top of ['apps', 'libs']) walk(path.join(ROOT, top));
  return [...names].sort();
}
