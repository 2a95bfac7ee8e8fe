import { Topics } from './topics.js';

/**
 * A hook call may carry up to 1 MiB of JSON, and its BroadcastRequested event is a little larger
 * than the body: that topic (and its DLQ twin) accepts messages up to this size, above Kafka's
 * 1 MB default. Every other event is small.
 */
export const MAX_REQUEST_EVENT_BYTES = 4 * 1024 * 1024;

/** Broker settings a topic needs beyond the cluster defaults (Strimzi KafkaTopics use the same). */
export function topicConfigsOf(topic: string): Record<string, string> {
  const base = topic.endsWith('.dlq') ? topic.slice(0, -'.dlq'.length) : topic;
  return base === Topics.BroadcastRequested
    ? { 'max.message.bytes': String(MAX_REQUEST_EVENT_BYTES) }
    : {};
}

/** Kafka's default `max.message.bytes` (1 MB plus the batch overhead), for topics that keep it. */
export const DEFAULT_MAX_RECORD_BYTES = 1_000_000;

/** The largest record a logical topic (or its retry/DLQ twin) takes; what is larger is refused for good. */
export function maxRecordBytesOf(topic: string): number {
  const base = topic.replace(/\.(dlq|retry\.[^.]+)$/, '');
  return base === Topics.BroadcastRequested
    ? MAX_REQUEST_EVENT_BYTES - 64 * 1024
    : DEFAULT_MAX_RECORD_BYTES;
}
