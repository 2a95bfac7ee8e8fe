// Batched first tries on real Kafka (issue 14): the contact service turns a page of people into
// `delivery.requested.<channel>.v2` records, one per partition their contact ids hash to, each on
// exactly that partition (the record's key, its first recipient, hashes there too), so one
// person's requests stay in order; everyone once, nothing on the one-person v1 topics.
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import {
  CATALOG,
  Topics,
  deliveryBatchTopicFor,
  deliveryTopicFor,
  type Channel,
  type DeliveryRequestedBatch,
} from '@herald/contracts';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

/** Where kafkajs' default partitioner (the publisher's) puts a key among `count` partitions. */
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

describe('batched delivery requests (contact → delivery.requested.<channel>.v2)', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    // No delivery service: the records stay where the contact service put them, to be read back.
    h = await DeliveryHarness.start({}, ['gateway', 'audience', 'contact']);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** The run's records on `channel`'s v2 topic once they name `people` recipients. */
  async function recordsOf(channel: Channel, runId: string, people: number) {
    const topic = deliveryBatchTopicFor(channel);
    return eventually(async () => {
      const end = await h.probe.endOffset(topic);
      if (end === 0) return undefined;
      const records = (await h.probe.read(topic, end)).flatMap((message) => {
        const data = JSON.parse(message.value) as DeliveryRequestedBatch;
        return data.runId === runId ? [{ message, data }] : [];
      });
      const named = records.reduce((n, r) => n + r.data.recipients.length, 0);
      return named >= people ? records : undefined;
    }, `${people} people on ${topic}`);
  }

  it('publishes a page as one record per partition, each person once, on the partition their contact id hashes to', async () => {
    const botId = await h.bot({
      whatsapp: { phoneNumberId: '1065551401', accessToken: 'EAAG-test' },
      sms: {
        accountSid: 'AC00000000000000000000000000001401',
        authToken: 't',
        from: '+15550014000',
      },
    });
    const onWhatsapp = Array.from({ length: 90 }, (_, i) => `1555140${String(i).padStart(4, '0')}`);
    const onSms = Array.from({ length: 30 }, (_, i) => `+1555141${String(i).padStart(4, '0')}`);
    const messages = [{ text: 'Hello {{first_name}}' }];
    const runId = await h.broadcast({
      botId,
      content: { messages },
      payload: { campaign: 'batched' },
      targets: [
        ...onWhatsapp.map((userId, i) => ({
          userId,
          channel: 'whatsapp' as const,
          create: true,
          variables: { first_name: `W${i}` },
          // One person with their own text (as a From-API row has).
          ...(i === 7 ? { message: 'Your own text' } : {}),
        })),
        ...onSms.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
      ],
    });

    const { numPartitions } = await partitionsOf(deliveryBatchTopicFor('whatsapp'));
    const partitionOf = partitionerOver(numPartitions);
    for (const [channel, people] of [
      ['whatsapp', onWhatsapp],
      ['sms', onSms],
    ] as const) {
      const records = await recordsOf(channel, runId, people.length);
      // Each record on the partition its key and every recipient hash to, one record a partition.
      for (const { message, data } of records) {
        expect(message.key).toBe(data.recipients[0].contactId);
        expect(data.recipients.map((r) => partitionOf(r.contactId))).toEqual(
          data.recipients.map(() => message.partition),
        );
        expect(data).toMatchObject({
          runId,
          botId,
          channel,
          messages,
          payload: { campaign: 'batched' },
        });
        expect(message.headers.ce_type).toBe(CATALOG[deliveryBatchTopicFor(channel)].type);
      }
      expect(new Set(records.map((r) => r.message.partition)).size).toBe(records.length);
      expect(records.length).toBeLessThanOrEqual(numPartitions);
      // Only the person with their own text carries messages of their own.
      const own = records.flatMap((r) => r.data.recipients.filter((p) => p.messages));
      expect(own.map((p) => [p.to, p.messages])).toEqual(
        channel === 'whatsapp' ? [[onWhatsapp[7], [{ text: 'Your own text' }]]] : [],
      );
      // Everyone once, by their address on the channel.
      const addresses = records.flatMap((r) => r.data.recipients.map((p) => p.to));
      expect([...addresses].sort()).toEqual([...people].sort());
      expect(new Set(records.flatMap((r) => r.data.recipients.map((p) => p.contactId))).size).toBe(
        people.length,
      );
    }
    // First tries no longer travel one person a record.
    expect(await h.probe.endOffset(deliveryTopicFor('whatsapp'))).toBe(0);
    expect(await h.probe.endOffset(deliveryTopicFor('sms'))).toBe(0);
    expect(await h.probe.endOffset(Topics.DeliveryRequestedMessenger)).toBe(0);
  });

  /** The partition count of a logical topic. */
  async function partitionsOf(topic: string): Promise<{ numPartitions: number }> {
    const admin = await h.probe.admin();
    const { topics } = await admin.fetchTopicMetadata({ topics: [h.probe.physical(topic)] });
    return { numPartitions: topics[0].partitions.length };
  }
});
