// Publishes Herald events: validated against the topic's contract, CloudEvents headers added,
// resolved only once Kafka acknowledged them (idempotent producer, acks=all). Concurrent calls
// are coalesced into few produce requests (see CoalescingQueue).
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  type Admin,
  type Message,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';
import {
  contractOf,
  dlqTopicOf,
  maxRecordBytesOf,
  validateEventData,
  type EventMap,
  type TopicName,
} from '@herald/contracts';
import { ErrorCode, HeraldError, classifyFailure, describeError } from '@herald/errors';
import { CoalescingQueue, type QueueBounds, type QueueMetrics } from './coalescing-queue.js';
import { approximateSize, baseTopicOf, eventHeaders } from './event-headers.js';
import { KafkaConnection } from './kafka.connection.js';
import { KafkaMetrics } from './kafka.metrics.js';
import type { HandledTopic } from './on-event.decorator.js';
import { KeyPartitioner } from './key-partitioner.js';
import { PartitionAssigner } from './partition-assigner.js';
import { activeTraceparent } from '@herald/observability';

export interface OutgoingEvent<D> {
  /** Kafka key: the catalog says which id (runId, contactId) keeps an entity's events in order. */
  key: string;
  data: D;
  /**
   * `JSON.stringify(data)` when the caller has already written it (to measure it, say): sent as
   * it is rather than written again. `data` is still what is validated.
   */
  json?: string;
  /** CloudEvents id; a new UUID when absent. */
  id?: string;
  traceparent?: string;
  headers?: Record<string, string>;
}

export interface RawMessage {
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

interface Outgoing extends RawMessage {
  /** Physical topic. */
  topic: string;
}

/**
 * One produce request carries at most this much. The broker's message.max.bytes (1 MB) applies to
 * each partition's record batch and kafkajs does not split them, so stay under it even when every
 * message lands on one partition.
 */
export const PUBLISH_BOUNDS: QueueBounds = { maxMessages: 5_000, maxBytes: 900_000 };

/** Produce requests for one batch before its unacknowledged rest is reported as a failure. */
const SEND_ATTEMPTS = 5;

/**
 * Broker answers after which the producer id's sequence numbers no longer match the broker's (a
 * leader died with a produce request in flight, or the broker forgot the id). kafkajs's idempotent
 * producer never recovers from them: every later send to that partition gets the same answer.
 * Only a new producer, with a new id, sends again.
 */
const PRODUCER_STATE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether `error`, or an error it wraps (kafkajs's retrier does), is one of PRODUCER_STATE_LOST. */
function producerStateLost(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (PRODUCER_STATE_LOST.has((e as { type?: unknown }).type as string)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private producer: Producer;
  private readonly queue: CoalescingQueue<Outgoing>;
  private readonly partitions: PartitionAssigner;
  private metadataAdmin?: Promise<Admin>;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly kafkaMetrics: KafkaMetrics = new KafkaMetrics(),
  ) {
    this.producer = this.newProducer();
    this.queue = new CoalescingQueue<Outgoing>(
      (batch) => this.send(batch),
      approximateSize,
      PUBLISH_BOUNDS,
    );
    this.partitions = new PartitionAssigner((topic) => this.partitionCount(topic));
  }

  async publish<T extends TopicName>(
    topic: T,
    events: OutgoingEvent<EventMap[T]>[],
  ): Promise<void> {
    await this.enqueue(this.messagesOf(topic, topic, events));
  }

  /**
   * Puts events of a topic this service reads back to be read again: on one of the topic's
   * delayed-retry twins (`<topic>.retry.<label>`), or on the topic itself. They are the topic's
   * own events, validated and typed as such.
   */
  async publishRetry<T extends TopicName>(
    topic: HandledTopic<T>,
    events: OutgoingEvent<EventMap[T]>[],
  ): Promise<void> {
    await this.enqueue(this.messagesOf(contractTopicOf<T>(topic), topic, events));
  }

  /**
   * Parks events of a topic this service reads, which it will never process, in the topic's DLQ
   * (shared by its retry twins). Give the reason in `headers` (DLQ_HEADERS).
   */
  async publishDeadLetters<T extends TopicName>(
    topic: HandledTopic<T>,
    events: OutgoingEvent<EventMap[T]>[],
  ): Promise<void> {
    const contract = contractTopicOf<T>(topic);
    await this.enqueue(this.messagesOf(contract, dlqTopicOf(contract), events));
  }

  /** For forwarding records as they are (dead letters, replays): no validation, the messages as given (logical topic; the prefix is applied). */
  async publishRaw(topic: string, messages: RawMessage[]): Promise<void> {
    const physical = this.connection.physical(topic);
    await this.enqueue(
      messages.map((m) => ({ topic: physical, key: m.key, value: m.value, headers: m.headers })),
    );
  }

  /**
   * The partition of `topic` a record keyed by each of `keys` goes to, with the same partitioner
   * and partition count as `publish`: for grouping what must stay on one partition (the people of
   * a batched record) before publishing it.
   */
  async partitionsOf(topic: TopicName, keys: readonly string[]): Promise<number[]> {
    return this.partitions.partitionsOf(this.connection.physical(topic), keys);
  }

  private newProducer(): Producer {
    return this.connection.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: KeyPartitioner,
    });
  }

  /**
   * Replaces a producer whose sequence numbers the broker no longer accepts (PRODUCER_STATE_LOST)
   * with a new one, which gets a new producer id. Sends are one at a time (CoalescingQueue), so
   * none is using the old one.
   */
  private async renewProducer(error: unknown): Promise<void> {
    this.logger.warn(
      `Kafka no longer accepts this producer's sequence numbers (${describeError(error)}): sending again with a new producer id`,
    );
    const old = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    void old.disconnect().catch(() => undefined);
    await this.connect();
  }

  /** Connects the producer now instead of on the first publish (e.g. at boot, to fail fast). */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('EventPublisher is closed'));
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Sends so far: how well calls are coalesced (messages / sends). */
  metrics(): QueueMetrics {
    return this.queue.metrics();
  }

  /** Lets queued events go out, then disconnects. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    if (this.connecting) {
      await this.connecting.catch(() => undefined);
      await this.producer.disconnect();
    }
    const admin = await this.metadataAdmin?.catch(() => undefined);
    await admin?.disconnect();
  }

  /** Validated events of contract `topic`, with its CloudEvents headers, for logical topic `to`. */
  private messagesOf<T extends TopicName>(
    topic: T,
    to: string,
    events: OutgoingEvent<EventMap[T]>[],
  ): Outgoing[] {
    // Events continue the caller's trace unless they carry their own context.
    const traceparent = activeTraceparent();
    const physical = this.connection.physical(to);
    return events.map((event, index): Outgoing => {
      const checked = validateEventData(topic, event.data);
      if (!checked.ok) {
        throw new HeraldError(
          ErrorCode.InvalidEvent,
          `event ${index} is not a valid ${topic} event: ${checked.problem}`,
          {
            retriable: false,
          },
        );
      }
      if (!event.key) {
        throw new HeraldError(ErrorCode.InvalidEvent, `event ${index} for ${to} has no key`, {
          retriable: false,
        });
      }
      return {
        topic: physical,
        key: event.key,
        value: event.json ?? JSON.stringify(event.data),
        headers: eventHeaders(
          topic,
          this.connection.options.clientId,
          event.traceparent || !traceparent ? event : { ...event, traceparent },
        ),
      };
    });
  }

  private async enqueue(messages: Outgoing[]): Promise<void> {
    if (this.closed) {
      throw HeraldError.outage(
        ErrorCode.DependencyUnavailable,
        'EventPublisher is closed (the service is shutting down)',
      );
    }
    // A record over its topic's size limit is refused here, alone: sent, it would fail the whole
    // coalesced produce request, and every caller sharing it, with MESSAGE_TOO_LARGE.
    for (const [index, message] of messages.entries()) {
      const size = approximateSize(message);
      const limit = maxRecordBytesOf(this.connection.logical(message.topic));
      if (size > limit) {
        throw new HeraldError(
          ErrorCode.RecordRefused,
          `event ${index} for ${this.connection.logical(message.topic)} is ${size} bytes, over the topic's limit of ${limit} bytes`,
          { failure: 'permanent' },
        );
      }
    }
    await this.queue.push(messages);
  }

  private async send(batch: Outgoing[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, ...message } of batch) {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(message);
    }
    try {
      await this.connect();
      for (const [topic, messages] of byTopic) await this.partitions.assign(topic, messages);
      await this.sendUntilAcknowledged(
        [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      );
      for (const [topic, messages] of byTopic)
        this.kafkaMetrics.produced(this.connection.logical(topic), messages.length);
    } catch (error) {
      const topics = [...byTopic.keys()].join(', ');
      this.logger.warn(
        `Kafka did not acknowledge ${batch.length} message(s) to ${topics}: ${describeError(error)}`,
      );
      // A record Kafka refuses (too large, invalid) is refused for good; anything else means the
      // cluster is not there right now.
      const refused = classifyFailure(error) === 'permanent';
      throw new HeraldError(
        refused ? ErrorCode.RecordRefused : ErrorCode.DependencyUnavailable,
        `Kafka did not acknowledge the publish to ${topics}: ${describeError(error)}`,
        { failure: refused ? 'permanent' : 'outage', cause: error },
      );
    }
  }

  /**
   * Sends, then checks that Kafka acknowledged every partition written to, and sends again what
   * it did not (see PartitionAssigner for why a resolved send can leave partitions out).
   */
  private async sendUntilAcknowledged(topicMessages: TopicMessages[]): Promise<void> {
    let pending = topicMessages;
    let renewed = false;
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      let acknowledged: RecordMetadata[];
      try {
        acknowledged = await this.producer.sendBatch({ topicMessages: pending, acks: -1 });
      } catch (error) {
        // Once per send: a new producer that meets it again is not this. What the old one had
        // written of the batch on other partitions is written again (consumers take a record
        // twice as once: claims, counted results).
        if (renewed || !producerStateLost(error)) throw error;
        renewed = true;
        await this.renewProducer(error);
        continue;
      }
      pending = unacknowledged(pending, acknowledged);
      if (pending.length === 0) return;
      const count = pending.reduce((n, t) => n + t.messages.length, 0);
      this.logger.warn(
        `Kafka acknowledged only part of a send (a partition leader moved); sending ${count} message(s) again`,
      );
    }
    throw new Error(
      `Kafka did not acknowledge ${pending.map((t) => t.topic).join(', ')} after ${SEND_ATTEMPTS} attempts`,
    );
  }

  private async partitionCount(topic: string): Promise<number> {
    this.metadataAdmin ??= (async () => {
      const admin = this.connection.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.metadataAdmin = undefined;
      throw error;
    });
    const admin = await this.metadataAdmin;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    return count;
  }
}

/** The messages of partitions missing from Kafka's acknowledgement. */
export function unacknowledged(
  sent: TopicMessages[],
  acknowledged: RecordMetadata[],
): TopicMessages[] {
  const acked = new Set(acknowledged.map((r) => `${r.topicName}\u0000${r.partition}`));
  return sent
    .map(({ topic, messages }) => ({
      topic,
      messages: messages.filter((m) => !acked.has(`${topic}\u0000${m.partition}`)),
    }))
    .filter((t) => t.messages.length > 0);
}

/** The contract topic of a topic or of one of its retry twins. */
function contractTopicOf<T extends TopicName>(topic: HandledTopic<T>): T {
  const contract = contractOf(baseTopicOf(topic));
  if (!contract) throw new Error(`${topic} is neither a contract topic nor one of its retry twins`);
  // The catalog knows the name, and HandledTopic<T> says which of its topics it is.
  return contract.topic as T;
}
