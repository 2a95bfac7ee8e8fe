import type { KafkaConnection } from './kafka.connection.js';
import kafkajs, { type RecordMetadata, type TopicMessages } from 'kafkajs';
import { EventPublisher, unacknowledged } from './event.publisher.js';
import { ErrorCode } from '@herald/errors';
import { CATALOG, Topics, retryTopicOf, type DeliveryResult } from '@herald/contracts';

const ack = (topicName: string, partition: number): RecordMetadata => ({
  topicName,
  partition,
  errorCode: 0,
});

/** A connection whose producer answers each send with the acknowledgements `answers` gives. */
function fakeConnection(answers: (sent: TopicMessages[]) => RecordMetadata[]) {
  const sends: TopicMessages[][] = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
      sends.push(topicMessages.map((t) => ({ topic: t.topic, messages: [...t.messages] })));
      return answers(topicMessages);
    },
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId })),
      })),
    }),
  };
  const connection = {
    kafka: { producer: () => producer, admin: () => admin },
    options: { clientId: 'test' },
    physical: (t: string) => t,
    logical: (t: string) => t,
  } as unknown as KafkaConnection;
  return { connection, sends };
}

const raw = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `contact-${i}`, value: `{"i":${i}}` }));

describe('EventPublisher acknowledgements', () => {
  it('sends again exactly the partitions Kafka left out of its acknowledgement', async () => {
    let call = 0;
    const { connection, sends } = fakeConnection((sent) => {
      call += 1;
      const partitions = [...new Set(sent.flatMap((t) => t.messages.map((m) => m.partition!)))];
      // First answer: as kafkajs 2.2.4 after a leader moved, one partition silently missing.
      const answered = call === 1 ? partitions.slice(1) : partitions;
      return answered.map((p) => ack('delivery.requested.sms.v1', p));
    });
    const publisher = new EventPublisher(connection);
    await publisher.publishRaw('delivery.requested.sms.v1', raw(60));

    expect(sends).toHaveLength(2);
    const first = sends[0][0].messages;
    const missing = [...new Set(first.map((m) => m.partition))][0];
    expect(sends[1][0].messages.length).toBe(first.filter((m) => m.partition === missing).length);
    expect(sends[1][0].messages.every((m) => m.partition === missing)).toBe(true);
    await publisher.onApplicationShutdown();
  });

  it('fails the publish when Kafka keeps leaving a partition out', async () => {
    const { connection, sends } = fakeConnection(() => []);
    const publisher = new EventPublisher(connection);
    await expect(publisher.publishRaw('delivery.result.v1', raw(5))).rejects.toThrow(
      'did not acknowledge',
    );
    expect(sends.length).toBe(5);
    await publisher.onApplicationShutdown();
  });

  it("keeps keyed messages on the default partitioner's partition for their key", async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) => t.messages.map((m) => ack(t.topic, m.partition!))),
    );
    const publisher = new EventPublisher(connection);
    await publisher.publishRaw('t', [
      { key: 'same', value: 'a' },
      { key: 'same', value: 'b' },
    ]);
    const [a, b] = sends[0][0].messages;
    expect(a.partition).toBe(b.partition);
    await publisher.onApplicationShutdown();
  });

  it('tells the partition a record keyed by each key goes to, as the publish then places it', async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) => t.messages.map((m) => ack(t.topic, m.partition!))),
    );
    const publisher = new EventPublisher(connection);
    const keys = Array.from({ length: 40 }, (_, i) => `contact-${i}`);
    const partitions = await publisher.partitionsOf(Topics.DeliveryBatchSms, keys);
    // Spread over the topic's six partitions, each key always to the same one.
    expect(new Set(partitions).size).toBeGreaterThan(1);
    expect(partitions.every((p) => p >= 0 && p < 6)).toBe(true);
    expect(await publisher.partitionsOf(Topics.DeliveryBatchSms, keys)).toEqual(partitions);
    await publisher.publishRaw(
      Topics.DeliveryBatchSms,
      keys.map((key) => ({ key, value: '{}' })),
    );
    expect(sends[0][0].messages.map((m) => m.partition)).toEqual(partitions);
    await publisher.onApplicationShutdown();
  });

  it('unacknowledged lists only partitions missing from the answer', () => {
    const sent: TopicMessages[] = [
      {
        topic: 'x',
        messages: [
          { value: '1', partition: 0 },
          { value: '2', partition: 1 },
        ],
      },
    ];
    expect(unacknowledged(sent, [ack('x', 0)])).toEqual([
      { topic: 'x', messages: [{ value: '2', partition: 1 }] },
    ]);
    expect(unacknowledged(sent, [ack('x', 0), ack('x', 1)])).toEqual([]);
  });
});

describe('EventPublisher: records Kafka would refuse', () => {
  it('refuses a record over its topic limit alone, for good, without failing the others coalesced with it', async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) =>
        [...new Set(t.messages.map((m) => m.partition!))].map((p) => ack(t.topic, p)),
      ),
    );
    const publisher = new EventPublisher(connection);
    const huge = publisher.publishRaw('delivery.requested.sms.v1', [
      { key: 'c1', value: 'x'.repeat(1_100_000) },
    ]);
    const fine = publisher.publishRaw('delivery.requested.sms.v1', raw(3));
    await expect(huge).rejects.toMatchObject({
      code: ErrorCode.RecordRefused,
      failure: 'permanent',
    });
    await expect(fine).resolves.toBeUndefined();
    expect(
      sends
        .flat()
        .flatMap((t) => t.messages)
        .every((m) => String(m.value).length < 100),
    ).toBe(true);
    await publisher.onApplicationShutdown();
  });

  it('takes a broadcast request up to its topic’s larger limit', async () => {
    const { connection } = fakeConnection((sent) =>
      sent.flatMap((t) =>
        [...new Set(t.messages.map((m) => m.partition!))].map((p) => ack(t.topic, p)),
      ),
    );
    const publisher = new EventPublisher(connection);
    await expect(
      publisher.publishRaw('broadcast.requested.v1', [{ key: 'r1', value: 'x'.repeat(2_000_000) }]),
    ).resolves.toBeUndefined();
    await publisher.onApplicationShutdown();
  });

  it('reports a record Kafka refused (MESSAGE_TOO_LARGE) as permanent, and a broker that is away as an outage', async () => {
    const refusing = fakeConnection(() => {
      throw Object.assign(new Error('message too large'), {
        name: 'KafkaJSProtocolError',
        type: 'MESSAGE_TOO_LARGE',
      });
    });
    const publisher = new EventPublisher(refusing.connection);
    await expect(publisher.publishRaw('delivery.result.v1', raw(1))).rejects.toMatchObject({
      failure: 'permanent',
    });
    await publisher.onApplicationShutdown();
    const away = fakeConnection(() => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    });
    const second = new EventPublisher(away.connection);
    await expect(second.publishRaw('delivery.result.v1', raw(1))).rejects.toMatchObject({
      failure: 'outage',
    });
    await second.onApplicationShutdown();
  });
});

describe('EventPublisher retries and dead letters', () => {
  const result: DeliveryResult = {
    runId: '7d9f1c52-3b8e-4c61-9a0f-2f4b6c8d1e01',
    botId: '0b6e3f4a-9c2d-4e8f-a1b5-c7d9e0f21a34',
    status: 'sent',
    at: '2026-12-06T08:00:00.000Z',
  };
  const headersOf = (sent: TopicMessages) => sent.messages[0].headers as Record<string, string>;

  it('puts events on a retry twin as the topic’s own events: validated, with its CloudEvents type', async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) => t.messages.map((m) => ack(t.topic, m.partition!))),
    );
    const publisher = new EventPublisher(connection);
    await publisher.publishRetry(retryTopicOf(Topics.DeliveryResult, '5s'), [
      { key: result.runId, data: result },
    ]);

    expect(sends[0][0].topic).toBe('delivery.result.v1.retry.5s');
    expect(JSON.parse(String(sends[0][0].messages[0].value))).toEqual(result);
    expect(headersOf(sends[0][0])).toMatchObject({
      ce_type: CATALOG[Topics.DeliveryResult].type,
      ce_source: '/herald/test',
    });
    await expect(
      publisher.publishRetry(retryTopicOf(Topics.DeliveryResult, '5s'), [
        { key: result.runId, data: { ...result, status: 'lost' as 'sent' } },
      ]),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidEvent });
  });

  it('sends the JSON a caller already wrote as the value, and still validates the data', async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) => t.messages.map((m) => ack(t.topic, m.partition!))),
    );
    const publisher = new EventPublisher(connection);
    // Written with indentation, so it cannot be mistaken for the publisher's own writing.
    const json = JSON.stringify(result, null, 1);
    await publisher.publish(Topics.DeliveryResult, [{ key: result.runId, data: result, json }]);
    // The very string given, not a second one written from the data.
    expect(sends[0][0].messages[0].value).toBe(json);
    await expect(
      publisher.publish(Topics.DeliveryResult, [
        { key: result.runId, data: { ...result, status: 'lost' as 'sent' }, json },
      ]),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidEvent });
    await publisher.onApplicationShutdown();
  });

  it('parks dead letters of a topic or of its retry twin in the topic’s DLQ, with the reason headers', async () => {
    const { connection, sends } = fakeConnection((sent) =>
      sent.flatMap((t) => t.messages.map((m) => ack(t.topic, m.partition!))),
    );
    const publisher = new EventPublisher(connection);
    const letter = { key: result.runId, data: result, headers: { herald_dlq_reason: 'gave up' } };
    await publisher.publishDeadLetters(Topics.DeliveryResult, [letter]);
    await publisher.publishDeadLetters(retryTopicOf(Topics.DeliveryResult, '5s'), [letter]);

    expect(sends.map((s) => s[0].topic)).toEqual([
      'delivery.result.v1.dlq',
      'delivery.result.v1.dlq',
    ]);
    expect(headersOf(sends[0][0])).toMatchObject({
      herald_dlq_reason: 'gave up',
      ce_type: CATALOG[Topics.DeliveryResult].type,
    });
  });
});

describe('EventPublisher: a producer whose sequence numbers Kafka no longer accepts', () => {
  /** A protocol error kafkajs does not retry, as its sendBatch throws it (bailing out). */
  const refusedAs = (type: string) =>
    Object.assign(new kafkajs.KafkaJSProtocolError(`the broker says ${type}`), { type });

  /** A connection whose n-th producer created fails each send with `failures[n]` (none past the list). */
  function producers(failures: Array<Error | undefined>) {
    const made: Array<{ sent: number; disconnected: boolean }> = [];
    const connection = {
      kafka: {
        producer: () => {
          const failure = failures[made.length];
          const state = { sent: 0, disconnected: false };
          made.push(state);
          return {
            connect: async () => undefined,
            disconnect: async () => {
              state.disconnected = true;
            },
            sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
              if (failure) throw failure;
              state.sent += topicMessages.reduce((n, t) => n + t.messages.length, 0);
              return topicMessages.flatMap((t) =>
                t.messages.map((m) => ack(t.topic, m.partition!)),
              );
            },
          };
        },
        admin: fakeConnection(() => []).connection.kafka.admin,
      },
      options: { clientId: 'test' },
      physical: (t: string) => t,
      logical: (t: string) => t,
    } as unknown as KafkaConnection;
    return { connection, made };
  }

  it('sends again with a new producer after OUT_OF_ORDER_SEQUENCE_NUMBER, and lets the old one go', async () => {
    const { connection, made } = producers([refusedAs('OUT_OF_ORDER_SEQUENCE_NUMBER')]);
    const publisher = new EventPublisher(connection);
    await publisher.publishRaw('delivery.result.v1', raw(7));
    expect(made).toEqual([
      { sent: 0, disconnected: true },
      { sent: 7, disconnected: false },
    ]);
    await publisher.onApplicationShutdown();
    expect(made[1].disconnected).toBe(true);
  });

  it('sees it through the error kafkajs wraps it in when its retrier gives up', async () => {
    const lost = refusedAs('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const wrapped = Object.assign(new kafkajs.KafkaJSNonRetriableError(lost), { cause: lost });
    const { connection, made } = producers([wrapped]);
    const publisher = new EventPublisher(connection);
    await publisher.publishRaw('delivery.result.v1', raw(3));
    expect(made.map((p) => p.sent)).toEqual([0, 3]);
    await publisher.onApplicationShutdown();
  });

  it.each(['UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING'])(
    'does the same after %s',
    async (type) => {
      const { connection, made } = producers([refusedAs(type)]);
      const publisher = new EventPublisher(connection);
      await publisher.publishRaw('delivery.result.v1', raw(2));
      expect(made.map((p) => p.sent)).toEqual([0, 2]);
      await publisher.onApplicationShutdown();
    },
  );

  it('renews once per send: a new producer refused the same way fails that publish as an outage', async () => {
    const lost = refusedAs('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const { connection, made } = producers([lost, lost, undefined]);
    const publisher = new EventPublisher(connection);
    await expect(publisher.publishRaw('delivery.result.v1', raw(1))).rejects.toMatchObject({
      failure: 'outage',
    });
    expect(made).toHaveLength(2);
    // The next publish (the consumer's retry) gets its own renewal.
    await publisher.publishRaw('delivery.result.v1', raw(1));
    expect(made.map((p) => p.sent)).toEqual([0, 0, 1]);
    await publisher.onApplicationShutdown();
  });

  it('keeps its producer through other failures', async () => {
    const { connection, made } = producers([refusedAs('MESSAGE_TOO_LARGE')]);
    const publisher = new EventPublisher(connection);
    await expect(publisher.publishRaw('delivery.result.v1', raw(1))).rejects.toMatchObject({
      failure: 'permanent',
    });
    expect(made).toHaveLength(1);
    await publisher.onApplicationShutdown();
  });
});
