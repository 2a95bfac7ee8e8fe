// The Nest transport for Herald's Kafka events. It keeps the @EventPattern model but fixes the
// limits of @nestjs/microservices' built-in Kafka transport: one consumer group per handled
// topic (no topic waits on another), batches per partition, commits after the work, invalid
// events and permanent failures to the DLQ, per-partition retry with backoff, pause/resume,
// delayed (retry) topics and a draining close.
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import type { Consumer } from 'kafkajs';
import type { EventBatch, EventHandlerOptions, HeraldKafkaContext } from './event-batch.js';
import { topicConfigsOf } from '@herald/contracts';
import { EventPublisher } from './event.publisher.js';
import { routeHandlerErrorsToTransport } from './handler-errors.filter.js';
import { KafkaConnection } from './kafka.connection.js';
import { KafkaMetrics } from './kafka.metrics.js';
import { TopicAdmin } from './topic.admin.js';
import {
  DEFAULT_FETCH_WAIT_MS,
  QUIET_FETCH_WAIT_MS,
  TopicConsumer,
  type TopicConsumerSettings,
} from './topic.consumer.js';

export const HANDLER_DEFAULTS = {
  batchSize: 500,
  concurrency: 3,
  delayMs: 0,
  fetchMinBytes: 1,
} as const;

type Status = 'connected' | 'disconnected';

@Injectable()
export class HeraldKafkaServer
  extends Server<Record<string, never>, Status>
  implements CustomTransportStrategy, OnApplicationShutdown
{
  /** Handler failures come back to this transport (retry or DLQ); Nest need not report them. */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(HeraldKafkaServer.name);
  private readonly consumers = new Map<string, TopicConsumer>();
  private readonly pausedTopics = new Set<string>();
  private closing?: Promise<void>;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: EventPublisher,
    private readonly admin: TopicAdmin,
    modules: ModulesContainer,
    private readonly metrics: KafkaMetrics,
  ) {
    super();
    routeHandlerErrorsToTransport(modules);
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Stops fetching, lets handler calls in flight finish and commit, then leaves the groups. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const consumers = [...this.consumers.values()];
      this.consumers.clear();
      await Promise.all(consumers.map((c) => c.stop()));
      this._status$.next('disconnected');
    })();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.consumers.size > 0) await this.close();
  }

  /** Stops fetching a logical topic (all its partitions) until resume(); may be called before listen. */
  pause(topic: string): void {
    if (this.pausedTopics.has(topic)) return;
    this.pausedTopics.add(topic);
    this.consumers.get(topic)?.pause();
    this.logger.log(`Paused ${topic}`);
  }

  resume(topic: string): void {
    if (!this.pausedTopics.delete(topic)) return;
    this.consumers.get(topic)?.resume();
    this.logger.log(`Resumed ${topic}`);
  }

  isPaused(topic: string): boolean {
    return this.pausedTopics.has(topic);
  }

  /** The consumer group of a logical topic's handler. */
  groupIdOf(topic: string): string {
    return this.connection.groupOf(topic);
  }

  on(): never {
    throw new Error(
      'HeraldKafkaServer does not support on(); use the kafkajs consumers from unwrap()',
    );
  }

  /** The kafkajs consumers, by logical topic. */
  unwrap<T = Map<string, Consumer>>(): T {
    return new Map([...this.consumers].map(([topic, c]) => [topic, c.consumer])) as T;
  }

  private async start(): Promise<void> {
    if (this.closing) throw new Error('HeraldKafkaServer is closed');
    const handlers = this.topicHandlers();
    const topics = [...handlers.keys()];
    // Raw handlers read the DLQs themselves: they get no `.dlq.dlq` (nor the rights to create one);
    // such a handler settles every record it can read and lets only outages through.
    const twins = topics
      .filter((t) => !handlers.get(t)!.settings.raw)
      .map((t) => TopicConsumer.deadLetterTopicOf(t));
    // Subscribing to a topic without leaders fails on KRaft: create and wait first.
    await this.admin.ensureTopics(
      [...new Set([...topics, ...twins])].map((topic) => ({
        topic,
        configs: topicConfigsOf(topic),
      })),
    );
    const started: TopicConsumer[] = [];
    try {
      await Promise.all(
        [...handlers].map(async ([topic, { handler, settings }]) => {
          const consumer = new TopicConsumer(
            this.connection,
            this.publisher,
            settings,
            (batch, context) => this.invoke(handler, batch, context),
            this.metrics,
          );
          started.push(consumer);
          this.consumers.set(topic, consumer);
          await consumer.start(this.pausedTopics.has(topic));
        }),
      );
    } catch (error) {
      this.consumers.clear();
      await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
      throw error;
    }
    this.logger.log(
      `Consuming ${topics.map((t) => `${t} (group ${this.connection.groupOf(t)})`).join(', ') || 'nothing'}`,
    );
    this._status$.next('connected');
  }

  private topicHandlers(): Map<
    string,
    { handler: MessageHandler; settings: TopicConsumerSettings }
  > {
    const handlers = new Map<
      string,
      { handler: MessageHandler; settings: TopicConsumerSettings }
    >();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler) {
        this.logger.warn(
          `@MessagePattern(${pattern}) is not supported on Kafka (events only); ignored`,
        );
        continue;
      }
      handlers.set(pattern, {
        handler,
        settings: settingsOf(pattern, (handler.extras ?? {}) as EventHandlerOptions),
      });
    }
    return handlers;
  }

  private async invoke(
    handler: MessageHandler,
    batch: EventBatch<unknown>,
    context: HeraldKafkaContext,
  ): Promise<void> {
    const result = (await handler(batch, context)) as unknown;
    await lastValueFrom(this.transformToObservable(result as Observable<unknown>), {
      defaultValue: undefined,
    });
  }
}

function settingsOf(topic: string, extras: EventHandlerOptions): TopicConsumerSettings {
  const settings = {
    topic,
    batchSize: extras.batchSize ?? HANDLER_DEFAULTS.batchSize,
    concurrency: extras.concurrency ?? HANDLER_DEFAULTS.concurrency,
    delayMs: extras.delayMs ?? HANDLER_DEFAULTS.delayMs,
    fetchMinBytes: extras.fetchMinBytes ?? HANDLER_DEFAULTS.fetchMinBytes,
    fetchMaxWaitMs: extras.fetchMaxWaitMs ?? fetchWaitOf(extras),
    raw: extras.raw === true,
  };
  const wholeAtLeast = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (
    !wholeAtLeast(settings.batchSize, 1) ||
    !wholeAtLeast(settings.concurrency, 1) ||
    !wholeAtLeast(settings.delayMs, 0) ||
    !wholeAtLeast(settings.fetchMinBytes, 1) ||
    !wholeAtLeast(settings.fetchMaxWaitMs, 1)
  ) {
    throw new Error(
      `@EventPattern(${topic}) extras are invalid: ${JSON.stringify(extras)} (batchSize ≥ 1, concurrency ≥ 1, delayMs ≥ 0, fetchMinBytes ≥ 1, fetchMaxWaitMs ≥ 1, whole numbers)`,
    );
  }
  return settings;
}

/** A handler's fetch wait when it sets none: longer for delayed retry twins and DLQ readers. */
export function fetchWaitOf({ delayMs, raw }: EventHandlerOptions): number {
  return (delayMs ?? 0) > 0 || raw === true ? QUIET_FETCH_WAIT_MS : DEFAULT_FETCH_WAIT_MS;
}
