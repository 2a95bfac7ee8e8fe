// Handler tier: the delivery handlers one channel's app is built from, inside the Kafka transport,
// with the real event validation and fake delivery and status services.
import { randomUUID } from 'node:crypto';
import {
  Topics,
  deliveryTopicFor,
  retryTopicOf,
  type DeliveryRequested,
  type DeliveryStatusReport,
} from '@herald/contracts';
import { ErrorCode } from '@herald/errors';
import { KafkaHandlerHarness } from '@herald/testing/kafka-handler';
import { DeliverService } from './deliver.service.js';
import { deliveryHandlerFor, deliveryStatusHandlerFor } from './delivery-handler.factory.js';
import { DeliveryStatusService } from './delivery-status.service.js';

const MINUTE = 60_000;
const topic = deliveryTopicFor('sms');
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
            deliver: async (requests: DeliveryRequested[], heartbeat: () => Promise<void>) => {
              await heartbeat();
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

  it("consumes the channel's delivery topic, its retry stage, its status topic and that one's retry", () => {
    expect(harness.topics.sort()).toEqual(
      [topic, retryTopicOf(topic, '5m'), Topics.DeliveryStatusSms, statusRetry].sort(),
    );
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
        expect(harness.topics.sort()).toEqual([own, retryTopicOf(own, '30s')].sort());
        const data = {
          ...request(),
          channel,
          to: channel === 'messenger' ? 'psid-1' : '+15550000001',
        };
        await harness.deliver(own, [{ data }]);
        expect(delivered).toEqual([[data]]);
      } finally {
        await harness.close();
      }
    });
  },
);
