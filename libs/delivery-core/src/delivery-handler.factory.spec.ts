// Handler tier: the delivery handlers one channel's app is built from, inside the Kafka transport,
// with the real event validation and fake delivery and status services.
import { randomUUID } from 'node:crypto';
import {
  MAX_BATCH_RECIPIENTS,
  Topics,
  deliveryBatchTopicFor,
  deliveryTopicFor,
  requestsOf,
  retryTopicOf,
  type DeliveryRequested,
  type DeliveryRequestedBatch,
  type DeliveryStatusReport,
} from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { DeliverService, type BatchConsumer } from './deliver.service.js';
import {
  BATCH_RECORDS_PER_CALL,
  callsOf,
  deliveryHandlerFor,
  deliveryStatusHandlerFor,
} from './delivery-handler.factory.js';
import { DeliveryStatusService } from './delivery-status.service.js';

const MINUTE = 60_000;
const topic = deliveryTopicFor('sms');
const batchTopic = deliveryBatchTopicFor('sms');
const statusRetry = retryTopicOf(Topics.DeliveryStatusSms, '1m');

const request = (): DeliveryRequested => ({
  runId: randomUUID(),
  botId: randomUUID(),
  contactId: randomUUID(),
  channel: 'sms',
  to: '+15550000001',
  messages: [{ text: 'Hello {{first_name}}' }],
  variables: { first_name: 'Ada' },
  attempt: 0,
});

/** A batched first try of `count` people of one run. */
const batchOf = (
  count: number,
  own: Partial<DeliveryRequestedBatch> = {},
): DeliveryRequestedBatch => ({
  runId: randomUUID(),
  botId: randomUUID(),
  channel: 'sms',
  messages: [{ text: 'Hello {{first_name}}' }],
  recipients: Array.from({ length: count }, (_, i) => ({
    contactId: randomUUID(),
    to: `+1555000${String(i).padStart(4, '0')}`,
    variables: { first_name: `Person ${i}` },
  })),
  ...own,
});

/** Runs whose deliveries the fake delivery service refuses for good. */
const refusedRuns = new Set<string>();

const report: DeliveryStatusReport = {
  channel: 'sms',
  account: 'AC00000000000000000000000000000001',
  recipient: '+15550000001',
  status: 'delivered',
  providerMessageId: 'SM00000000000000000000000000000001',
  at: '2026-12-06T08:00:00.000Z',
};

describe('delivery handlers of a channel (handler tier)', () => {
  const delivered: DeliveryRequested[][] = [];
  const applied: DeliveryStatusReport[][] = [];
  let harness: KafkaHandlerHarness;

  beforeAll(async () => {
    harness = await KafkaHandlerHarness.start({
      controllers: [
        deliveryHandlerFor('sms', [{ label: '5m', delayMs: 5 * MINUTE }]),
        deliveryStatusHandlerFor('sms', { topic: statusRetry, delayMs: MINUTE }),
      ],
      providers: [
        {
          provide: DeliverService,
          useValue: {
            deliver: async (requests: DeliveryRequested[], consumer: BatchConsumer) => {
              await consumer.heartbeat();
              expect(consumer.handBack?.aborted).toBe(false);
              if (requests.some((r) => refusedRuns.has(r.runId)))
                throw new HeraldError(ErrorCode.Forbidden, 'this run cannot be delivered');
              delivered.push(requests);
            },
          },
        },
        {
          provide: DeliveryStatusService,
          useValue: {
            apply: async (reports: DeliveryStatusReport[]) => {
              applied.push(reports);
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await harness.close();
  });

  beforeEach(() => {
    delivered.length = 0;
    applied.length = 0;
  });

  it("consumes the channel's batched and one-person delivery topics, the retry stage, its status topic and that one's retry", () => {
    expect(harness.topics.sort()).toEqual(
      [batchTopic, topic, retryTopicOf(topic, '5m'), Topics.DeliveryStatusSms, statusRetry].sort(),
    );
  });

  it('hands the batched records of a fetch over as the one-person first tries they stand for, in record order', async () => {
    const batches = [batchOf(3), batchOf(2, { messages: [{ text: 'Shared' }], payload: { x: 1 } })];
    batches[1].recipients[1].messages = [{ text: 'Own' }];
    const handover = await harness.deliver(
      batchTopic,
      batches.map((data) => ({ data, key: data.recipients[0].contactId })),
    );
    expect(delivered).toEqual([batches.flatMap(requestsOf)]);
    expect(delivered[0].map((r) => r.attempt)).toEqual([0, 0, 0, 0, 0]);
    expect(delivered[0][3]).toMatchObject({ messages: [{ text: 'Shared' }], payload: { x: 1 } });
    expect(delivered[0][4].messages).toEqual([{ text: 'Own' }]);
    expect(handover).toEqual({ done: ['1'], deadLetters: [] });
  });

  it('calls the delivery service with at most MAX_BATCH_RECIPIENTS people, cutting between records', async () => {
    const batches = Array.from({ length: BATCH_RECORDS_PER_CALL }, () => batchOf(150));
    const handover = await harness.deliver(
      batchTopic,
      batches.map((data) => ({ data })),
    );
    // 6 records of 150 fit in a call of 1,000; 20 records make 4 calls (6, 6, 6, 2).
    expect(delivered.map((call) => call.length)).toEqual([900, 900, 900, 300]);
    expect(delivered.flat()).toEqual(batches.flatMap(requestsOf));
    expect(handover.deadLetters).toEqual([]);
    expect(callsOf([batchOf(MAX_BATCH_RECIPIENTS), batchOf(1)]).map((c) => c.length)).toEqual([
      MAX_BATCH_RECIPIENTS,
      1,
    ]);
  });

  it('dead-letters a batched record that fails for good whole (every recipient in it), and delivers the records around it', async () => {
    const [before, bad, after] = [batchOf(2), batchOf(3), batchOf(1)];
    refusedRuns.add(bad.runId);
    try {
      const handover = await harness.deliver(
        batchTopic,
        [before, bad, after].map((data) => ({ data })),
      );
      // The batch failed as a whole, then its records were handled one by one.
      expect(delivered).toEqual([requestsOf(before), requestsOf(after)]);
      expect(handover.deadLetters).toEqual([
        expect.objectContaining({
          topic: `${batchTopic}.dlq`,
          failureClass: 'permanent',
          code: ErrorCode.Forbidden,
          attempts: 1,
          reason: 'this run cannot be delivered',
        }),
      ]);
      const parked = JSON.parse(handover.deadLetters[0].value!) as DeliveryRequestedBatch;
      expect(parked.recipients.map((r) => r.contactId)).toEqual(
        bad.recipients.map((r) => r.contactId),
      );
    } finally {
      refusedRuns.delete(bad.runId);
    }
  });

  it('refuses an invalid batched record as permanent: dead-lettered at once, the others delivered', async () => {
    const valid = batchOf(2);
    const handover = await harness.deliver(batchTopic, [
      { data: { ...batchOf(1), recipients: [] } },
      { data: valid },
    ]);
    expect(delivered).toEqual([requestsOf(valid)]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: `${batchTopic}.dlq`,
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        reason: expect.stringContaining('recipients'),
      }),
    ]);
  });

  it('hands a valid batch of requests to the delivery service', async () => {
    const requests = [request(), request()];
    const handover = await harness.deliver(
      topic,
      requests.map((data) => ({ data })),
    );
    expect(delivered).toEqual([requests]);
    expect(handover).toEqual({ done: ['1'], deadLetters: [] });
  });

  it('hands a retried request over once its stage delay has passed, not before', async () => {
    const retried = { ...request(), attempt: 1 };
    const early = await harness.deliver(retryTopicOf(topic, '5m'), [{ data: retried }], {
      partition: 1,
      timestamp: Date.now(),
    });
    expect(early.done).toEqual([]);
    expect(delivered).toEqual([]);
    const due = await harness.deliver(retryTopicOf(topic, '5m'), [{ data: retried }], {
      partition: 2,
      timestamp: Date.now() - 5 * MINUTE,
    });
    expect(due.done).toEqual(['1']);
    expect(delivered).toEqual([[retried]]);
  });

  it('refuses an invalid request as permanent: dead-lettered at once, nothing sent', async () => {
    const handover = await harness.deliver(topic, [{ data: { ...request(), to: '' } }]);
    expect(delivered).toEqual([]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: `${topic}.dlq`,
        failureClass: 'invalid',
        code: ErrorCode.InvalidEvent,
        attempts: 1,
        reason: expect.stringContaining('/to'),
      }),
    ]);
  });

  it('hands valid status reports to the status service, and refuses invalid ones the same way', async () => {
    const handover = await harness.deliver(Topics.DeliveryStatusSms, [
      { data: report },
      { data: { ...report, status: 'exploded' } },
    ]);
    expect(applied).toEqual([[report]]);
    expect(handover.deadLetters).toEqual([
      expect.objectContaining({
        topic: `${Topics.DeliveryStatusSms}.dlq`,
        failureClass: 'invalid',
        offset: '1',
      }),
    ]);
  });
});

describe.each(['whatsapp', 'sms', 'messenger'] as const)(
  'the %s delivery handler (handler tier)',
  (channel) => {
    it("consumes that channel's topics only, and hands its requests over", async () => {
      const delivered: DeliveryRequested[][] = [];
      const harness = await KafkaHandlerHarness.start({
        controllers: [deliveryHandlerFor(channel, [{ label: '30s', delayMs: 30_000 }])],
        providers: [
          {
            provide: DeliverService,
            useValue: {
              deliver: async (requests: DeliveryRequested[]) => {
                delivered.push(requests);
              },
            },
          },
        ],
      });
      try {
        const own = deliveryTopicFor(channel);
        expect(harness.topics.sort()).toEqual(
          [deliveryBatchTopicFor(channel), own, retryTopicOf(own, '30s')].sort(),
        );
        const data = {
          ...request(),
          channel,
          to: channel === 'messenger' ? 'psid-1' : '+15550000001',
        };
        await harness.deliver(own, [{ data }]);
        expect(delivered).toEqual([[data]]);
        const batch = {
          ...batchOf(1),
          channel,
          recipients: [{ contactId: data.contactId, to: data.to, variables: data.variables }],
        };
        await harness.deliver(deliveryBatchTopicFor(channel), [{ data: batch }]);
        expect(delivered).toEqual([[data], requestsOf(batch)]);
      } finally {
        await harness.close();
      }
    });
  },
);
