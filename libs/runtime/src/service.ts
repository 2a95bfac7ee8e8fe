// Boots one Herald service: config-driven core modules, Fastify HTTP (health and, for the
// gateway, the APIs), contract topics, and the Kafka transport for its @EventPattern handlers.
import type { DynamicModule, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { HeraldKafkaServer, KafkaModule, TopicAdmin } from '@herald/kafka';
import {
  ObservabilityModule,
  JsonLogger,
  MetricsRegistry,
  TextLogger,
  instrumentHttp,
} from '@herald/observability';
import { PersistenceModule } from '@herald/persistence';
import type { BaseConfig } from './config.js';
import { kafkaSecurityOf } from './kafka-security.js';
import { HealthModule } from './health.module.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The modules every service imports: Kafka, PostgreSQL and health routes. */
export function coreImports(service: string, config: BaseConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      clientId: service,
      brokers: config.brokers,
      topicPrefix: config.HERALD_TOPIC_PREFIX,
      groupId: `herald-${service}`,
      defaultPartitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      ...kafkaSecurityOf(config).security,
      recordAttempts: config.KAFKA_RECORD_ATTEMPTS,
      recordRetryBaseMs: config.KAFKA_RECORD_RETRY_BASE_MS,
    }),
    PersistenceModule.forRoot({
      name: service,
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      encryptionKey: config.HERALD_ENCRYPTION_KEY,
    }),
    { module: HealthModule, global: false },
    ObservabilityModule.forRoot(service),
  ];
}

export function createLogger(service: string, config: BaseConfig): LoggerService {
  if (config.LOG_FORMAT === 'json') return new JsonLogger(service, config.LOG_LEVEL as LogLevel);
  // Both formats scrub secrets (tokens, hook keys, credentials) from every line.
  return new TextLogger(service, {
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL as LogLevel) + 1),
  });
}

export interface StartServiceOptions {
  service: string;
  module: DynamicModule;
  config: BaseConfig;
  port: number;
  /** Whether the service has @EventPattern handlers to connect to Kafka. */
  consumes: boolean;
  bodyLimit?: number;
  /** Fastify's handler of the errors its router raises before any route runs. */
  frameworkErrors?: FastifyServerOptions['frameworkErrors'];
  /** Fastify's handler of requests Node's HTTP parser refuses (headers too large, not HTTP). */
  clientErrorHandler?: FastifyServerOptions['clientErrorHandler'];
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

export async function startService(options: StartServiceOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const app = await NestFactory.create<NestFastifyApplication>(
    options.module,
    new FastifyAdapter({
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      trustProxy: true,
      ...(options.frameworkErrors ? { frameworkErrors: options.frameworkErrors } : {}),
      ...(options.clientErrorHandler ? { clientErrorHandler: options.clientErrorHandler } : {}),
    }),
    { logger: createLogger(options.service, config) },
  );
  app.enableShutdownHooks();
  instrumentHttp(app, app.get(MetricsRegistry));
  await options.configure?.(app);
  if (config.KAFKA_CREATE_TOPICS === 'true') await app.get(TopicAdmin).ensureContractTopics();
  if (options.consumes) {
    app.connectMicroservice({ strategy: app.get(HeraldKafkaServer) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(options.port, config.HOST);
  return app;
}
