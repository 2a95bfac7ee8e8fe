// Kafka headers Herald puts on events (CloudEvents binary mode) and on dead letters.
import {
  CATALOG,
  headerString,
  newAttributes,
  toKafkaHeaders,
  type CloudEventAttributes,
  type KafkaHeaderValue,
  type TopicName,
} from '@herald/contracts';

export const DLQ_HEADERS = {
  reason: 'herald_dlq_reason',
  topic: 'herald_dlq_topic',
  partition: 'herald_dlq_partition',
  offset: 'herald_dlq_offset',
  at: 'herald_dlq_at',
  code: 'herald_dlq_code',
  class: 'herald_dlq_class',
  attempts: 'herald_dlq_attempts',
} as const;

/** Headers longer than this are cut: a reason is for a person, not a stack dump. */
const MAX_REASON_LENGTH = 2000;

export interface EventHeaderInput {
  id?: string;
  traceparent?: string;
  headers?: Record<string, string>;
}

/** CloudEvents headers of one event of `topic` published by service `clientId`; they win over caller headers. */
export function eventHeaders(
  topic: TopicName,
  clientId: string,
  event: EventHeaderInput,
): Record<string, string> {
  const overrides: Partial<CloudEventAttributes> = {};
  if (event.id) overrides.id = event.id;
  if (event.traceparent) overrides.traceparent = event.traceparent;
  const attributes = newAttributes(CATALOG[topic].type, `/herald/${clientId}`, overrides);
  return { ...event.headers, ...toKafkaHeaders(attributes) };
}

/** kafkajs headers (Buffers, maybe repeated) as plain strings; a repeated header keeps its first value. */
export function stringHeaders(
  headers: Record<string, KafkaHeaderValue> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = headerString(value);
    if (text !== undefined) out[name] = text;
  }
  return out;
}

export interface DeadLetterOrigin {
  reason: string;
  /** Logical topic the message was consumed from. */
  topic: string;
  partition: number;
  offset: string;
  code?: string;
  /** Why it ended here: `invalid`, `permanent` or `transient` (attempts spent). */
  failureClass?: string;
  attempts?: number;
  at?: Date;
}

/** The original headers plus why and where from a message went to the DLQ. */
export function deadLetterHeaders(
  original: Record<string, string>,
  origin: DeadLetterOrigin,
): Record<string, string> {
  const reason =
    origin.reason.length > MAX_REASON_LENGTH
      ? `${origin.reason.slice(0, MAX_REASON_LENGTH)}…`
      : origin.reason;
  const headers: Record<string, string> = {
    ...original,
    [DLQ_HEADERS.reason]: reason,
    [DLQ_HEADERS.topic]: origin.topic,
    [DLQ_HEADERS.partition]: String(origin.partition),
    [DLQ_HEADERS.offset]: origin.offset,
    [DLQ_HEADERS.at]: (origin.at ?? new Date()).toISOString(),
  };
  if (origin.code) headers[DLQ_HEADERS.code] = origin.code;
  else delete headers[DLQ_HEADERS.code];
  if (origin.failureClass) headers[DLQ_HEADERS.class] = origin.failureClass;
  else delete headers[DLQ_HEADERS.class];
  if (origin.attempts !== undefined) headers[DLQ_HEADERS.attempts] = String(origin.attempts);
  else delete headers[DLQ_HEADERS.attempts];
  return headers;
}

const RETRY_SUFFIX = /\.retry\.[^.]+$/;

/** The contract topic of a topic: `X.retry.<label>` → `X`; any other topic → itself. */
export function baseTopicOf(topic: string): string {
  return topic.replace(RETRY_SUFFIX, '');
}

/** Rough wire size of a message, to bound one produce request. */
export function approximateSize(message: {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}): number {
  let size = 70; // record overhead: lengths, offsets, timestamps, attributes
  if (message.key) size += Buffer.byteLength(message.key);
  if (message.value) size += Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + Buffer.byteLength(value) + 4;
  return size;
}
