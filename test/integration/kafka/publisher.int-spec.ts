// EventPublisher against the real broker: validation, CloudEvents headers, acknowledged writes,
// and coalescing of concurrent callers into few produce requests.
import { CATALOG, Topics } from '@herald/contracts';
import { jest } from '@jest/globals';
import { ErrorCode, HeraldError } from '@herald/errors';
import { EventPublisher, KafkaConnection, TopicAdmin } from '@herald/kafka';
import { KafkaProbe, deliveryResult, kafkaBrokers, randomTopicPrefix } from '../../utils/kafka.js';

jest.setTimeout(30_000);

describe('EventPublisher (real Kafka)', () => {
  const prefix = randomTopicPrefix();
  const connection = new KafkaConnection({
    clientId: 'gateway',
    brokers: kafkaBrokers(),
    topicPrefix: prefix,
    defaultPartitions: 3,
  });
  const publisher = new EventPublisher(connection);
  const admin = new TopicAdmin(connection);
  const probe = new KafkaProbe(prefix);

  beforeAll(async () => {
    await admin.ensureTopics([
      { topic: Topics.DeliveryResult },
      { topic: 'raw.forward' },
      { topic: Topics.BroadcastRequested },
    ]);
  });

  afterAll(async () => {
    await publisher.onApplicationShutdown();
    await admin.onApplicationShutdown();
    await probe.cleanup();
  });

  it('refuses data that breaks the contract with a non-retriable InvalidEvent naming the problem, and writes nothing', async () => {
    const bad = { ...deliveryResult(), runId: 'not-a-uuid' };
    const attempt = publisher.publish(Topics.DeliveryResult, [
      { key: 'k', data: deliveryResult() },
      { key: 'k', data: bad },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(HeraldError);
    await expect(attempt).rejects.toMatchObject({
      code: ErrorCode.InvalidEvent,
      retriable: false,
      message: expect.stringMatching(
        /event 1 .*delivery\.result\.v1.*\/runId must match format "uuid"/,
      ),
    });
    await expect(probe.endOffset(Topics.BroadcastRequested)).resolves.toBe(0);
    await expect(probe.endOffset(Topics.DeliveryResult)).resolves.toBe(0);
  });

  it('writes each event with its key, JSON value and CloudEvents headers once Kafka acknowledged it', async () => {
    const data = deliveryResult();
    await publisher.publish(Topics.DeliveryResult, [
      {
        key: data.runId,
        data,
        id: 'event-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        headers: { x_origin: 'test' },
      },
    ]);
    // Resolved means acknowledged: the high watermark already counts it.
    await expect(probe.endOffset(Topics.DeliveryResult)).resolves.toBe(1);
    const [message] = await probe.read(Topics.DeliveryResult, 1);
    expect(message).toMatchObject({
      key: data.runId,
      headers: {
        ce_id: 'event-1',
        ce_type: CATALOG[Topics.DeliveryResult].type,
        ce_source: '/herald/gateway',
        ce_specversion: '1.0',
        ce_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
        'content-type': 'application/json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        x_origin: 'test',
      },
    });
    expect(JSON.parse(message.value)).toEqual(data);
  });

  it('coalesces 5,000 concurrent single-event calls into a few produce requests, and every one lands', async () => {
    const before = publisher.metrics();
    const before_offset = await probe.endOffset(Topics.DeliveryResult);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 5_000 }, () => {
        const data = deliveryResult();
        return publisher.publish(Topics.DeliveryResult, [{ key: data.runId, data }]);
      }),
    );
    const elapsed = Date.now() - started;
    const after = publisher.metrics();
    expect(after.messages - before.messages).toBe(5_000);
    // One awaited send per call would be 5,000 sends (≈2.5 s); coalesced, a handful.
    expect(after.sends - before.sends).toBeLessThanOrEqual(20);
    expect(elapsed).toBeLessThan(5_000);
    await expect(probe.endOffset(Topics.DeliveryResult)).resolves.toBe(before_offset + 5_000);
  });

  it('publishRaw writes messages as given to the prefixed topic', async () => {
    await publisher.publishRaw('raw.forward', [
      { key: 'a', value: 'not even json', headers: { h: '1' } },
      { key: null, value: Buffer.from([1, 2, 3]) },
    ]);
    const messages = await probe.read('raw.forward', 2);
    expect(messages.map((m) => [m.key, m.value, m.headers])).toEqual(
      expect.arrayContaining([
        ['a', 'not even json', { h: '1' }],
        [null, Buffer.from([1, 2, 3]).toString(), {}],
      ]),
    );
  });
});
