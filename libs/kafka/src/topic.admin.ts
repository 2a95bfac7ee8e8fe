// Creates topics explicitly (the broker does not auto-create) and waits until every partition has
// a leader: on KRaft, createTopics' own wait ends early on transient errors, and subscribing to a
// topic without leaders fails with UNKNOWN_TOPIC_OR_PARTITION (kafkajs #1563, #815, #1618).
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import { ALL_TOPICS, dlqTopicOf, topicConfigsOf } from '@herald/contracts';
import { ErrorCode, HeraldError, describeError } from '@herald/errors';
import { KafkaConnection } from './kafka.connection.js';
import { kafkaClientSecurity } from './kafka.options.js';

export interface TopicSpec {
  /** Logical name; the prefix is applied. */
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

const LEADER_WAIT_MS = 30_000;
const POLL_MS = 100;
const PING_TIMEOUT_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
export class TopicAdmin implements OnApplicationShutdown {
  private readonly logger = new Logger(TopicAdmin.name);
  private connecting?: Promise<Admin>;
  private pingAdmin?: Admin;
  /** Physical topics already known to exist with leaders, so repeated calls cost nothing. */
  private readonly ready = new Set<string>();

  constructor(private readonly connection: KafkaConnection) {}

  /** Creates the missing topics (logical names), then waits until every partition of every one has a leader. Idempotent. */
  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const { defaultPartitions, replicationFactor } = this.connection.options;
    const wanted = new Map<string, ITopicConfig>();
    for (const spec of specs) {
      const topic = this.connection.physical(spec.topic);
      if (this.ready.has(topic) || wanted.has(topic)) continue;
      wanted.set(topic, {
        topic,
        numPartitions: spec.partitions ?? defaultPartitions,
        replicationFactor: spec.replicationFactor ?? replicationFactor,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    }
    if (wanted.size === 0) return;
    const admin = await this.client();
    const existing = new Set(await admin.listTopics());
    const missing = [...wanted.values()].filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      try {
        // Returns false when they all exist already (another process won the race); throws on any other error.
        const created = await admin.createTopics({ topics: missing, waitForLeaders: false });
        if (created) this.logger.log(`Created topic(s) ${missing.map((t) => t.topic).join(', ')}`);
      } catch (error) {
        const errors = (error as { errors?: Array<{ type?: string }> }).errors;
        if (!errors?.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) {
          throw HeraldError.outage(
            ErrorCode.DependencyUnavailable,
            `could not create topic(s) ${missing.map((t) => t.topic).join(', ')}: ${describeError(error)}`,
            error,
          );
        }
      }
    }
    await this.waitForLeaders(admin, [...wanted.keys()]);
    for (const topic of wanted.keys()) this.ready.add(topic);
  }

  /** Every catalog topic and its `.dlq` twin, plus `extra` topics (e.g. retry twins). */
  async ensureContractTopics(extra: string[] = []): Promise<void> {
    const topics = [...ALL_TOPICS, ...ALL_TOPICS.map((t) => dlqTopicOf(t)), ...extra];
    await this.ensureTopics(topics.map((topic) => ({ topic, configs: topicConfigsOf(topic) })));
  }

  /** Readiness: the cluster answers within a few seconds. */
  async ping(): Promise<void> {
    // A client of its own: no retries and no logs, so a probe of a dead cluster ends within the
    // timeout and does not go on reconnecting (and logging) in the background.
    this.pingAdmin ??= new Kafka({
      clientId: `${this.connection.options.clientId}-ping`,
      brokers: this.connection.options.brokers,
      connectionTimeout: 1_000,
      requestTimeout: PING_TIMEOUT_MS,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
      ...kafkaClientSecurity(this.connection.options),
    }).admin();
    const admin = this.pingAdmin;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    const probe = (async () => {
      await admin.connect();
      await admin.describeCluster();
    })();
    probe.catch(() => undefined); // settled through the race below; keep a late failure from going unhandled
    try {
      await Promise.race([probe, timeout]);
    } catch (error) {
      this.pingAdmin = undefined;
      admin.disconnect().catch(() => undefined);
      throw HeraldError.outage(
        ErrorCode.DependencyUnavailable,
        `Kafka is not reachable: ${describeError(error)}`,
        error,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connecting = this.connecting;
    const pingAdmin = this.pingAdmin;
    this.connecting = undefined;
    this.pingAdmin = undefined;
    const admin = await connecting?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await pingAdmin?.disconnect().catch(() => undefined);
  }

  private client(): Promise<Admin> {
    this.connecting ??= (async () => {
      const admin = this.connection.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw HeraldError.outage(
        ErrorCode.DependencyUnavailable,
        `Kafka admin could not connect: ${describeError(error)}`,
        error,
      );
    });
    return this.connecting;
  }

  private async waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      let problem: string;
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        const byName = new Map(metadata.map((t) => [t.name, t]));
        const lagging = topics.filter((name) => {
          const partitions = byName.get(name)?.partitions ?? [];
          return (
            partitions.length === 0 ||
            partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0)
          );
        });
        if (lagging.length === 0) return;
        problem = `no leader yet for ${lagging.join(', ')}`;
      } catch (error) {
        problem = describeError(error);
      }
      if (Date.now() > deadline) {
        throw HeraldError.outage(
          ErrorCode.DependencyUnavailable,
          `topic(s) ${topics.join(', ')} have no leader after ${LEADER_WAIT_MS} ms: ${problem}`,
        );
      }
      await sleep(POLL_MS);
    }
  }
}
