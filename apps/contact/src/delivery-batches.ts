// Cuts the people of one page on one channel into batched delivery requests
// (`delivery.requested.<channel>.v2`): one record per partition their contact ids hash to, so each
// person's requests stay in order on one partition, at most MAX_BATCH_RECIPIENTS people and
// BATCH_RECORD_BYTES of JSON a record. Pure: the partitions are given.
import {
  BATCH_RECORD_BYTES,
  MAX_BATCH_RECIPIENTS,
  type DeliveryRecipient,
  type DeliveryRequested,
  type DeliveryRequestedBatch,
} from '@herald/contracts';
import type { OutgoingEvent } from '@herald/kafka';

/** What every person of a batched record shares (the page's run, channel, messages, options). */
export type BatchShared = Omit<DeliveryRequestedBatch, 'recipients'>;

export interface BatchLimits {
  recipients: number;
  bytes: number;
}

export const BATCH_LIMITS: BatchLimits = {
  recipients: MAX_BATCH_RECIPIENTS,
  bytes: BATCH_RECORD_BYTES,
};

/**
 * The fields of a one-person request that are that person's own. Its messages are kept only
 * when they are not the shared ones (a From-API row's own text).
 */
export function recipientOf(
  request: DeliveryRequested,
  shared: Pick<BatchShared, 'messages'>,
): DeliveryRecipient {
  return {
    contactId: request.contactId,
    to: request.to,
    variables: request.variables,
    ...(request.messages !== shared.messages ? { messages: request.messages } : {}),
    ...(request.lastInboundAt !== undefined ? { lastInboundAt: request.lastInboundAt } : {}),
    ...(request.fallback !== undefined ? { fallback: request.fallback } : {}),
    ...(request.fallbackFrom !== undefined ? { fallbackFrom: request.fallbackFrom } : {}),
  };
}

/**
 * The records for `people` (in page order; `partition` is where their contact id hashes to):
 * grouped by partition in the order each partition first appears, each group cut in page order
 * by count and by JSON bytes. Each record is keyed by its first recipient's contact id, which
 * hashes to that same partition. One person too large for a record alone still gets a record
 * (the publisher refuses it if it is over the topic's limit, as it would a one-person request).
 */
export function batchRecords(
  shared: BatchShared,
  people: ReadonlyArray<{ recipient: DeliveryRecipient; partition: number }>,
  limits: BatchLimits = BATCH_LIMITS,
): OutgoingEvent<DeliveryRequestedBatch>[] {
  const byPartition = new Map<number, DeliveryRecipient[]>();
  for (const { recipient, partition } of people) {
    let group = byPartition.get(partition);
    if (!group) byPartition.set(partition, (group = []));
    group.push(recipient);
  }
  // `{...shared,"recipients":[]}`: every recipient adds its JSON and a comma (but the first).
  const sharedBytes = Buffer.byteLength(JSON.stringify({ ...shared, recipients: [] }));
  const records: OutgoingEvent<DeliveryRequestedBatch>[] = [];
  const emit = (recipients: DeliveryRecipient[]) =>
    records.push({ key: recipients[0].contactId, data: { ...shared, recipients } });
  for (const group of byPartition.values()) {
    let current: DeliveryRecipient[] = [];
    let bytes = sharedBytes;
    for (const recipient of group) {
      const size = Buffer.byteLength(JSON.stringify(recipient)) + 1;
      if (
        current.length > 0 &&
        (current.length >= limits.recipients || bytes + size > limits.bytes)
      ) {
        emit(current);
        current = [];
        bytes = sharedBytes;
      }
      current.push(recipient);
      bytes += size;
    }
    if (current.length > 0) emit(current);
  }
  return records;
}
