// One kafkajs consumer (own group) for the handler of one topic: batches of validated events per
// partition, offsets committed after the work, invalid events to the DLQ at once, a failing
// record isolated from its batch and tried a bounded number of times before its DLQ, an outage
// waited out without spending attempts, delayed topics held until their events are due, and a
// topic-wide pause for operators and circuit breakers.
import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { dlqTopicOf, parseEvent, type TopicName } from '@herald/contracts';
import {
  ErrorCode,
  HeraldError,
  classifyFailure,
  decide,
  describeError,
  failureClassOf,
} from '@herald/errors';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { HeraldKafkaContext, type ConsumedEvent, type EventBatch } from './event-batch.js';
import { baseTopicOf, deadLetterHeaders, stringHeaders } from './event-headers.js';
import type { EventPublisher } from './event.publisher.js';
import type { KafkaConnection } from './kafka.connection.js';
import type { KafkaMetrics } from './kafka.metrics.js';
import { SpanKind, contextFromTraceparent, inSpan } from '@herald/observability';
import { PauseState, type PauseAction } from './pause-state.js';
import { rawRecordOf } from './raw-record.js';

export interface TopicConsumerSettings {
  /** Logical topic. */
  topic: string;
  batchSize: number;
  concurrency: number;
  delayMs: number;
  /** The bytes a fetch waits for (up to fetchMaxWaitMs); 1 when absent. */
  fetchMinBytes?: number;
  /** The longest a fetch waits for them (kafkajs maxWaitTimeInMs); DEFAULT_FETCH_WAIT_MS when absent. */
  fetchMaxWaitMs?: number;
  /** Outage pauses: how long to wait before looking again. */
  backoff?: BackoffOptions;
  /** Overrides the connection's record attempts and first retry wait (tests). */
  recordAttempts?: number;
  recordRetryBaseMs?: number;
  /** Skip schema validation: hand each record's value over as it is (DLQ readers). */
  raw?: boolean;
}

export type BatchInvoker = (
  batch: EventBatch<unknown>,
  context: HeraldKafkaContext,
) => Promise<void>;

interface DeadLetter {
  message: KafkaMessage;
  reason: string;
  code?: string;
  failureClass: string;
  attempts: number;
}

/** The longest wait between two tries of one failed record. */
const RECORD_RETRY_MAX_MS = 60_000;
/**
 * kafkajs' errors saying this member must rejoin its group before it may commit: a rebalance
 * began (a member joined or left), or the coordinator no longer knows this member.
 */
function isGroupChange(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID' ||
    type === 'NOT_COORDINATOR_FOR_GROUP'
  );
}

/** A driver's own error code (SQLSTATE, errno name, Kafka error type), when it has one. */
function errorCodeOf(error: unknown): string | undefined {
  const shape = error as {
    code?: unknown;
    type?: unknown;
    driverError?: { code?: unknown };
  } | null;
  const code = shape?.driverError?.code ?? shape?.code ?? shape?.type;
  return typeof code === 'string' ? code.slice(0, 64) : undefined;
}

/** The run an event is about, for the log line (events of every topic but the status ones name one). */
function runIdOf(data: unknown): { runId?: string } {
  const runId = (data as { runId?: unknown } | null)?.runId;
  return typeof runId === 'string' ? { runId } : {};
}

/** processChunk's answer when the handler gave its chunk back for a rebalance. */
const HANDED_BACK = Symbol('handed back');

/**
 * How long the broker may hold a fetch with nothing to hand over, when a handler does not say:
 * how often an idle consumer asks, and how late a resumed partition (a record retried in place,
 * the end of an outage pause) may start again. A record written meanwhile answers the fetch at
 * once (fetchMinBytes 1). See EventHandlerOptions.fetchMaxWaitMs.
 */
export const DEFAULT_FETCH_WAIT_MS = 500;
/**
 * The wait of consumers that are idle nearly always and whose records are late by design: delayed
 * retry twins and DLQ readers. They are most of a service's consumers: asking four times less
 * often took an idle stack's services from 0.106 to 0.084 cores, and Kafka's from 0.048 to 0.041
 * (docs/benchmark.md).
 */
export const QUIET_FETCH_WAIT_MS = 2_000;
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
/**
 * How long a stopping consumer waits for kafkajs to leave its group once no handler call runs.
 * kafkajs 2.2.4 can stay in a rejoin for ever when it is stopped during a rebalance (its
 * disconnect never returns); a normal leave takes a fetch's wait and a round trip.
 */
export const LEAVE_GRACE_MS = 10_000;

/** A readable reason for anything a handler may throw (Nest may hand over plain objects). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return describeError(error);
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
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
  /** Per partition: how long to wait before looking again while a dependency is down. */
  private readonly outageBackoffs = new Map<number, Backoff>();
  /** Per partition: the record that failed last and how often (one record fails at a time). */
  private readonly failures = new Map<number, { offset: string; attempts: number }>();
  private readonly recordAttempts: number;
  private readonly recordRetryBaseMs: number;
  /** The hand-back signals of the handler calls in flight (every partition's). */
  private readonly inFlight = new Set<AbortController>();
  /** The handler calls (onBatch) in flight, so a stop knows when no record is being handled. */
  private readonly batches = new Set<Promise<void>>();
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
    this.recordAttempts = settings.recordAttempts ?? connection.options.recordAttempts;
    this.recordRetryBaseMs = settings.recordRetryBaseMs ?? connection.options.recordRetryBaseMs;
    this.consumer = connection.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: connection.options.sessionTimeoutMs,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: settings.fetchMaxWaitMs ?? DEFAULT_FETCH_WAIT_MS,
      minBytes: settings.fetchMinBytes ?? 1,
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
      eachBatch: (payload) => this.tracked(this.onBatch(payload)),
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

  /**
   * Stops fetching, lets the handler calls in flight finish and commit, leaves the group. A leave
   * kafkajs does not finish within LEAVE_GRACE_MS after the last handler call is abandoned: no
   * record is handled any more (onBatch returns at once while stopping), nothing uncommitted is
   * lost (it is read again), and the broker drops the member after its session timeout.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const left = this.consumer.disconnect().then(
      () => true,
      (error: unknown) => {
        this.logger.warn(`Leaving group ${this.groupId} failed: ${reasonOf(error)}`);
        return true;
      },
    );
    while (this.batches.size > 0) await Promise.allSettled([...this.batches]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), LEAVE_GRACE_MS);
    });
    if (!(await Promise.race([left, graceOver]))) {
      this.logger.warn(
        `Group ${this.groupId} was not left within ${LEAVE_GRACE_MS} ms of the last record handled (kafkajs stopped during a rebalance); stopping without it: the broker drops the member after its session timeout`,
      );
    }
    clearTimeout(timer);
    this.running = false;
    this.clearTimers();
  }

  private tracked(batch: Promise<void>): Promise<void> {
    this.batches.add(batch);
    return batch.finally(() => this.batches.delete(batch));
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
      // A member joined or left the group: start nothing more. kafkajs would otherwise hand its
      // workers every batch of the fetch (other partitions' too) before it rejoins, and the new
      // members would wait for all of it. The heartbeat throws the rebalance; kafkajs rejoins.
      await payload.heartbeat();
      let end = Math.min(index + batchSize, messages.length);
      if (delayMs > 0) {
        const now = Date.now();
        let due = index;
        while (due < end && Number(messages[due].timestamp) + delayMs <= now) due += 1;
        if (due === index) {
          const first = messages[index];
          this.seekAndHold(partition, first.offset, Number(first.timestamp) + delayMs - now);
          return;
        }
        end = due;
      }
      const chunk = messages.slice(index, end);
      const done = await this.processChunk(chunk, partition, payload);
      if (done === HANDED_BACK) {
        // Nothing of the chunk is committed: the partition's next owner (or this consumer once
        // it has rejoined) reads it again. Tell kafkajs of the rebalance now, so it rejoins.
        await payload.heartbeat();
        return;
      }
      if (!done) {
        // Held (a retry or an outage): the lag gauge shows the partition waiting, so an alert on
        // lag that does not move sees a stuck partition even when it had been idle before.
        this.metrics?.lag(
          this.settings.topic,
          partition,
          Number(payload.batch.highWatermark) - Number(chunk[0].offset),
        );
        return;
      }
      const last = chunk[chunk.length - 1].offset;
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

  /**
   * True when the chunk is done with (handled, or dead-lettered); false when the partition is
   * held to try again. The chunk goes to the handler whole (the fast path); when that fails for
   * any reason but an outage, its records are handled one by one, so that one bad record never
   * holds the others back: the ones before it are committed, it alone is retried a bounded
   * number of times (or dead-lettered at once when retrying cannot help), then the rest follow.
   */
  private async processChunk(
    chunk: KafkaMessage[],
    partition: number,
    payload: EachBatchPayload,
  ): Promise<boolean | typeof HANDED_BACK> {
    const records: Array<{ event: ConsumedEvent<unknown>; message: KafkaMessage }> = [];
    const invalid: DeadLetter[] = [];
    for (const message of chunk) {
      // Raw handlers (DLQ readers) take records as they are (see raw-record.ts).
      const parsed = this.settings.raw
        ? rawRecordOf(message)
        : parseEvent(this.contractTopic as TopicName, message.headers, message.value);
      if (!parsed.ok) {
        invalid.push({
          message,
          reason: `invalid event: ${parsed.problem}`,
          code: ErrorCode.InvalidEvent,
          failureClass: 'invalid',
          attempts: 1,
        });
        continue;
      }
      records.push({
        message,
        event: {
          data: parsed.data,
          key: message.key ? message.key.toString('utf8') : null,
          attributes: parsed.attributes,
          headers: stringHeaders(message.headers),
          topic: this.settings.topic,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
        },
      });
    }

    try {
      if (invalid.length > 0) {
        await this.deadLetter(invalid, partition);
        this.logger.warn(
          `${invalid.length} invalid event(s) on partition ${partition} (first at offset ${invalid[0].message.offset}) sent to ${this.dlqTopic}: ${invalid[0].reason}`,
        );
      }
    } catch (error) {
      return this.hold(partition, chunk[0].offset, error);
    }
    if (records.length === 0) return true;

    const handBack = new AbortController();
    try {
      await this.handle(
        records.map((r) => r.event),
        partition,
        payload,
        handBack,
      );
      this.outageBackoffs.delete(partition);
      this.failures.delete(partition);
      return true;
    } catch (error) {
      if (handBack.signal.aborted) return this.handedBack(partition, records[0].message, error);
      if (classifyFailure(error) === 'outage')
        return this.hold(partition, records[0].message.offset, error);
      if (records.length === 1) return this.settle(records[0], error, partition);
    }
    // One by one: the handlers are idempotent, so records the failed call already did are safe.
    for (const record of records) {
      const recordHandBack = new AbortController();
      try {
        await this.handle([record.event], partition, payload, recordHandBack);
        this.failures.delete(partition);
      } catch (error) {
        if (recordHandBack.signal.aborted) return this.handedBack(partition, record.message, error);
        if (!(await this.settle(record, error, partition))) return false;
      }
      payload.resolveOffset(record.message.offset);
      await this.commit(payload, partition);
    }
    this.outageBackoffs.delete(partition);
    return true;
  }

  /**
   * What becomes of one record that failed (the decision is `decide`'s): true when it ended in
   * the DLQ and the partition moves on; false when the partition is held to try it again.
   */
  private async settle(
    record: { event: ConsumedEvent<unknown>; message: KafkaMessage },
    error: unknown,
    partition: number,
  ): Promise<boolean> {
    const { offset } = record.message;
    const kind = classifyFailure(error);
    if (kind === 'outage') return this.hold(partition, offset, error);
    const previous = this.failures.get(partition);
    const attempts = previous?.offset === offset ? previous.attempts + 1 : 1;
    const decision = decide(kind, {
      site: 'consumer',
      attempts,
      maxAttempts: this.recordAttempts,
    });
    const reason = reasonOf(error);
    if (decision.action === 'retry-now') {
      this.failures.set(partition, { offset, attempts });
      const delay = Math.min(RECORD_RETRY_MAX_MS, this.recordRetryBaseMs * 3 ** (attempts - 1));
      this.logger.warn(
        `Record at offset ${offset} of partition ${partition} failed (attempt ${attempts} of ${this.recordAttempts}, ${kind}); trying it again in ${delay} ms: ${reason}`,
      );
      this.metrics?.consumed(this.settings.topic, 'retried', 1);
      this.seekAndHold(partition, offset, delay);
      return false;
    }
    this.failures.delete(partition);
    try {
      await this.deadLetter(
        [
          {
            message: record.message,
            reason: attempts > 1 ? `gave up after ${attempts} attempts: ${reason}` : reason,
            code: error instanceof HeraldError ? error.code : errorCodeOf(error),
            failureClass: failureClassOf(error),
            attempts,
          },
        ],
        partition,
      );
    } catch (dlqError) {
      return this.hold(partition, offset, dlqError);
    }
    this.logger.error({
      msg: `Record at offset ${offset} of partition ${partition} could not be processed (${kind}, ${attempts} attempt(s)); sent to ${this.dlqTopic}: ${reason}`,
      ...runIdOf(record.event.data),
    });
    this.metrics?.consumed(this.settings.topic, 'dead_lettered', 1);
    return true;
  }

  /** A dependency is down: hold the partition at `offset` with a growing delay, spending nothing. */
  private hold(partition: number, offset: string, error: unknown): false {
    const backoff =
      this.outageBackoffs.get(partition) ?? new Backoff(this.settings.backoff ?? DEFAULT_BACKOFF);
    this.outageBackoffs.set(partition, backoff);
    const delay = backoff.next();
    this.logger.warn(
      `A dependency is unavailable on partition ${partition} at offset ${offset} (pause ${backoff.attempts}), trying again in ${delay} ms: ${reasonOf(error)}`,
    );
    this.metrics?.consumed(this.settings.topic, 'paused', 1);
    this.seekAndHold(partition, offset, delay);
    return false;
  }

  /**
   * The group is rebalancing and the handler gave the chunk back from `first` on: nothing is
   * committed or spent, and the partition is read again from there by whoever owns it next.
   */
  private handedBack(partition: number, first: KafkaMessage, error: unknown): typeof HANDED_BACK {
    this.logger.log(
      `The group is rebalancing: the handler gave back the records of partition ${partition} from offset ${first.offset} (${reasonOf(error)}); they are read again after the rebalance.`,
    );
    this.metrics?.consumed(this.settings.topic, 'handed_back', 1);
    // No seek: the member rejoins, and kafkajs then reads each partition it is given from its
    // committed offset (a seek left for a partition that moved would rewind it if it came back).
    return HANDED_BACK;
  }

  /**
   * Runs the handler on some events of one partition, in a consumer span; errors propagate.
   * The consumer does not heartbeat on its own while a handler runs: a handler that hangs must
   * lose its partitions when its session times out. Handlers doing long work heartbeat as they go
   * (EventBatch.heartbeat); one that finds the group rebalancing aborts the `handBack` of every
   * call in flight.
   */
  private async handle(
    events: ConsumedEvent<unknown>[],
    partition: number,
    payload: EachBatchPayload,
    handBack: AbortController,
  ): Promise<void> {
    const heartbeat = () =>
      payload.heartbeat().catch((error: unknown) => {
        // The group waits for every call of this member: all of them hand back, not only this
        // one (kafkajs answers the others' heartbeats from its last one for a while).
        // Anything else (a broker briefly away) is the next heartbeat's, or the chunk loop's.
        if (isGroupChange(error)) for (const call of this.inFlight) call.abort(error);
      });
    const batch: EventBatch<unknown> = {
      topic: this.settings.topic,
      partition,
      events,
      heartbeat,
      handBack: handBack.signal,
    };
    this.inFlight.add(handBack);
    // The batch continues the first event's trace and links the others'.
    const [first, ...rest] = events;
    await inSpan(
      `consume ${this.settings.topic}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(first.attributes.traceparent),
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
        this.invoke(batch, new HeraldKafkaContext([this.settings.topic, partition, this.groupId])),
    ).finally(() => this.inFlight.delete(handBack));
    this.metrics?.consumed(this.settings.topic, 'handled', events.length);
  }

  private async deadLetter(letters: DeadLetter[], partition: number): Promise<void> {
    const at = new Date();
    await this.publisher.publishRaw(
      this.dlqTopic,
      letters.map(({ message, reason, code, failureClass, attempts }) => ({
        key: message.key,
        value: message.value,
        headers: deadLetterHeaders(stringHeaders(message.headers), {
          reason,
          code,
          failureClass,
          attempts,
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
  private seekAndHold(partition: number, offset: string, ms: number): void {
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
