// A consumer whose group is rebalancing (a replica joined or left) starts no more work from the
// fetch it holds: the rebalance waits only for the chunks already in the handler, not for every
// batch kafkajs fetched. kafkajs' consumer and the batch payload are stand-ins; no I/O.
import { jest } from '@jest/globals';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { EventPublisher } from './event.publisher.js';
import type { KafkaConnection } from './kafka.connection.js';
import type { EventBatch } from './event-batch.js';
import {
  DEFAULT_FETCH_WAIT_MS,
  LEAVE_GRACE_MS,
  TopicConsumer,
  type BatchInvoker,
} from './topic.consumer.js';

const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
  type: 'REBALANCE_IN_PROGRESS',
});

/**
 * Starts a raw consumer of `t` (values handed over as they are) on a stand-in kafkajs consumer
 * whose disconnect does `leave`; answers its eachBatch, with the TopicConsumer beside it.
 */
async function started(invoke: BatchInvoker, leave: () => Promise<void> = async () => undefined) {
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
    disconnect: leave,
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
  return Object.assign(eachBatch!, { topicConsumer });
}

/** A fetched batch of `count` records on `partition`, whose heartbeat does `heartbeat`. */
function payloadOf(count: number, heartbeat: () => Promise<void>, partition = 0) {
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
    batch: { topic: 'p.t', partition, messages, highWatermark: String(count) },
    isRunning: () => true,
    isStale: () => false,
    heartbeat: jest.fn(heartbeat),
    resolveOffset: (offset: string) => {
      resolved = offset;
    },
    uncommittedOffsets: () => ({
      topics: [{ topic: 'p.t', partitions: [{ partition: String(partition), offset: resolved }] }],
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

  it('tells a handler whose heartbeat finds the group rebalancing to hand back, and commits nothing of its chunk', async () => {
    let joined = false;
    const invoke = jest.fn<BatchInvoker>(async (batch) => {
      // A long (paced) chunk heartbeating as it goes: a replica joins meanwhile.
      joined = true;
      await heartbeatUntilHandedBack(batch);
      throw new Error('2 of 2 deliveries were not attempted (the consumer group is rebalancing)');
    });
    const eachBatch = await started(invoke);
    const { payload, committed } = payloadOf(5, async () => {
      if (joined) throw rebalancing;
    });
    // The rebalance goes on to kafkajs (it rejoins); no record is committed, none dead-lettered.
    await expect(eachBatch(payload)).rejects.toBe(rebalancing);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(committed).toEqual([]);
  });

  it("hands back every partition's chunk in the handler when one of their heartbeats finds the group rebalancing", async () => {
    let joined = false;
    const invoke = jest.fn<BatchInvoker>(async (batch) => {
      if (invoke.mock.calls.length === 2) joined = true;
      await heartbeatUntilHandedBack(batch);
      throw new Error('not attempted (the consumer group is rebalancing)');
    });
    const eachBatch = await started(invoke);
    // Partition 0's heartbeat tells of the rebalance; partition 1's keeps answering from before.
    const zero = payloadOf(2, async () => {
      if (joined) throw rebalancing;
    });
    const one = payloadOf(2, async () => undefined, 1);
    const [first, second] = await Promise.allSettled([
      eachBatch(zero.payload),
      eachBatch(one.payload),
    ]);
    expect(first).toMatchObject({ status: 'rejected', reason: rebalancing });
    expect(second.status).toBe('fulfilled');
    expect(invoke).toHaveBeenCalledTimes(2);
    expect([...zero.committed, ...one.committed]).toEqual([]);
  });

  it('does not hand back for a heartbeat that failed for another reason', async () => {
    let failures = 0;
    const invoke = jest.fn<BatchInvoker>(async (batch) => {
      await batch.heartbeat();
      await batch.heartbeat();
      expect(failures).toBe(2);
      expect(batch.handBack.aborted).toBe(false);
    });
    const eachBatch = await started(invoke);
    const { payload, committed } = payloadOf(2, async () => {
      // Two heartbeats during the chunk fail (a broker briefly away), the later ones pass.
      if (invoke.mock.calls.length > 0 && failures < 2) {
        failures += 1;
        throw Object.assign(new Error('Connection timeout'), { type: 'REQUEST_TIMEOUT' });
      }
    });
    await expect(eachBatch(payload)).resolves.toBeUndefined();
    expect(committed).toEqual(['1']);
  });
});

/** A handler's long work: it heartbeats as it goes until it is told to hand back. */
async function heartbeatUntilHandedBack(batch: EventBatch<unknown>): Promise<void> {
  while (!batch.handBack.aborted) {
    await batch.heartbeat();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it('keeps no member alive on its own: a handler that does not heartbeat is not heartbeaten for', async () => {
  let release = () => undefined as void;
  const invoke = jest.fn<BatchInvoker>(
    () => new Promise<void>((resolve) => (release = () => resolve())),
  );
  const eachBatch = await started(invoke);
  const { payload } = payloadOf(1, async () => undefined);
  jest.useFakeTimers();
  try {
    const handled = eachBatch(payload);
    // A minute of a handler that neither heartbeats nor ends (kafkajs beats every 3 s).
    await jest.advanceTimersByTimeAsync(60_000);
    // Only the heartbeat before the chunk: a hung handler must let its session time out.
    expect(payload.heartbeat).toHaveBeenCalledTimes(1);
    release();
    await handled;
  } finally {
    jest.useRealTimers();
  }
});

it('stops once its handler calls end, without waiting for ever for a leave kafkajs does not finish', async () => {
  let release = () => undefined as void;
  const invoke = jest.fn<BatchInvoker>(
    () => new Promise<void>((resolve) => (release = () => resolve())),
  );
  // kafkajs stopped during a rebalance: its disconnect never returns.
  const eachBatch = await started(invoke, () => new Promise<void>(() => undefined));
  const { payload, committed } = payloadOf(1, async () => undefined);
  jest.useFakeTimers();
  try {
    const handled = eachBatch(payload);
    let stopped = false;
    const stopping = eachBatch.topicConsumer.stop().then(() => (stopped = true));
    // A record is being handled: the stop waits for it, however long the grace.
    await jest.advanceTimersByTimeAsync(LEAVE_GRACE_MS * 3);
    expect(stopped).toBe(false);
    release();
    await handled;
    expect(committed).toEqual(['0']);
    // No record handled any more: the leave gets its grace, then the stop goes on without it.
    await jest.advanceTimersByTimeAsync(LEAVE_GRACE_MS - 1);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(stopped).toBe(true);
  } finally {
    jest.useRealTimers();
  }
});

it("asks the broker to answer a fetch at once, or once fetchMinBytes are ready, holding a fetch at most its handler's fetchMaxWaitMs", () => {
  const configs: Array<Record<string, unknown>> = [];
  const connection = {
    kafka: {
      consumer: (config: Record<string, unknown>) => {
        configs.push(config);
        return {} as Consumer;
      },
    },
    options: { sessionTimeoutMs: 30_000, recordAttempts: 5, recordRetryBaseMs: 2_000 },
    physical: (topic: string) => `p.${topic}`,
    groupOf: (topic: string) => `g.${topic}`,
  } as unknown as KafkaConnection;
  const settings = { topic: 't', batchSize: 2, concurrency: 3, delayMs: 0 };
  const invoke: BatchInvoker = async () => undefined;
  new TopicConsumer(connection, {} as EventPublisher, settings, invoke);
  new TopicConsumer(
    connection,
    {} as EventPublisher,
    { ...settings, fetchMinBytes: 262_144, fetchMaxWaitMs: 500 },
    invoke,
  );
  expect(configs.map((c) => [c.minBytes, c.maxWaitTimeInMs])).toEqual([
    [1, DEFAULT_FETCH_WAIT_MS],
    [262_144, 500],
  ]);
});
