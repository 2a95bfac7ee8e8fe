// What a service tells @herald/kafka about its cluster, and the defaults every service shares.
export interface KafkaOptions {
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

export interface ResolvedKafkaOptions {
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
  if (!options.brokers?.length) throw new Error('KafkaOptions.brokers needs at least one host:port');
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
