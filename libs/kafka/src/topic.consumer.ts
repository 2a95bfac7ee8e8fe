// One kafkajs consumer (own group) for the handler of one topic: batches of validated events per
// partition, offsets committed after the work, invalid events and permanent failures to the DLQ,
// retriable failures retried on that partition alone after a growing backoff, delayed topics held
// until their events are due, and a topic-wide pause for operators and circuit breakers.
import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { dlqTopicOf, parseEvent, type TopicName } from '@herald/contracts';
import { ErrorCode, HeraldError, describeError, isRetriable } from '@herald/errors';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { HeraldKafkaContext, type ConsumedEvent, type EventBatch } from './event-batch.js';
import { baseTopicOf, deadLetterHeaders, stringHeaders } from './event-headers.js';
import type { EventPublisher } from './event.publisher.js';
import type { KafkaConnection } from './kafka.connection.js';
import type { KafkaMetrics } from './kafka.metrics.js';
import { SpanKind, contextFromTraceparent, inSpan } from '@herald/observability';
import { PauseState, type PauseAction } from './pause-state.js';

export interface TopicConsumerSettings {
  /** Logical topic. */
  topic: string;
  batchSize: number;
  concurrency: number;
  delayMs: number;
  backoff?: BackoffOptions;
}

export type BatchInvoker = (
  batch: EventBatch<unknown>,
  context: HeraldKafkaContext,
) => Promise<void>;

interface DeadLetter {
  message: KafkaMessage;
  reason: string;
  code?: string;
}

/** kafkajs waits this long for data per fetch; also how late a resumed partition may start again. */
const MAX_WAIT_MS = 500;
/**
 * What one fetch may bring. Handlers take a few hundred events at a time per partition, while
 * kafkajs decodes and keeps a whole fetch until it is handled: its defaults (1 MiB per partition,
 * 10 MiB in all) kept tens of thousands of decoded records alive per consumer, most of a
 * service's heap. A record larger than these still comes, alone (the broker always returns the
 * first batch whole).
 */
const FETCH_MAX_BYTES_PER_PARTITION = 512 * 1024;
const FETCH_MAX_BYTES = 2 * 1024 * 1024;
const SUBSCRIBE_RETRY_MS = 15_000;

/** A readable reason for anything a handler may throw (Nest may hand over plain objects). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return describeError(error);
  if (error && typeof error === 'object' && 'message' in error)
    return String((error as { message: unknown }).message);
  return describeError(error);
}

export class TopicConsumer {
  readonly groupId: string;
  readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly physical: string;
  private readonly contractTopic: string;
  private readonly dlqTopic: string;
  private readonly state = new PauseState();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly backoffs = new Map<number, Backoff>();
  private running = false;
  private stopping = false;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: EventPublisher,
    private readonly settings: TopicConsumerSettings,
    private readonly invoke: BatchInvoker,
    private readonly metrics?: KafkaMetrics,
  ) {
    const { topic } = settings;
    this.logger = new Logger(`HeraldKafka:${topic}`);
    this.physical = connection.physical(topic);
    this.contractTopic = baseTopicOf(topic);
    // Retry topics share their contract topic's DLQ: one place to look for a topic's dead letters.
    this.dlqTopic = dlqTopicOf(this.contractTopic);
    this.groupId = connection.groupOf(topic);
    this.consumer = connection.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: connection.options.sessionTimeoutMs,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytesPerPartition: FETCH_MAX_BYTES_PER_PARTITION,
      maxBytes: FETCH_MAX_BYTES,
      allowAutoTopicCreation: false,
      retry: {
        // kafkajs gives up on a consumer after a non-retriable error; a service must keep consuming.
        restartOnFailure: async (error) => {
          this.logger.error(`Consumer of ${topic} crashed, restarting: ${describeError(error)}`);
          return true;
        },
      },
    });
  }

  /** The DLQ (logical) the consumer of `topic` writes to: a retry topic uses its contract topic's. */
  static deadLetterTopicOf(topic: string): string {
    return dlqTopicOf(baseTopicOf(topic));
  }

  async start(initiallyPaused: boolean): Promise<void> {
    if (initiallyPaused) this.state.pauseTopic();
    // kafkajs forgets paused partitions when it restarts a crashed consumer: restore them on every join.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.apply(this.state.current()));
    await this.consumer.connect();
    await this.subscribe();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.concurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.running = true;
    this.apply(this.state.current());
  }

  /**
   * On a cluster of several KRaft brokers, the one asked may not know a just-created topic yet,
   * and kafkajs' subscribe does not retry UNKNOWN_TOPIC_OR_PARTITION: retry it here, briefly.
   */
  private async subscribe(): Promise<void> {
    const deadline = Date.now() + SUBSCRIBE_RETRY_MS;
    for (;;) {
      try {
        await this.consumer.subscribe({ topics: [this.physical], fromBeginning: true });
        return;
      } catch (error) {
        const type = (error as { type?: string }).type;
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops fetching, lets the handler calls in flight finish and commit, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    await this.consumer.disconnect();
    this.running = false;
    this.clearTimers();
  }

  pause(): void {
    this.apply(this.state.pauseTopic());
  }

  resume(): void {
    this.apply(this.state.resumeTopic());
  }

  get paused(): boolean {
    return this.state.paused;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { partition, messages } = batch;
    const { batchSize, delayMs } = this.settings;
    let index = 0;
    while (index < messages.length) {
      if (
        !payload.isRunning() ||
        payload.isStale() ||
        this.stopping ||
        this.state.blocks(partition)
      )
        return;
      let end = Math.min(index + batchSize, messages.length);
      if (delayMs > 0) {
        const now = Date.now();
        let due = index;
        while (due < end && Number(messages[due]!.timestamp) + delayMs <= now) due += 1;
        if (due === index) {
          const first = messages[index]!;
          this.holdPartition(partition, first.offset, Number(first.timestamp) + delayMs - now);
          return;
        }
        end = due;
      }
      const chunk = messages.slice(index, end);
      if (!(await this.processChunk(chunk, partition, payload))) return;
      const last = chunk[chunk.length - 1]!.offset;
      payload.resolveOffset(last);
      await this.commit(payload, partition);
      this.metrics?.lag(
        this.settings.topic,
        partition,
        Number(payload.batch.highWatermark) - Number(last) - 1,
      );
      await payload.heartbeat();
      index = end;
    }
  }

  /** True when the chunk is done with (handled, or dead-lettered); false when it is to be retried. */
  private async processChunk(
    chunk: KafkaMessage[],
    partition: number,
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const events: ConsumedEvent<unknown>[] = [];
    const originals: KafkaMessage[] = [];
    const invalid: DeadLetter[] = [];
    for (const message of chunk) {
      const parsed = parseEvent(this.contractTopic as TopicName, message.headers, message.value);
      if (!parsed.ok) {
        invalid.push({
          message,
          reason: `invalid event: ${parsed.problem}`,
          code: ErrorCode.InvalidEvent,
        });
        continue;
      }
      events.push({
        data: parsed.data,
        key: message.key ? message.key.toString('utf8') : null,
        attributes: parsed.attributes,
        headers: stringHeaders(message.headers),
        topic: this.settings.topic,
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
      });
      originals.push(message);
    }

    try {
      if (invalid.length > 0) {
        await this.deadLetter(invalid, partition);
        this.logger.warn(
          `${invalid.length} invalid event(s) on partition ${partition} (first at offset ${invalid[0]!.message.offset}) sent to ${this.dlqTopic}: ${invalid[0]!.reason}`,
        );
      }
      this.metrics?.consumed(this.settings.topic, 'dead_lettered', invalid.length);
      if (events.length > 0) await this.handle(events, originals, partition, payload);
      this.backoffs.delete(partition);
      return true;
    } catch (error) {
      const backoff =
        this.backoffs.get(partition) ?? new Backoff(this.settings.backoff ?? DEFAULT_BACKOFF);
      this.backoffs.set(partition, backoff);
      const delay = backoff.next();
      const first = chunk[0]!.offset;
      this.logger.warn(
        `Retriable failure on partition ${partition} at offset ${first} (attempt ${backoff.attempts}), retrying in ${delay} ms: ${reasonOf(error)}`,
      );
      this.metrics?.consumed(this.settings.topic, 'retried', chunk.length);
      this.holdPartition(partition, first, delay);
      return false;
    }
  }

  /** Runs the handler; a permanent failure dead-letters the events, a retriable one is rethrown. */
  private async handle(
    events: ConsumedEvent<unknown>[],
    originals: KafkaMessage[],
    partition: number,
    payload: EachBatchPayload,
  ): Promise<void> {
    const batch: EventBatch<unknown> = {
      topic: this.settings.topic,
      partition,
      events,
      // A failed heartbeat (rebalance) is acted on by the commit after the chunk; the handler need not care.
      heartbeat: () => payload.heartbeat().catch(() => undefined),
    };
    try {
      // The batch continues the first event's trace and links the others'.
      const [first, ...rest] = events;
      await inSpan(
        `consume ${this.settings.topic}`,
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromTraceparent(first!.attributes.traceparent),
          links: rest
            .slice(0, 32)
            .flatMap((e) =>
              e.attributes.traceparent ? [contextFromTraceparent(e.attributes.traceparent)] : [],
            ),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': this.settings.topic,
            'messaging.batch.message_count': events.length,
            'messaging.consumer.group.name': this.groupId,
          },
        },
        () =>
          this.invoke(
            batch,
            new HeraldKafkaContext([this.settings.topic, partition, this.groupId]),
          ),
      );
      this.metrics?.consumed(this.settings.topic, 'handled', events.length);
    } catch (error) {
      if (isRetriable(error)) throw error;
      const reason = reasonOf(error);
      const code = error instanceof HeraldError ? error.code : undefined;
      this.logger.error(
        `Handler failed permanently on ${events.length} event(s) of partition ${partition} from offset ${events[0]!.offset}; sent to ${this.dlqTopic}: ${reason}`,
      );
      await this.deadLetter(
        originals.map((message) => ({ message, reason, code })),
        partition,
      );
      this.metrics?.consumed(this.settings.topic, 'dead_lettered', events.length);
    }
  }

  private async deadLetter(letters: DeadLetter[], partition: number): Promise<void> {
    const at = new Date();
    await this.publisher.publishRaw(
      this.dlqTopic,
      letters.map(({ message, reason, code }) => ({
        key: message.key,
        value: message.value,
        headers: deadLetterHeaders(stringHeaders(message.headers), {
          reason,
          code,
          topic: this.settings.topic,
          partition,
          offset: message.offset,
          at,
        }),
      })),
    );
  }

  private async commit(payload: EachBatchPayload, partition: number): Promise<void> {
    // kafkajs keys partitions by object key, so they come back as strings.
    const topics = payload
      .uncommittedOffsets()
      .topics.filter((t) => t.topic === this.physical)
      .map((t) => ({
        topic: t.topic,
        partitions: t.partitions.filter((p) => Number(p.partition) === partition),
      }))
      .filter((t) => t.partitions.length > 0);
    if (topics.length > 0) await payload.commitOffsetsIfNecessary({ topics });
  }

  /** Pauses one partition and refetches it from `offset` after `ms` (retry backoff, delayed events). */
  private holdPartition(partition: number, offset: string, ms: number): void {
    this.consumer.seek({ topic: this.physical, partition, offset });
    this.apply(this.state.hold(partition));
    clearTimeout(this.timers.get(partition));
    const timer = setTimeout(
      () => {
        this.timers.delete(partition);
        this.apply(this.state.release(partition));
      },
      Math.max(0, ms),
    );
    this.timers.set(partition, timer);
  }

  private apply(actions: PauseAction[]): void {
    if (!this.running) return;
    for (const { op, partitions } of actions) {
      const target = [{ topic: this.physical, ...(partitions ? { partitions } : {}) }];
      if (op === 'pause') this.consumer.pause(target);
      else this.consumer.resume(target);
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
