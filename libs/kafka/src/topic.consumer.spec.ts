// A consumer whose group is rebalancing (a replica joined or left) starts no more work from the
// fetch it holds: the rebalance waits only for the chunks already in the handler, not for every
// batch kafkajs fetched. kafkajs' consumer and the batch payload are stand-ins; no I/O.
import { jest } from '@jest/globals';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { EventPublisher } from './event.publisher.js';
import type { KafkaConnection } from './kafka.connection.js';
import { TopicConsumer, type BatchInvoker } from './topic.consumer.js';

const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
  type: 'REBALANCE_IN_PROGRESS',
});

/** Starts a raw consumer of `t` (values handed over as they are) on a stand-in kafkajs consumer. */
async function started(invoke: BatchInvoker) {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      eachBatch = config.eachBatch;
    },
    pause: () => undefined,
    resume: () => undefined,
    seek: () => undefined,
    disconnect: async () => undefined,
  };
  const connection = {
    kafka: { consumer: () => consumer as unknown as Consumer },
    options: { sessionTimeoutMs: 30_000, recordAttempts: 5, recordRetryBaseMs: 2_000 },
    physical: (topic: string) => `p.${topic}`,
    groupOf: (topic: string) => `g.${topic}`,
  } as unknown as KafkaConnection;
  const topicConsumer = new TopicConsumer(
    connection,
    {} as EventPublisher,
    { topic: 't', batchSize: 2, concurrency: 3, delayMs: 0, raw: true },
    invoke,
  );
  await topicConsumer.start(false);
  return eachBatch!;
}

/** A fetched batch of `count` records on partition 0, whose heartbeat does `heartbeat`. */
function payloadOf(count: number, heartbeat: () => Promise<void>) {
  const messages = Array.from({ length: count }, (_, i): KafkaMessage => ({
    key: null,
    value: Buffer.from(`v${i}`),
    timestamp: String(Date.now()),
    attributes: 0,
    offset: String(i),
    headers: {},
  }));
  const committed: string[] = [];
  let resolved = '';
  const payload = {
    batch: { topic: 'p.t', partition: 0, messages, highWatermark: String(count) },
    isRunning: () => true,
    isStale: () => false,
    heartbeat: jest.fn(heartbeat),
    resolveOffset: (offset: string) => {
      resolved = offset;
    },
    uncommittedOffsets: () => ({
      topics: [{ topic: 'p.t', partitions: [{ partition: '0', offset: resolved }] }],
    }),
    commitOffsetsIfNecessary: async () => {
      committed.push(resolved);
    },
  };
  return { payload: payload as unknown as EachBatchPayload, committed };
}

describe('TopicConsumer during a rebalance', () => {
  it('handles a fetched batch chunk by chunk, committing each, while the group is stable', async () => {
    const invoke = jest.fn<BatchInvoker>(async () => undefined);
    const eachBatch = await started(invoke);
    const { payload, committed } = payloadOf(5, async () => undefined);
    await eachBatch(payload);
    expect(invoke.mock.calls.map(([batch]) => batch.events.map((e) => e.offset))).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4'],
    ]);
    expect(committed).toEqual(['1', '3', '4']);
  });

  it('starts no chunk of a batch once a rebalance is pending, and throws it to kafkajs', async () => {
    const invoke = jest.fn<BatchInvoker>(async () => undefined);
    const eachBatch = await started(invoke);
    const { payload, committed } = payloadOf(5, async () => {
      throw rebalancing;
    });
    await expect(eachBatch(payload)).rejects.toBe(rebalancing);
    expect(invoke).not.toHaveBeenCalled();
    expect(committed).toEqual([]);
  });

  it('finishes and commits the chunk in the handler when the rebalance begins, then starts no other', async () => {
    let pending = false;
    const invoke = jest.fn<BatchInvoker>(async () => {
      pending = true; // a replica joins while this chunk is being sent
    });
    const eachBatch = await started(invoke);
    const { payload, committed } = payloadOf(5, async () => {
      if (pending) throw rebalancing;
    });
    await expect(eachBatch(payload)).rejects.toBe(rebalancing);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(committed).toEqual(['1']);
  });
});
