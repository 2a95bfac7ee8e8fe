// The one kafkajs client of a service, and the logical ↔ physical topic naming (prefix).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import { installRecordEncoder } from './kafkajs-record-encoder.js';
import { mendKafkajsRequestQueue } from './kafkajs-request-queue.js';
import {
  KAFKA_OPTIONS,
  kafkaClientSecurity,
  resolveKafkaOptions,
  type KafkaOptions,
  type ResolvedKafkaOptions,
} from './kafka.options.js';

/** Routes kafkajs' own logs (warnings and errors only) through Nest's logger. */
export const kafkajsLogCreator: logCreator = () => {
  const loggers = new Map<string, Logger>();
  return ({ namespace, level, log }) => {
    const context = `kafkajs${namespace ? `:${namespace}` : ''}`;
    let logger = loggers.get(context);
    if (!logger) loggers.set(context, (logger = new Logger(context)));
    const { message, timestamp: _t, logger: _l, ...extra } = log;
    const detail = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
    // kafkajs logs every error *response* at the connection level, including the retriable
    // ones it recovers from by itself (leader moves, coordinator loading); the consumer and
    // producer layers report what it cannot recover from.
    if (level === logLevel.ERROR && namespace === 'Connection') logger.debug(`${message}${detail}`);
    else if (level === logLevel.ERROR) logger.error(`${message}${detail}`);
    else if (level === logLevel.WARN) logger.warn(`${message}${detail}`);
    else logger.debug(`${message}${detail}`);
  };
};

@Injectable()
export class KafkaConnection {
  readonly kafka: Kafka;
  readonly options: ResolvedKafkaOptions;

  constructor(@Inject(KAFKA_OPTIONS) options: KafkaOptions) {
    this.options = resolveKafkaOptions(options);
    mendKafkajsRequestQueue();
    if (!installRecordEncoder())
      new Logger(KafkaConnection.name).warn(
        'kafkajs produced before this connection was built: its own record encoder stays (correct, but slower)',
      );
    this.kafka = new Kafka({
      clientId: this.options.clientId,
      brokers: this.options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator,
      ...kafkaClientSecurity(this.options),
    });
  }

  /** Physical topic of a logical one: prefix + name. */
  physical(topic: string): string {
    return this.options.topicPrefix + topic;
  }

  /** Logical topic of a physical one (the prefix removed). */
  logical(physicalTopic: string): string {
    const prefix = this.options.topicPrefix;
    return prefix && physicalTopic.startsWith(prefix)
      ? physicalTopic.slice(prefix.length)
      : physicalTopic;
  }

  /** Consumer group of the handler of a logical topic: one group per topic, so no topic waits on another. */
  groupOf(topic: string): string {
    return `${this.options.topicPrefix}${this.options.groupId}.${topic}`;
  }
}
