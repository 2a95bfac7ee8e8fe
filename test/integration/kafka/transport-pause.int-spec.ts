// Behaviour 6: pause(topic) stops fetching that topic until resume(topic); a partition's retry
// backoff ending while the topic is paused does not let that partition through.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { Topics, type DeliveryResult } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  deliveryResult,
  fetchesBegun,
  randomTopicPrefix,
  sleep,
  startKafkaTestApp,
  waitFor,
  type KafkaTestApp,
} from '../../utils/kafka.js';

jest.setTimeout(40_000);

/** The first retry of a failed record waits this long (KAFKA_RECORD_RETRY_BASE_MS). */
const RETRY_BACKOFF_MS = 1_000;

const attempts = new Map<string, number>();
const handled: string[] = [];

@Controller()
class ChannelHandler {
  @EventPattern(Topics.DeliveryResult)
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    for (const { data } of batch.events) {
      const n = (attempts.get(data.runId) ?? 0) + 1;
      attempts.set(data.runId, n);
      if (data.reason === 'flaky' && n === 1)
        throw HeraldError.transient(ErrorCode.ProviderUnavailable, 'breaker open');
    }
    handled.push(...batch.events.map((e) => e.data.runId));
  }
}

describe('HeraldKafkaServer: pause and resume', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);
  let service: KafkaTestApp;

  beforeAll(async () => {
    service = await startKafkaTestApp({
      topicPrefix: prefix,
      controllers: [ChannelHandler],
      recordRetryBaseMs: RETRY_BACKOFF_MS,
    });
  });

  afterAll(async () => {
    await service.close();
    await probe.cleanup();
  });

  it('fetches nothing of a paused topic, and everything once resumed', async () => {
    const { server } = service;
    server.pause(Topics.DeliveryResult);
    expect(server.isPaused(Topics.DeliveryResult)).toBe(true);
    const events = [0, 1, 0, 1].map((partition) => ({ data: deliveryResult(), partition }));
    await probe.produceEvents(Topics.DeliveryResult, events);
    await fetchesBegun(server, Topics.DeliveryResult);
    expect(handled).toEqual([]);

    server.resume(Topics.DeliveryResult);
    expect(server.isPaused(Topics.DeliveryResult)).toBe(false);
    await waitFor(
      () => events.every((e) => handled.includes(e.data.runId)),
      10_000,
      'the events after resume',
    );
  });

  it('keeps a partition whose retry backoff ended paused while its topic is paused', async () => {
    const { server } = service;
    const flaky = deliveryResult({ reason: 'flaky' });
    await probe.produceEvents(Topics.DeliveryResult, [{ data: flaky, partition: 0 }]);
    await waitFor(() => attempts.get(flaky.runId) === 1, 10_000, 'the failed first attempt');
    server.pause(Topics.DeliveryResult); // e.g. the provider's circuit breaker opened

    // The backoff's timer is what is under test: let it run out (bounded, one backoff), then let
    // the consumer fetch twice, by when a released partition would have been handed over.
    await sleep(RETRY_BACKOFF_MS);
    await fetchesBegun(server, Topics.DeliveryResult);
    expect(attempts.get(flaky.runId)).toBe(1);

    server.resume(Topics.DeliveryResult);
    await waitFor(() => handled.includes(flaky.runId), 10_000, 'the retried event after resume');
    expect(attempts.get(flaky.runId)).toBe(2);
  });
});
