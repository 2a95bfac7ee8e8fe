// Builds the Kafka handlers of one channel: its batched first tries (delivery.requested.v2), its
// one-person delivery topic (v1) plus that topic's delayed retry twins (from the configured retry
// stages), and its provider status topic plus its retry twin,
// all feeding the shared core. The three delivery apps differ only by channel.
import { Controller, type Type } from '@nestjs/common';
import {
  MAX_BATCH_RECIPIENTS,
  deliveryBatchTopicFor,
  deliveryStatusTopicFor,
  deliveryTopicFor,
  requestsOf,
  retryTopicOf,
  type Channel,
  type DeliveryRequested,
  type DeliveryRequestedBatch,
  type DeliveryStatusReport,
  type DeliveryStatusTopic,
  type EventMap,
  type TopicName,
} from '@herald/contracts';
import { OnEvent, type EventBatch, type HandledTopic, type OnEventOptions } from '@herald/kafka';
import { DeliverService } from './deliver.service.js';
import { DeliveryStatusService } from './delivery-status.service.js';
import type { RetryStage } from './retry-schedule.js';

/** Adds one `@OnEvent` method per topic (names are generated: each topic has its own options). */
function bindTopics<T extends TopicName>(
  target: Type<unknown>,
  topics: Array<[HandledTopic<T>, OnEventOptions]>,
  call: (self: unknown, batch: EventBatch<EventMap[T]>) => Promise<void>,
  firstIndex = 0,
): void {
  for (const [i, [topic, options]] of topics.entries()) {
    const name = `handle${firstIndex + i}`;
    const descriptor: TypedPropertyDescriptor<(batch: EventBatch<EventMap[T]>) => Promise<void>> = {
      value: function (this: unknown, batch: EventBatch<EventMap[T]>) {
        return call(this, batch);
      },
      writable: true,
      configurable: true,
    };
    Object.defineProperty(target.prototype, name, descriptor);
    OnEvent(topic, options)(target.prototype as object, name, descriptor);
  }
}

const title = (channel: Channel) => `${channel[0].toUpperCase()}${channel.slice(1)}`;

/**
 * Records of `delivery.requested.<channel>.v2` one handler call takes. The contact service cuts a
 * page (500 people by default) across the topic's 12 partitions, so a record carries about 40
 * people and a call about 800; calls are still bounded at MAX_BATCH_RECIPIENTS people each.
 */
export const BATCH_RECORDS_PER_CALL = 20;

/**
 * The batched records' people in calls of at most MAX_BATCH_RECIPIENTS, cut between records
 * (a record carries at most that many).
 */
export function callsOf(batches: readonly DeliveryRequestedBatch[]): DeliveryRequested[][] {
  const calls: DeliveryRequested[][] = [];
  let current: DeliveryRequested[] = [];
  for (const batch of batches) {
    const requests = requestsOf(batch);
    if (current.length > 0 && current.length + requests.length > MAX_BATCH_RECIPIENTS) {
      calls.push(current);
      current = [];
    }
    current.push(...requests);
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

export function deliveryHandlerFor(channel: Channel, stages: readonly RetryStage[]): Type<unknown> {
  const topic = deliveryTopicFor(channel);

  @Controller()
  class DeliveryHandler {
    constructor(readonly deliver: DeliverService) {}

    async handle(batch: EventBatch<DeliveryRequested>): Promise<void> {
      await this.deliver.deliver(
        batch.events.map((e) => e.data),
        batch,
      );
    }

    /**
     * First tries, many people a record: each recipient is the one-person request it stands
     * for. A call that fails fails the batch, whose records the transport then handles one by
     * one (a record that keeps failing is retried, then dead-lettered whole; the people it
     * already reached are claimed, so trying it again sends them nothing twice).
     */
    async handleBatch(batch: EventBatch<DeliveryRequestedBatch>): Promise<void> {
      for (const requests of callsOf(batch.events.map((e) => e.data)))
        await this.deliver.deliver(requests, batch);
    }
  }

  bindTopics(
    DeliveryHandler,
    [
      [topic, { batchSize: 500, concurrency: 3 }],
      ...stages.map((s): [HandledTopic<typeof topic>, OnEventOptions] => [
        retryTopicOf(topic, s.label),
        { batchSize: 500, delayMs: s.delayMs },
      ]),
    ],
    (self, batch) => (self as DeliveryHandler).handle(batch),
  );
  // Numbered after the one-person topics' handlers (method names must differ).
  bindTopics(
    DeliveryHandler,
    [[deliveryBatchTopicFor(channel), { batchSize: BATCH_RECORDS_PER_CALL, concurrency: 3 }]],
    (self, batch) => (self as DeliveryHandler).handleBatch(batch),
    stages.length + 1,
  );
  Object.defineProperty(DeliveryHandler, 'name', { value: `${title(channel)}DeliveryHandler` });
  return DeliveryHandler;
}

export function deliveryStatusHandlerFor<C extends Channel>(
  channel: C,
  retry: { topic: HandledTopic<DeliveryStatusTopic<C>>; delayMs: number },
): Type<unknown> {
  @Controller()
  class DeliveryStatusHandler {
    constructor(readonly statuses: DeliveryStatusService) {}

    async handle(batch: EventBatch<DeliveryStatusReport>): Promise<void> {
      await this.statuses.apply(batch.events.map((e) => e.data));
    }
  }

  bindTopics(
    DeliveryStatusHandler,
    [
      [deliveryStatusTopicFor(channel), { batchSize: 1000 }],
      [retry.topic, { batchSize: 1000, delayMs: retry.delayMs }],
    ],
    (self, batch) => (self as DeliveryStatusHandler).handle(batch),
  );
  Object.defineProperty(DeliveryStatusHandler, 'name', {
    value: `${title(channel)}DeliveryStatusHandler`,
  });
  return DeliveryStatusHandler;
}
