// What a raw handler (`@OnRawRecords(topics)`) receives for a record: its value
// untouched, and the CloudEvents attributes its headers carry when they carry them, so a
// dead letter's trace still continues the original event's.
import type { KafkaMessage } from 'kafkajs';
import { fromKafkaHeaders, type CloudEventAttributes } from '@herald/contracts';

/** The value of a raw record: bytes as produced (null for a tombstone). */
export type RawValue = Buffer | null;

export function rawRecordOf(message: Pick<KafkaMessage, 'headers' | 'value' | 'timestamp'>): {
  ok: true;
  data: RawValue;
  attributes: CloudEventAttributes;
} {
  const parsed = fromKafkaHeaders(message.headers);
  const attributes: CloudEventAttributes = parsed.ok
    ? parsed.attributes
    : // Records without CloudEvents headers are expected here; empty attributes say "none".
      {
        id: '',
        type: '',
        source: '',
        specversion: '1.0',
        time: new Date(Number(message.timestamp) || Date.now()).toISOString(),
      };
  return { ok: true, data: message.value, attributes };
}
