// Behaviour 8: close() stops fetching, lets the handler calls in flight finish and commit, then
// disconnects (SIGTERM drain): nothing is redelivered afterwards.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { Topics, type DeliveryResult } from '@herald/contracts';
import type { EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  deliveryResult,
  randomTopicPrefix,
  sleep,
  startKafkaTestApp,
  waitFor,
} from '../../utils/kafka.js';

jest.setTimeout(40_000);

const started: string[] = [];
const finished: Array<{ runIds: string[]; at: number }> = [];

@Controller()
class SlowHandler {
  @EventPattern(Topics.DeliveryResult)
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    started.push(...batch.events.map((e) => e.data.runId));
    await sleep(1_500);
    finished.push({ runIds: batch.events.map((e) => e.data.runId), at: Date.now() });
  }
}

describe('HeraldKafkaServer: graceful close', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);

  afterAll(async () => {
    await probe.cleanup();
  });

  it('finishes and commits the batches in flight before close() resolves', async () => {
    const service = await startKafkaTestApp({
      topicPrefix: prefix,
      defaultPartitions: 1,
      controllers: [SlowHandler],
    });
    const group = service.server.groupIdOf(Topics.DeliveryResult);
    const events = Array.from({ length: 5 }, () => ({ data: deliveryResult() }));
    await probe.produceEvents(Topics.DeliveryResult, events);
    await waitFor(() => started.length === 5, 10_000, 'the handler to start on the batch');

    await service.close();
    const closedAt = Date.now();
    expect(finished).toHaveLength(1);
    expect(finished[0].at).toBeLessThanOrEqual(closedAt);
    await expect(probe.committed(group, Topics.DeliveryResult)).resolves.toBe(5);
  });
});
