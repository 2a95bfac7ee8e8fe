// The consuming side of the catalog: `@OnEvent(topic)` is `@EventPattern(topic)` whose handler
// must take the topic's own events, so a handler typed for another payload does not compile.
import { EventPattern } from '@nestjs/microservices';
import type { EventMap, RetryTopic, TopicName } from '@herald/contracts';
import type { EventBatch, EventHandlerOptions } from './event-batch.js';
import type { RawValue } from './raw-record.js';

/** A contract topic or one of its delayed-retry twins, which carry the topic's own events. */
export type HandledTopic<T extends TopicName> = T | RetryTopic<T>;

/** What `@OnEvent` takes besides the topic: everything `@EventPattern`'s extras do but `raw`. */
export type OnEventOptions = Omit<EventHandlerOptions, 'raw'>;

type BatchHandler<D> = (batch: EventBatch<D>, ...rest: never[]) => unknown;

/**
 * Refuses (at compile time) a handler whose batch is wider than the topic's events, e.g.
 * `EventBatch<unknown>`: it would compile against any topic and check nothing.
 */
type ExactlyFor<H, D> = H extends (batch: infer B, ...rest: never[]) => unknown
  ? [EventBatch<D>] extends [B]
    ? [B] extends [EventBatch<D>]
      ? unknown
      : { 'the handler must take EventBatch<EventMap[topic]>': EventBatch<D> }
    : never
  : never;

type MethodDecoratorFor<D> = <H extends BatchHandler<D>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<H> & ExactlyFor<H, D>,
) => void;

/**
 * Handles one contract topic (or its retry twin, typed as the topic) with HeraldKafkaServer:
 * validated events of `EventMap[T]`, in batches per partition.
 *
 * ```ts
 * @OnEvent(Topics.TargetResolved, { batchSize: 10 })
 * async handle(@Payload() batch: EventBatch<TargetResolved>): Promise<void> {}
 * ```
 */
export function OnEvent<T extends TopicName>(
  topic: HandledTopic<T>,
  options: OnEventOptions = {},
): MethodDecoratorFor<EventMap[T]> {
  return (target, key, descriptor) => {
    EventPattern(topic, { ...options })(target, key, descriptor);
  };
}

/**
 * Handles records as they are, with no schema or CloudEvents checks (`raw: true`): for DLQ
 * readers, whose records are there because they may not be valid events at all.
 */
export function OnRawRecords(
  topics: string | readonly string[],
  options: OnEventOptions = {},
): MethodDecoratorFor<RawValue> {
  return (target, key, descriptor) => {
    EventPattern(typeof topics === 'string' ? topics : [...topics], {
      ...options,
      raw: true,
    } satisfies EventHandlerOptions)(target, key, descriptor);
  };
}
