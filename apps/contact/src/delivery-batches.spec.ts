import { randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import {
  BATCH_RECORD_BYTES,
  MAX_BATCH_RECIPIENTS,
  Topics,
  requestsOf,
  validateEventData,
  type DeliveryRequested,
} from '@herald/contracts';
import { batchRecords, recipientOf, type BatchShared } from './delivery-batches.js';

const shared: BatchShared = {
  runId: randomUUID(),
  botId: randomUUID(),
  channel: 'sms',
  messages: [{ text: 'Hello {{first_name}}' }],
  payload: { campaign: 'spring' },
};

const request = (n: number, own?: Partial<DeliveryRequested>): DeliveryRequested => ({
  runId: shared.runId,
  botId: shared.botId,
  contactId: randomUUID(),
  channel: 'sms',
  to: `+1555000${String(n).padStart(4, '0')}`,
  messages: shared.messages,
  variables: { first_name: `Person ${n}` },
  payload: shared.payload,
  attempt: 0,
  ...own,
});

/** kafkajs' default partitioner (the one the publisher uses) over `count` partitions. */
function partitionerOver(count: number): (key: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, partitionId): PartitionMetadata => ({
    partitionId,
    leader: partitionId,
    replicas: [],
    isr: [],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
  return (key) => partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

const people = (requests: DeliveryRequested[], partitionOf: (r: DeliveryRequested) => number) =>
  requests.map((r) => ({ recipient: recipientOf(r, shared), partition: partitionOf(r) }));

describe('batched delivery requests (contact stage)', () => {
  it('groups people by their partition, in page order, each record keyed by its first recipient', () => {
    const requests = Array.from({ length: 6 }, (_, i) => request(i));
    const partitions = [3, 1, 3, 0, 1, 3];
    const records = batchRecords(
      shared,
      people(requests, (r) => partitions[requests.indexOf(r)]),
    );
    expect(records.map((r) => r.data.recipients.map((p) => p.contactId))).toEqual([
      [requests[0].contactId, requests[2].contactId, requests[5].contactId],
      [requests[1].contactId, requests[4].contactId],
      [requests[3].contactId],
    ]);
    expect(records.map((r) => r.key)).toEqual(records.map((r) => r.data.recipients[0].contactId));
    for (const record of records) expect(record.data).toMatchObject(shared);
  });

  it("keeps every recipient on the partition of the record's key (the real partitioner), so one person's requests stay in order", () => {
    const partitionOf = partitionerOver(12);
    const requests = Array.from({ length: 500 }, (_, i) => request(i));
    const records = batchRecords(
      shared,
      people(requests, (r) => partitionOf(r.contactId)),
    );
    expect(records.length).toBeLessThanOrEqual(12);
    for (const record of records) {
      const partition = partitionOf(record.key);
      expect(record.data.recipients.map((p) => partitionOf(p.contactId))).toEqual(
        record.data.recipients.map(() => partition),
      );
    }
    // Everyone once, and the page order kept within each partition.
    const sent = records.flatMap((r) => r.data.recipients.map((p) => p.contactId));
    expect([...sent].sort()).toEqual(requests.map((r) => r.contactId).sort());
    for (const record of records) {
      const order = record.data.recipients.map((p) =>
        requests.findIndex((r) => r.contactId === p.contactId),
      );
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('cuts a partition at the most recipients a record carries, in page order', () => {
    const requests = Array.from({ length: MAX_BATCH_RECIPIENTS * 2 + 1 }, (_, i) => request(i));
    const records = batchRecords(
      shared,
      people(requests, () => 0),
    );
    expect(records.map((r) => r.data.recipients.length)).toEqual([
      MAX_BATCH_RECIPIENTS,
      MAX_BATCH_RECIPIENTS,
      1,
    ]);
    expect(records.flatMap((r) => r.data.recipients.map((p) => p.contactId))).toEqual(
      requests.map((r) => r.contactId),
    );
    for (const record of records)
      expect(validateEventData(Topics.DeliveryBatchSms, record.data).ok).toBe(true);
  });

  it('cuts a partition by JSON bytes, each record under the limit and as full as it can be', () => {
    // About 4 KiB a person: 1,000 people would be about 4 MB.
    const requests = Array.from({ length: MAX_BATCH_RECIPIENTS }, (_, i) =>
      request(i, { variables: { first_name: `Person ${i}`, note: 'é'.repeat(2_000) } }),
    );
    const records = batchRecords(
      shared,
      people(requests, () => 5),
    );
    expect(records.length).toBeGreaterThan(1);
    const sizes = records.map((r) => Buffer.byteLength(JSON.stringify(r.data)));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(BATCH_RECORD_BYTES);
    const person = Buffer.byteLength(JSON.stringify(records[0].data.recipients[0])) + 1;
    for (const size of sizes.slice(0, -1))
      expect(size).toBeGreaterThan(BATCH_RECORD_BYTES - person);
    expect(records.flatMap((r) => r.data.recipients.map((p) => p.contactId))).toEqual(
      requests.map((r) => r.contactId),
    );
    for (const record of records)
      expect(validateEventData(Topics.DeliveryBatchSms, record.data).ok).toBe(true);
  });

  it('cuts by a tiny byte limit down to one person a record, never to none', () => {
    const requests = [request(0), request(1), request(2)];
    const records = batchRecords(
      shared,
      people(requests, () => 0),
      { recipients: MAX_BATCH_RECIPIENTS, bytes: 10 },
    );
    expect(records.map((r) => r.data.recipients.length)).toEqual([1, 1, 1]);
  });

  it('stands for exactly the one-person requests it was made of: own messages, fallback and last inbound kept per person', () => {
    const requests = [
      request(0),
      request(1, { messages: [{ text: 'Your own text' }] }),
      request(2, { lastInboundAt: '2026-12-06T07:00:00.000Z', fallback: ['sms'] }),
      request(3, {
        fallbackFrom: {
          channel: 'whatsapp',
          contactId: randomUUID(),
          code: 'NOT_ON_WHATSAPP',
          reason: 'not a WhatsApp number',
        },
        variables: { first_name: 'Grace', from_first: 'yes' },
      }),
    ];
    const partitions = [0, 1, 0, 1];
    const records = batchRecords(
      shared,
      people(requests, (r) => partitions[requests.indexOf(r)]),
    );
    expect(records[1].data.recipients[0]).toEqual({
      contactId: requests[1].contactId,
      to: requests[1].to,
      variables: requests[1].variables,
      messages: [{ text: 'Your own text' }],
    });
    // The shared messages are not repeated per person.
    expect(records[0].data.recipients[0]).not.toHaveProperty('messages');
    expect(records.flatMap((r) => requestsOf(r.data))).toEqual([
      requests[0],
      requests[2],
      requests[1],
      requests[3],
    ]);
  });
});
