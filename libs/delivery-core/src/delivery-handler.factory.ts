// Builds the Kafka handlers of one channel: its delivery topic plus that topic's delayed retry
// twins (from the configured retry stages), and its provider status topic plus its retry twin,
// all feeding the shared core. The three delivery apps differ only by channel.
import { Controller, type Type } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import {
  deliveryStatusTopicFor,
  deliveryTopicFor,
  retryTopicOf,
  type Channel,
  type DeliveryRequested,
  type DeliveryStatusReport,
} from '@herald/contracts';
import type { EventBatch } from '@herald/kafka';
import { DeliverService } from './deliver.service.js';
import { DeliveryStatusService } from './delivery-status.service.js';
import type { RetryStage } from './retry-schedule.js';

type Patterns = Array<[string, Record<string, unknown>]>;

/** Adds one handler method per pattern (names are generated: @EventPattern wants one method each). */
function bindPatterns(
  target: Type<unknown>,
  patterns: Patterns,
  call: (self: unknown, batch: EventBatch<unknown>) => Promise<void>,
): void {
  for (const [i, [pattern, extras]] of patterns.entries()) {
    const name = `handle${i}`;
    Object.defineProperty(target.prototype, name, {
      value: function (this: unknown, batch: EventBatch<unknown>) {
        return call(this, batch);
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name)!;
    EventPattern(pattern, extras)(target.prototype as object, name, descriptor);
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

  bindPatterns(
    DeliveryHandler,
    [
      [topic, { batchSize: 500, concurrency: 3 }],
      ...stages.map((s): [string, Record<string, unknown>] => [
        retryTopicOf(topic, s.label),
        { batchSize: 500, delayMs: s.delayMs },
      ]),
    ],
    (self, batch) => (self as DeliveryHandler).handle(batch as EventBatch<DeliveryRequested>),
  );
  Object.defineProperty(DeliveryHandler, 'name', { value: `${title(channel)}DeliveryHandler` });
  return DeliveryHandler;
}

export function deliveryStatusHandlerFor(
  channel: Channel,
  retry: { topic: string; delayMs: number },
): Type<unknown> {
  @Controller()
  class DeliveryStatusHandler {
    constructor(readonly statuses: DeliveryStatusService) {}

    async handle(batch: EventBatch<DeliveryStatusReport>): Promise<void> {
      await this.statuses.apply(batch.events.map((e) => e.data));
    }
  }

  bindPatterns(
    DeliveryStatusHandler,
    [
      [deliveryStatusTopicFor(channel), { batchSize: 1000 }],
      [retry.topic, { batchSize: 1000, delayMs: retry.delayMs }],
    ],
    (self, batch) =>
      (self as DeliveryStatusHandler).handle(batch as EventBatch<DeliveryStatusReport>),
  );
  Object.defineProperty(DeliveryStatusHandler, 'name', {
    value: `${title(channel)}DeliveryStatusHandler`,
  });
  return DeliveryStatusHandler;
}
