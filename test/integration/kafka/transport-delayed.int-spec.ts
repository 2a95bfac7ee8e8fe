// Behaviour 7: a handler with { delayMs } on a retry topic gets each event only once its
// timestamp + delayMs has passed; the retry topic is validated against its contract topic's
// schema and dead-letters into that topic's DLQ.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { Topics, dlqTopicOf, retryTopicOf, type DeliveryResult } from '@herald/contracts';
import { DLQ_HEADERS, type EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  ceHeaders,
  deliveryResult,
  randomTopicPrefix,
  startKafkaTestApp,
  waitFor,
} from '../../utils/kafka.js';

jest.setTimeout(40_000);

// A literal, as services declare it (a plain `string` picks @EventPattern's typed-payload overload).
const RETRY_TOPIC = 'delivery.result.v1.retry.2s';
const DELAY_MS = 2_000;
const received: Array<{ runId: string; timestamp: number; at: number }> = [];
const immediate: string[] = [];

@Controller()
class RetryHandler {
  @EventPattern(RETRY_TOPIC, { delayMs: DELAY_MS })
  async onRetry(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    const at = Date.now();
    received.push(
      ...batch.events.map((e) => ({ runId: e.data.runId, timestamp: Number(e.timestamp), at })),
    );
  }

  @EventPattern(Topics.DeliveryResult)
  async onMain(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    immediate.push(...batch.events.map((e) => e.data.runId));
  }
}

describe('HeraldKafkaServer: delayed topics', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);

  afterAll(async () => {
    await probe.cleanup();
  });

  it('hands over events only once they are due, without holding up other topics', async () => {
    expect(RETRY_TOPIC).toBe(retryTopicOf(Topics.DeliveryResult, '2s'));
    const service = await startKafkaTestApp({ topicPrefix: prefix, controllers: [RetryHandler] });
    try {
      const headers = ceHeaders(Topics.DeliveryResult);
      const overdue = deliveryResult();
      const fresh = [deliveryResult(), deliveryResult(), deliveryResult()];
      await probe.produce(RETRY_TOPIC, [
        // Written 10 s ago (producer time): due already.
        {
          key: 'o',
          value: JSON.stringify(overdue),
          headers,
          partition: 0,
          timestamp: String(Date.now() - 10_000),
        },
        ...fresh.map((data, i) => ({
          key: `f${i}`,
          value: JSON.stringify(data),
          headers,
          partition: i % 2,
        })),
        {
          key: 'bad',
          value: JSON.stringify({ ...deliveryResult(), status: 'exploded' }),
          headers,
          partition: 1,
        },
      ]);
      const main = deliveryResult();
      await probe.produceEvents(Topics.DeliveryResult, [{ data: main }]);

      await waitFor(() => immediate.includes(main.runId), 1_500, 'the main topic, not delayed');
      await waitFor(
        () => fresh.every((f) => received.some((r) => r.runId === f.runId)),
        10_000,
        'the delayed events',
      );

      for (const f of fresh) {
        const r = received.find((x) => x.runId === f.runId)!;
        expect(r.at - r.timestamp).toBeGreaterThanOrEqual(DELAY_MS);
        expect(r.at - r.timestamp).toBeLessThan(DELAY_MS + 3_000);
      }
      const o = received.find((x) => x.runId === overdue.runId)!;
      expect(o.at - o.timestamp).toBeGreaterThanOrEqual(10_000);

      // Validated against delivery.result.v1's schema; dead-lettered into its DLQ.
      const [letter] = await probe.read(dlqTopicOf(Topics.DeliveryResult), 1);
      expect(letter).toMatchObject({
        key: 'bad',
        headers: { [DLQ_HEADERS.topic]: RETRY_TOPIC, [DLQ_HEADERS.partition]: '1' },
      });
      expect(letter.headers[DLQ_HEADERS.reason]).toMatch(/\/status/);
    } finally {
      await service.close();
    }
  });
});
