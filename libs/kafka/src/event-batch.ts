// What a Kafka handler receives: a batch of validated events of one topic-partition.
import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEventAttributes } from '@herald/contracts';

export interface ConsumedEvent<D> {
  data: D;
  key: string | null;
  attributes: CloudEventAttributes;
  headers: Record<string, string>;
  /** Logical topic (no prefix). */
  topic: string;
  partition: number;
  offset: string;
  /** Message timestamp, ms since epoch as a string (kafkajs). */
  timestamp: string;
}

export interface EventBatch<D> {
  /** Logical topic (no prefix). */
  topic: string;
  partition: number;
  events: ConsumedEvent<D>[];
  /**
   * Keeps the consumer in its group; call it during work longer than a few seconds, as the work
   * progresses. The transport does not do it on its own: a handler that hangs loses its
   * partitions when its session times out. A heartbeat that finds the group rebalancing aborts
   * `handBack`.
   */
  heartbeat(): Promise<void>;
  /**
   * Aborted when the consumer must give its partitions up (a member joined or left the group,
   * or this one was dropped from it). The group waits for every member's handler calls to end
   * before it rebalances: a handler whose work takes long (paced sends) starts nothing more once
   * this is aborted, gives back what it has not started without spending attempts, and throws.
   * Its records are not committed; whichever member gets the partition handles them again.
   */
  readonly handBack: AbortSignal;
}

/** Extras of `@EventPattern(topic, extras)` understood by HeraldKafkaServer (`@OnEvent` takes them but `raw`). */
export interface EventHandlerOptions {
  /** Most events per handler call, default 500. */
  batchSize?: number;
  /** Partitions handled at once (kafkajs partitionsConsumedConcurrently), default 3. */
  concurrency?: number;
  /** Hand an event over only once its timestamp + delayMs has passed (retry topics). */
  delayMs?: number;
  /**
   * The broker answers a fetch once this many bytes are ready (or after fetchMaxWaitMs),
   * default 1: at once. For topics off the latency path (run progress), fewer and fuller fetches
   * cost the consumer and Kafka less per event.
   */
  fetchMinBytes?: number;
  /**
   * How long the broker may hold a fetch that has less than fetchMinBytes: by default 500 ms, and
   * 2 s for delayed topics (delayMs) and raw DLQ readers, which are idle nearly always. With
   * fetchMinBytes 1 a record is handed over as soon as it is written, whatever this is: it sets
   * how often an idle consumer asks (a service runs one consumer per topic), and how long a
   * resumed partition (a record retried in place), a rebalance or stopping may wait for the fetch
   * in flight.
   */
  fetchMaxWaitMs?: number;
  /**
   * Hand records over as they are, without schema or CloudEvents checks: `data` is the value
   * (Buffer or null). For DLQ readers, whose records are there precisely because they may not be
   * valid events.
   */
  raw?: boolean;
}

/** `@Ctx()` of a Herald Kafka handler: [logical topic, partition, group id]. */
export class HeraldKafkaContext extends BaseRpcContext<[string, number, string]> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  getGroupId(): string {
    return this.args[2];
  }
}
