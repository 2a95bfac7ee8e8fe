// Builds the Kafka handlers of one channel: its delivery topic plus that topic's delayed retry
// twins (from the configured retry stages), and its provider status topic plus its retry twin,
// all feeding the shared core. The three delivery apps differ only by channel.
import { Controller, type Type } from '@nestjs/common';
import {
  deliveryStatusTopicFor,
  deliveryTopicFor,
  retryTopicOf,
  type Channel,
  type DeliveryRequested,
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
): void {
  for (const [i, [topic, options]] of topics.entries()) {
    const name = `handle${i}`;
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

export function deliveryHandlerFor(channel: Channel, stages: readonly RetryStage[]): Type<unknown> {
  const topic = deliveryTopicFor(channel);

  @Controller()
  class DeliveryHandler {
    constructor(readonly deliver: DeliverService) {}

    async handle(batch: EventBatch<DeliveryRequested>): Promise<void> {
      await this.deliver.deliver(
        batch.events.map((e) => e.data),
        () => batch.heartbeat(),
      );
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
