import 'reflect-metadata';
import {
  PATTERN_EXTRAS_METADATA,
  PATTERN_HANDLER_METADATA,
  PATTERN_METADATA,
} from '@nestjs/microservices/constants.js';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum.js';
import { Topics, retryTopicOf, type DeliveryResult, type TargetResolved } from '@herald/contracts';
import type { EventBatch } from './event-batch.js';
import { OnEvent, OnRawRecords } from './on-event.decorator.js';
import type { RawValue } from './raw-record.js';

class Handlers {
  @OnEvent(Topics.TargetResolved, { batchSize: 10 })
  async page(batch: EventBatch<TargetResolved>): Promise<void> {
    await batch.heartbeat();
  }

  @OnEvent(retryTopicOf(Topics.DeliveryResult, '5s'), { delayMs: 5_000 })
  async later(batch: EventBatch<DeliveryResult>): Promise<void> {
    await batch.heartbeat();
  }

  @OnRawRecords(['target.resolved.v1.dlq', 'delivery.result.v1.dlq'], { concurrency: 1 })
  async letters(batch: EventBatch<RawValue>): Promise<void> {
    await batch.heartbeat();
  }
}

// What must not compile: each line below is a type error, or `tsc` fails on the unused directive.
export class Refused {
  // @ts-expect-error a handler for another topic's events
  @OnEvent(Topics.TargetResolved)
  async other(batch: EventBatch<DeliveryResult>): Promise<void> {
    await batch.heartbeat();
  }

  // @ts-expect-error a handler that takes any payload checks nothing
  @OnEvent(Topics.TargetResolved)
  async wide(batch: EventBatch<unknown>): Promise<void> {
    await batch.heartbeat();
  }

  // @ts-expect-error a retry twin carries its topic's events
  @OnEvent(retryTopicOf(Topics.DeliveryResult, '5s'))
  async twin(batch: EventBatch<TargetResolved>): Promise<void> {
    await batch.heartbeat();
  }

  // @ts-expect-error a raw handler gets the bytes, not parsed events
  @OnRawRecords('delivery.result.v1.dlq')
  async raw(batch: EventBatch<DeliveryResult>): Promise<void> {
    await batch.heartbeat();
  }

  // @ts-expect-error not a contract topic
  @OnEvent('delivery.unknown.v1')
  async unknown(batch: EventBatch<DeliveryResult>): Promise<void> {
    await batch.heartbeat();
  }
}

const metadata = (method: keyof Handlers) => {
  const fn = Handlers.prototype[method];
  return {
    patterns: Reflect.getMetadata(PATTERN_METADATA, fn) as unknown,
    handler: Reflect.getMetadata(PATTERN_HANDLER_METADATA, fn) as unknown,
    extras: Reflect.getMetadata(PATTERN_EXTRAS_METADATA, fn) as unknown,
  };
};

describe('@OnEvent', () => {
  it('registers an event handler for the topic with its options, as @EventPattern does', () => {
    expect(metadata('page')).toEqual({
      patterns: [Topics.TargetResolved],
      handler: PatternHandler.EVENT,
      extras: { batchSize: 10 },
    });
    expect(metadata('later')).toEqual({
      patterns: ['delivery.result.v1.retry.5s'],
      handler: PatternHandler.EVENT,
      extras: { delayMs: 5_000 },
    });
  });

  it('@OnRawRecords registers a raw handler for every topic given', () => {
    expect(metadata('letters')).toEqual({
      patterns: ['target.resolved.v1.dlq', 'delivery.result.v1.dlq'],
      handler: PatternHandler.EVENT,
      extras: { concurrency: 1, raw: true },
    });
  });
});
