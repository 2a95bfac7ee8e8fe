// Helpers for tests of @herald/kafka against the real broker: unique topic prefixes, polling,
// valid contract payloads, a Nest app hosting test controllers on HeraldKafkaServer, and a raw
// kafkajs probe to produce arbitrary messages and read topics back.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConsoleLogger,
  type INestApplication,
  type INestApplicationContext,
  type Provider,
  type Type,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type IHeaders,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import {
  CATALOG,
  newAttributes,
  toKafkaHeaders,
  type DeliveryResult,
  type TopicName,
} from '@herald/contracts';
import {
  EventPublisher,
  HeraldKafkaServer,
  KafkaConnection,
  KafkaModule,
  TopicAdmin,
  brokersFromEnv,
  type KafkaOptions,
} from '@herald/kafka';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function kafkaBrokers(): string[] {
  return brokersFromEnv();
}

/** `t-<random>.`: topics (and consumer groups) of one test never meet another's. */
export function randomTopicPrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}.`;
}

/** Polls `condition` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Waits until the consumer of a logical topic has begun `count` fetches from now on. kafkajs
 * fetches again only once everything the previous fetch brought was handed over, so two fetches
 * begun after records were produced prove the consumer looked past them: what a paused topic
 * must not hand over would have been by then. The marker for "nothing happened", without a
 * fixed sleep.
 */
export async function fetchesBegun(
  server: HeraldKafkaServer,
  topic: string,
  count = 2,
  timeoutMs = 10_000,
): Promise<void> {
  const consumer = server.unwrap().get(topic);
  if (!consumer) throw new Error(`no consumer of ${topic}`);
  let begun = 0;
  const stop = consumer.on(consumer.events.FETCH_START, () => {
    begun += 1;
  });
  try {
    await waitFor(() => begun >= count, timeoutMs, `${count} fetches of ${topic}`);
  } finally {
    stop();
  }
}

/** A valid `delivery.result.v1` event. */
export function deliveryResult(overrides: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    runId: randomUUID(),
    botId: randomUUID(),
    status: 'sent',
    at: new Date().toISOString(),
    ...overrides,
  };
}

/** CloudEvents headers a valid event of `topic` carries. */
export function ceHeaders(topic: TopicName, source = '/test'): Record<string, string> {
  return toKafkaHeaders(newAttributes(CATALOG[topic].type, source));
}

export interface KafkaTestApp {
  app: INestApplicationContext;
  server: HeraldKafkaServer;
  publisher: EventPublisher;
  admin: TopicAdmin;
  connection: KafkaConnection;
  close(): Promise<void>;
}

export interface KafkaTestAppOptions extends Partial<KafkaOptions> {
  topicPrefix: string;
  controllers?: Type<unknown>[];
  providers?: Provider[];
  /** Host the transport on a hybrid HTTP app (connectMicroservice, inheritAppConfig) as services do. */
  hybrid?: { configure?: (app: INestApplication) => void };
  /** Pause these logical topics before the transport starts. */
  pausedTopics?: string[];
}

/** A Nest app with KafkaModule and the given controllers, its HeraldKafkaServer listening. */
export async function startKafkaTestApp(options: KafkaTestAppOptions): Promise<KafkaTestApp> {
  const { controllers = [], providers = [], hybrid, pausedTopics = [], ...kafka } = options;
  const moduleRef = await Test.createTestingModule({
    imports: [
      KafkaModule.forRoot({
        clientId: 'test',
        brokers: kafkaBrokers(),
        groupId: 'herald-test',
        defaultPartitions: 2,
        ...kafka,
      }),
    ],
    controllers,
    providers,
  }).compile();
  // The testing module prints errors only; the transport's warnings (retries, DLQ) help reading a failure.
  const logger = new ConsoleLogger('test', { logLevels: ['error', 'warn'] });
  moduleRef.useLogger(logger);
  const server = moduleRef.get(HeraldKafkaServer);
  for (const topic of pausedTopics) server.pause(topic);
  let app: INestApplicationContext;
  if (hybrid) {
    const http = moduleRef.createNestApplication(new FastifyAdapter(), { logger });
    hybrid.configure?.(http);
    http.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await http.startAllMicroservices();
    await http.init();
    app = http;
  } else {
    const micro = moduleRef.createNestMicroservice({ strategy: server, logger });
    await micro.listen();
    app = micro;
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    server,
    publisher: moduleRef.get(EventPublisher),
    admin: moduleRef.get(TopicAdmin),
    connection: moduleRef.get(KafkaConnection),
    close: () => (closed ??= app.close()),
  };
}

export interface ReadMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  timestamp: string;
}

/** Who wrote a record: the idempotent producer's id and epoch. */
export interface ProducerIdentity {
  producerId: string;
  producerEpoch: number;
}

/** The part of kafkajs's private Cluster and Broker that KafkaProbe.produceAs uses. */
type RawClusterFactory = (options: { allowAutoTopicCreation: boolean }) => {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: number }): Promise<{ produce(request: unknown): Promise<unknown> }>;
};

/** Raw kafkajs access for tests: produce anything anywhere, read topics back, inspect offsets. */
export class KafkaProbe {
  readonly kafka = new Kafka({
    clientId: 'test-probe',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  private adminClient?: Promise<Admin>;
  private producerClient?: Promise<Producer>;

  constructor(readonly topicPrefix: string) {}

  physical(topic: string): string {
    return this.topicPrefix + topic;
  }

  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.adminClient;
  }

  /** Produces messages as given to a logical topic (explicit partition allowed). */
  async produce(
    topic: string,
    messages: Array<{
      key?: string | null;
      value: string | Buffer | null;
      headers?: IHeaders;
      partition?: number;
      timestamp?: string;
    }>,
  ): Promise<void> {
    this.producerClient ??= (async () => {
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })();
    const producer = await this.producerClient;
    await producer.send({ topic: this.physical(topic), messages, acks: -1 });
  }

  /** Valid events of a contract topic, with explicit partitions when given. */
  async produceEvents(
    topic: TopicName,
    events: Array<{ data: unknown; key?: string; partition?: number }>,
  ): Promise<void> {
    await this.produce(
      topic,
      events.map((e) => ({
        key: e.key ?? randomUUID(),
        value: JSON.stringify(e.data),
        headers: ceHeaders(topic),
        partition: e.partition,
      })),
    );
  }

  /** Reads a logical topic from the beginning until `count` messages arrived (or fails after timeoutMs). */
  read(topic: string, count: number, timeoutMs = 15_000): Promise<ReadMessage[]> {
    return this.collect(topic, count, timeoutMs, `message(s) on ${topic}`, toRead);
  }

  /**
   * The producer id and epoch each record of a logical topic's partition was written with, in
   * offset order (from the record batch headers, which kafkajs keeps on each message).
   */
  writers(topic: string, partition: number, count: number): Promise<ProducerIdentity[]> {
    return this.collect(
      topic,
      count,
      15_000,
      `record(s) on ${topic}[${partition}]`,
      (p, message) => {
        if (p !== partition) return undefined;
        const context = (message as KafkaMessage & { batchContext?: ProducerIdentity })
          .batchContext;
        if (!context) throw new Error('kafkajs no longer keeps the record batch on a message');
        return { producerId: context.producerId, producerEpoch: context.producerEpoch };
      },
    );
  }

  /**
   * Reads a logical topic from the beginning with a consumer group of its own until `count`
   * messages were kept by `pick` (undefined: skipped), or fails after `timeoutMs` naming `what`.
   */
  private async collect<T>(
    topic: string,
    count: number,
    timeoutMs: number,
    what: string,
    pick: (partition: number, message: KafkaMessage) => T | undefined,
  ): Promise<T[]> {
    const consumer = this.kafka.consumer({
      groupId: `probe-${randomUUID()}`,
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
    });
    const kept: T[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.physical(topic)], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = pick(partition, message);
          if (value !== undefined) kept.push(value);
        },
      });
      await waitFor(() => kept.length >= count, timeoutMs, `${count} ${what} (got ${kept.length})`);
      return kept;
    } finally {
      await consumer.disconnect();
    }
  }

  /**
   * Writes `count` records to a partition as producer `writer`, from sequence number
   * `firstSequence`: the broker's record of that producer moves past what the producer itself
   * believes it sent, which is what a leader that died with the producer's request in flight can
   * leave behind. kafkajs has no public raw produce, so this takes a cluster from the client's
   * private factory and sends the Produce request through its leader.
   */
  async produceAs(
    topic: string,
    partition: number,
    writer: ProducerIdentity,
    firstSequence: number,
    count: number,
  ): Promise<void> {
    const factory = Object.getOwnPropertySymbols(this.kafka).find(
      (s) => s.description === 'private:Kafka:createCluster',
    );
    if (!factory) throw new Error('kafkajs no longer has its private cluster factory');
    const cluster = (this.kafka as unknown as Record<symbol, RawClusterFactory>)[factory]({
      allowAutoTopicCreation: false,
    });
    const physical = this.physical(topic);
    await cluster.connect();
    try {
      await cluster.addTargetTopic(physical);
      const [nodeId] = Object.keys(cluster.findLeaderForPartitions(physical, [partition]));
      const broker = await cluster.findBroker({ nodeId: Number(nodeId) });
      await broker.produce({
        acks: -1,
        timeout: 10_000,
        producerId: writer.producerId,
        producerEpoch: writer.producerEpoch,
        topicData: [
          {
            topic: physical,
            partitions: [
              {
                partition,
                firstSequence,
                messages: Array.from({ length: count }, (_, i) => ({
                  key: null,
                  value: `forged ${firstSequence + i}`,
                  headers: {},
                })),
              },
            ],
          },
        ],
      });
    } finally {
      await cluster.disconnect();
    }
  }

  /** Sum over partitions of the high watermarks of a logical topic. */
  endOffset(topic: string): Promise<number> {
    return retrying(async () => {
      const offsets = await (await this.admin()).fetchTopicOffsets(this.physical(topic));
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    });
  }

  /** Sum over partitions of a group's committed offsets on a logical topic (-1 = none counts 0). */
  committed(groupId: string, topic: string): Promise<number> {
    return retrying(async () => {
      const [entry] = await (
        await this.admin()
      ).fetchOffsets({ groupId, topics: [this.physical(topic)] });
      return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    });
  }

  /** Deletes this prefix's topics and disconnects. */
  async cleanup(): Promise<void> {
    const admin = await this.admin();
    try {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    } catch {
      // Leftover test topics are harmless: every test has its own prefix.
    } finally {
      const producer = await this.producerClient;
      await producer?.disconnect();
      await admin.disconnect();
    }
  }
}

/**
 * With several brokers, one may answer NOT_LEADER / UNKNOWN_TOPIC for a moment after a topic was
 * created (its metadata lags the controller's); kafkajs' admin does not always retry that.
 */
async function retrying<T>(read: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

function toRead(partition: number, message: KafkaMessage): ReadMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = (Array.isArray(value) ? value[0] : value).toString();
  }
  return {
    key: message.key ? message.key.toString() : null,
    value: message.value ? message.value.toString() : '',
    headers,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
  };
}
