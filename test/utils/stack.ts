// Starts the whole Herald pipeline in this process on real Kafka and PostgreSQL, with its own
// topic prefix, plus the provider sandbox on a free port. Services still talk only via Kafka.
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { setupTracing } from '@herald/observability';
import { createSandboxApp } from '../../apps/provider-sandbox/src/bootstrap.js';
import {
  SERVICE_NAMES,
  startServices,
  stopServices,
  type ServiceName,
} from '../../apps/herald/src/services.js';
import { prepareDatabase } from './database.js';
import { testBrokers, testDatabaseUrl, uniquePrefix } from './env.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

/** Quotas no ordinary suite reaches; the tenancy suites set their own. */
export const GENEROUS_QUOTAS = {
  HERALD_QUOTA_HOOK_PER_SECOND: '100000',
  HERALD_QUOTA_CHATFUEL_V2_PER_SECOND: '100000',
  HERALD_QUOTA_CSML_PER_SECOND: '100000',
  HERALD_AUTH_FAILURES_PER_MINUTE: '100000',
};

const shared = globalThis as { heraldTestSpans?: InMemorySpanExporter };

/** The spans this test process finished (tracing is registered once per process). */
export function testSpans(): InMemorySpanExporter {
  if (!shared.heraldTestSpans) {
    shared.heraldTestSpans = new InMemorySpanExporter();
    setupTracing('herald-test', { exporter: shared.heraldTestSpans, immediate: true });
  }
  return shared.heraldTestSpans;
}

export interface Stack {
  gatewayUrl: string;
  sandboxUrl: string;
  prefix: string;
  apps: Map<ServiceName, INestApplication>;
  /** Base URL of one service's HTTP server (health, metrics). */
  urlOf(service: ServiceName): string;
  /**
   * More instances of `services` on this stack's topics, database and sandbox, with its settings
   * (and `env` over them): replicas, or restarts of closed apps. The caller closes them.
   */
  startMore(
    services: ServiceName[],
    env?: NodeJS.ProcessEnv,
  ): Promise<Map<ServiceName, INestApplication>>;
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

function urlOf(app: INestApplication): string {
  const address = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export async function json<T>(response: Response): Promise<{ status: number; body: T }> {
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function startStack(
  services: ServiceName[] = SERVICE_NAMES,
  env: NodeJS.ProcessEnv = {},
): Promise<Stack> {
  await prepareDatabase();
  testSpans();
  const sandbox: NestFastifyApplication = await createSandboxApp();
  await sandbox.listen(0, '127.0.0.1');
  const sandboxUrl = urlOf(sandbox);
  const prefix = uniquePrefix('e2e');
  const settings: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    KAFKA_BROKERS: testBrokers(),
    HERALD_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: '3',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_SIZE: '4',
    HERALD_ADMIN_KEY: ADMIN_KEY,
    PROVIDER_DEFAULT_BASE_URL: sandboxUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SCHEDULER_INTERVAL_MS: '200',
    // Quotas and the failed-auth throttle (issue 11) get their own suites; elsewhere they stay out of the way.
    ...GENEROUS_QUOTAS,
    ...env,
  };
  const anyPort = (names: ServiceName[]) =>
    Object.fromEntries(names.map((s) => [s, 0])) as Record<ServiceName, number>;
  const apps = await startServices(services, settings, anyPort(services));
  const gatewayUrl = apps.has('gateway') ? urlOf(apps.get('gateway')!) : '';
  return {
    gatewayUrl,
    sandboxUrl,
    prefix,
    apps,
    urlOf: (service) => urlOf(apps.get(service)!),
    startMore: (more, extra = {}) => startServices(more, { ...settings, ...extra }, anyPort(more)),
    admin: async <T>(method: string, path: string, body?: unknown) =>
      json<T>(
        await fetch(`${gatewayUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_KEY}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        }),
      ),
    stop: async () => {
      await stopServices(apps);
      await sandbox.close();
    },
  };
}
