export * from './kafka.options.js';
export * from './kafka.connection.js';
export * from './kafka.module.js';
export * from './event.publisher.js';
export * from './topic.admin.js';
export * from './event-batch.js';
export * from './on-event.decorator.js';
export { rawRecordOf, type RawValue } from './raw-record.js';
export { isSecretName, redactSecrets } from './secret-names.js';
export * from './herald-kafka.server.js';
export {
  DLQ_HEADERS,
  baseTopicOf,
  deadLetterHeaders,
  eventHeaders,
  stringHeaders,
} from './event-headers.js';
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { CoalescingQueue, type QueueBounds, type QueueMetrics } from './coalescing-queue.js';
export { HandlerErrorPassthroughFilter } from './handler-errors.filter.js';
export * from './kafka.metrics.js';
export { mendKafkajsRequestQueue } from './kafkajs-request-queue.js';
export { KeyPartitioner, murmur2, partitionOfKey } from './key-partitioner.js';
