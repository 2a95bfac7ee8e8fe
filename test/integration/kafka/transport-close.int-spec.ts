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
/** The handler's work ends when the test says so. */
let finishWork!: () => void;
const workDone = new Promise<void>((resolve) => (finishWork = resolve));

@Controller()
class SlowHandler {
  @EventPattern(Topics.DeliveryResult)
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    started.push(...batch.events.map((e) => e.data.runId));
    await workDone;
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

    let closedAt: number | undefined;
    const closing = service.close().then(() => {
      closedAt = Date.now();
    });
    // A negative check, so a bounded wait: close() must still be waiting for the handler half a
    // second later (nothing announces "close() now waits on the handler"; a close that did not
    // wait would have left the group by then).
    await sleep(500);
    expect(closedAt).toBeUndefined();
    expect(finished).toHaveLength(0);
    finishWork();
    await closing;
    expect(finished).toHaveLength(1);
    expect(finished[0].at).toBeLessThanOrEqual(closedAt!);
    await expect(probe.committed(group, Topics.DeliveryResult)).resolves.toBe(5);
  });
});
