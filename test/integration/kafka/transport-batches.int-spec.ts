// Behaviours 2 and 3: handlers get batches of validated events of one partition (at most
// batchSize, `concurrency` partitions at once, heartbeat exposed), and offsets are committed only
// after the work: a batch whose handler never finished goes to the next consumer of the group.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { Topics, type DeliveryResult } from '@herald/contracts';
import type { EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  deliveryResult,
  randomTopicPrefix,
  startKafkaTestApp,
  waitFor,
} from '../../utils/kafka.js';

jest.setTimeout(45_000);

interface Call {
  partition: number;
  eventPartitions: number[];
  offsets: number[];
  runIds: string[];
}

const calls: Call[] = [];
let inFlight = 0;
let maxInFlight = 0;

@Controller()
class BatchRecorder {
  @EventPattern(Topics.DeliveryResult, { batchSize: 100, concurrency: 2 })
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await batch.heartbeat();
      // Hold the first batch until a second partition's batch is in flight beside it: then
      // `concurrency` is seen reached, and a limit above it would let a third one in as well.
      await waitFor(() => maxInFlight >= 2, 10_000, 'a second partition in flight');
      calls.push({
        partition: batch.partition,
        eventPartitions: batch.events.map((e) => e.partition),
        offsets: batch.events.map((e) => Number(e.offset)),
        runIds: batch.events.map((e) => e.data.runId),
      });
    } finally {
      inFlight -= 1;
    }
  }
}

// A handler that never returns on its first batch: the process "dies" mid-work.
const hung: string[] = [];
const redelivered: string[] = [];
let releaseHung!: () => void;
const hungForever = new Promise<void>((resolve) => (releaseHung = resolve));

@Controller()
class HangingHandler {
  @EventPattern(Topics.DeliveryResult)
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    hung.push(...batch.events.map((e) => e.data.runId));
    await hungForever;
  }
}

@Controller()
class SurvivorHandler {
  @EventPattern(Topics.DeliveryResult)
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    redelivered.push(...batch.events.map((e) => e.data.runId));
  }
}

describe('HeraldKafkaServer: batches and commits', () => {
  it('hands over batches of ≤ batchSize events of one partition, `concurrency` partitions at once, and commits them all', async () => {
    const prefix = randomTopicPrefix();
    const probe = new KafkaProbe(prefix);
    const admin = await probe.admin();
    await admin.createTopics({
      topics: [{ topic: probe.physical(Topics.DeliveryResult), numPartitions: 3 }],
      waitForLeaders: true,
    });
    const events = Array.from({ length: 900 }, (_, i) => ({
      data: deliveryResult(),
      partition: i % 3,
    }));
    for (let i = 0; i < events.length; i += 300)
      await probe.produceEvents(Topics.DeliveryResult, events.slice(i, i + 300));

    const service = await startKafkaTestApp({ topicPrefix: prefix, controllers: [BatchRecorder] });
    try {
      const handled = () => calls.reduce((n, c) => n + c.runIds.length, 0);
      await waitFor(() => handled() >= 900, 20_000, 'all 900 events handled');
      const group = service.server.groupIdOf(Topics.DeliveryResult);
      await waitFor(
        async () => (await probe.committed(group, Topics.DeliveryResult)) === 900,
        10_000,
        'offsets committed up to the end',
      );

      expect(handled()).toBe(900);
      expect(new Set(calls.flatMap((c) => c.runIds))).toEqual(
        new Set(events.map((e) => e.data.runId)),
      );
      for (const call of calls) {
        expect(call.runIds.length).toBeGreaterThan(0);
        expect(call.runIds.length).toBeLessThanOrEqual(100);
        expect(new Set(call.eventPartitions)).toEqual(new Set([call.partition]));
        // In partition order, without gaps.
        expect(call.offsets).toEqual(call.offsets.map((_, i) => call.offsets[0] + i));
      }
      expect(maxInFlight).toBe(2);
    } finally {
      await service.close();
      await probe.cleanup();
    }
  });

  it('redelivers a batch whose handler never finished to the next consumer of the group', async () => {
    const prefix = randomTopicPrefix();
    const probe = new KafkaProbe(prefix);
    // The short session lets the group notice the dead member in ~6 s (the broker's minimum).
    const options = { topicPrefix: prefix, defaultPartitions: 1, sessionTimeoutMs: 6_000 };
    const doomed = await startKafkaTestApp({ ...options, controllers: [HangingHandler] });
    let survivor: Awaited<ReturnType<typeof startKafkaTestApp>> | undefined;
    try {
      const events = Array.from({ length: 5 }, () => ({ data: deliveryResult() }));
      await probe.produceEvents(Topics.DeliveryResult, events);
      await waitFor(() => hung.length === 5, 10_000, 'the doomed handler to take the batch');
      const group = doomed.server.groupIdOf(Topics.DeliveryResult);
      await expect(probe.committed(group, Topics.DeliveryResult)).resolves.toBe(0);

      survivor = await startKafkaTestApp({ ...options, controllers: [SurvivorHandler] });
      await waitFor(
        () => events.every((e) => redelivered.includes(e.data.runId)),
        25_000,
        'the batch redelivered to the survivor',
      );
      await waitFor(
        async () => (await probe.committed(group, Topics.DeliveryResult)) === 5,
        10_000,
        'the survivor to commit',
      );
    } finally {
      await survivor?.close();
      releaseHung();
      await doomed.close();
      await probe.cleanup();
    }
  });
});
