// What a service tells @herald/kafka about its cluster, and the defaults every service shares.
import type { KafkaConfig } from 'kafkajs';

/** How a client proves itself to the brokers and checks them: TLS and SASL (KAFKA_SSL*, KAFKA_SASL_*). */
export interface KafkaSecurity {
  /** TLS to the brokers: `true` trusts the system CAs; PEM contents for a private CA or a client certificate. */
  ssl?: boolean | { ca?: string; cert?: string; key?: string };
  /** SASL credentials; SCRAM never sends the password itself. */
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
}

export interface KafkaOptions extends KafkaSecurity {
  /** The service name, e.g. 'audience'; also the CloudEvents source `/herald/<clientId>`. */
  clientId: string;
  brokers: string[];
  /** Physical topic = prefix + logical name (HERALD_TOPIC_PREFIX); isolates tests and shared clusters. */
  topicPrefix?: string;
  /** Consumer-group base, default `herald-<clientId>`; a handler's group is `<prefix><groupId>.<logical topic>`. */
  groupId?: string;
  /** Partitions of topics created by ensureTopics, default 6. */
  defaultPartitions?: number;
  /** Replication factor of created topics, default 1 (one local broker). */
  replicationFactor?: number;
  /** Consumer session timeout, default 30000 (the broker's minimum is 6000). */
  sessionTimeoutMs?: number;
  /** Tries a record gets when its processing fails while the dependencies are up, default 5. */
  recordAttempts?: number;
  /** First wait before a failed record is tried again (then ×3, at most 60 s), default 2000. */
  recordRetryBaseMs?: number;
}

export const KAFKA_OPTIONS = Symbol('HERALD_KAFKA_OPTIONS');

export interface ResolvedKafkaOptions extends KafkaSecurity {
  clientId: string;
  brokers: string[];
  topicPrefix: string;
  groupId: string;
  defaultPartitions: number;
  replicationFactor: number;
  sessionTimeoutMs: number;
  recordAttempts: number;
  recordRetryBaseMs: number;
}

export function resolveKafkaOptions(options: KafkaOptions): ResolvedKafkaOptions {
  if (!options.clientId) throw new Error('KafkaOptions.clientId is required');
  if (!options.brokers?.length)
    throw new Error('KafkaOptions.brokers needs at least one host:port');
  return {
    clientId: options.clientId,
    brokers: options.brokers,
    topicPrefix: options.topicPrefix ?? '',
    groupId: options.groupId ?? `herald-${options.clientId}`,
    defaultPartitions: options.defaultPartitions ?? 6,
    replicationFactor: options.replicationFactor ?? 1,
    sessionTimeoutMs: Math.max(options.sessionTimeoutMs ?? 30_000, 6_000),
    recordAttempts: Math.max(1, options.recordAttempts ?? 5),
    recordRetryBaseMs: Math.max(10, options.recordRetryBaseMs ?? 2_000),
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
  };
}

/** The kafkajs settings of `security`, for every client a service opens (its own, the readiness probe's). */
export function kafkaClientSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(security.ssl ? { ssl: security.ssl } : {}),
    // kafkajs's SASLOptions is a union by mechanism literal; ours is the same shape.
    ...(security.sasl ? { sasl: security.sasl as KafkaConfig['sasl'] } : {}),
  };
}

/** KAFKA_BROKERS (comma-separated), default 127.0.0.1:9092 (not `localhost`: Node may try ::1 first). */
export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092';
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
