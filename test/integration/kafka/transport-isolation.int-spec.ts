// Behaviours 1 and 9: one consumer group per handled topic, so a stuck topic never delays
// another; topics (and DLQ twins) created with leaders before subscribing; nothing published
// before a group first joined is lost.
import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import {
  Topics,
  dlqTopicOf,
  type BroadcastRequested,
  type DeliveryResult,
} from '@herald/contracts';
import type { EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  deliveryResult,
  randomTopicPrefix,
  startKafkaTestApp,
  waitFor,
  type KafkaTestApp,
} from '../../utils/kafka.js';

jest.setTimeout(40_000);

let releaseResults!: () => void;
const resultsGate = new Promise<void>((resolve) => (releaseResults = resolve));
const stuckPartitions = new Set<number>();
const results: string[] = [];
const broadcasts: string[] = [];

@Controller()
class StuckResultsHandler {
  @EventPattern(Topics.DeliveryResult, { concurrency: 3 })
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    stuckPartitions.add(batch.partition);
    await resultsGate;
    results.push(...batch.events.map((e) => e.data.runId));
  }
}

@Controller()
class BroadcastsHandler {
  @EventPattern(Topics.BroadcastRequested)
  async onBroadcasts(@Payload() batch: EventBatch<BroadcastRequested>): Promise<void> {
    broadcasts.push(...batch.events.map((e) => e.data.runId));
  }
}

function broadcast(): BroadcastRequested {
  return {
    runId: randomUUID(),
    botId: randomUUID(),
    source: 'event',
    requestedAt: new Date().toISOString(),
    content: { messages: [{ text: 'Hello' }] },
    targets: [{ userId: '15551234567', channel: 'whatsapp' }],
  };
}

describe('HeraldKafkaServer: topics do not block each other', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);
  let service: KafkaTestApp | undefined;

  afterAll(async () => {
    releaseResults();
    await service?.close();
    await probe.cleanup();
  });

  it('creates its topics and DLQ twins before subscribing, and handles events published before its group ever joined', async () => {
    // Only the broadcast topic exists up front; events wait there for a group that has never run.
    const admin = await probe.admin();
    await admin.createTopics({
      topics: [{ topic: probe.physical(Topics.BroadcastRequested), numPartitions: 3 }],
      waitForLeaders: true,
    });
    const early = [broadcast(), broadcast(), broadcast()];
    await probe.produceEvents(
      Topics.BroadcastRequested,
      early.map((data) => ({ data })),
    );

    service = await startKafkaTestApp({
      topicPrefix: prefix,
      defaultPartitions: 3,
      controllers: [StuckResultsHandler, BroadcastsHandler],
    });

    const topics = await admin.listTopics();
    expect(topics).toEqual(
      expect.arrayContaining(
        [
          Topics.DeliveryResult,
          dlqTopicOf(Topics.DeliveryResult),
          dlqTopicOf(Topics.BroadcastRequested),
        ].map((t) => probe.physical(t)),
      ),
    );
    await waitFor(
      () => early.every((b) => broadcasts.includes(b.runId)),
      15_000,
      'the events published before the group joined',
    );
  });

  it('keeps handling one topic while every partition of another is stuck in its handler', async () => {
    const stuck = [0, 1, 2].map((partition) => ({ data: deliveryResult(), partition }));
    await probe.produceEvents(Topics.DeliveryResult, stuck);
    await waitFor(
      () => stuckPartitions.size === 3,
      15_000,
      'the results handler to be stuck on all 3 partitions',
    );

    const later = [broadcast(), broadcast(), broadcast(), broadcast()];
    await probe.produceEvents(
      Topics.BroadcastRequested,
      later.map((data, i) => ({ data, partition: i % 3 })),
    );
    await waitFor(
      () => later.every((b) => broadcasts.includes(b.runId)),
      10_000,
      'broadcasts while results are stuck',
    );
    expect(results).toEqual([]);

    // Each handled topic has a consumer group of its own.
    const { groups } = await (await probe.admin()).listGroups();
    const ids = groups.map((g) => g.groupId);
    expect(ids).toEqual(
      expect.arrayContaining([
        service!.server.groupIdOf(Topics.DeliveryResult),
        service!.server.groupIdOf(Topics.BroadcastRequested),
      ]),
    );
    expect(service!.server.groupIdOf(Topics.DeliveryResult)).toBe(
      `${prefix}herald-test.${Topics.DeliveryResult}`,
    );

    releaseResults();
    await waitFor(
      () => stuck.every((s) => results.includes(s.data.runId)),
      10_000,
      'the stuck results once released',
    );
  });
});
