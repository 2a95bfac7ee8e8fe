// TopicAdmin against the real broker: explicit creation, leaders on every partition, idempotence.
import { ALL_TOPICS, dlqTopicOf, retryTopicOf, Topics } from '@herald/contracts';
import { jest } from '@jest/globals';
import { ErrorCode } from '@herald/errors';
import { KafkaConnection, TopicAdmin } from '@herald/kafka';
import { KafkaProbe, kafkaBrokers, randomTopicPrefix } from '../../utils/kafka.js';

jest.setTimeout(30_000);

describe('TopicAdmin (real Kafka)', () => {
  const prefix = randomTopicPrefix();
  const connection = new KafkaConnection({
    clientId: 'admin-test',
    brokers: kafkaBrokers(),
    topicPrefix: prefix,
    defaultPartitions: 2,
  });
  const admin = new TopicAdmin(connection);
  const probe = new KafkaProbe(prefix);

  afterAll(async () => {
    await admin.onApplicationShutdown();
    await probe.cleanup();
  });

  it('creates missing topics with their partitions and configs, every partition with a leader on return', async () => {
    await admin.ensureTopics([
      { topic: 'a.v1', partitions: 4, configs: { 'retention.ms': '3600000' } },
      { topic: 'b.v1' },
    ]);
    const kafka = await probe.admin();
    const { topics } = await kafka.fetchTopicMetadata({
      topics: [probe.physical('a.v1'), probe.physical('b.v1')],
    });
    const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions]));
    expect(partitions[probe.physical('a.v1')]).toHaveLength(4);
    expect(partitions[probe.physical('b.v1')]).toHaveLength(2); // defaultPartitions
    for (const list of Object.values(partitions))
      for (const p of list) expect(p.leader).toBeGreaterThanOrEqual(0);
    const configs = await kafka.describeConfigs({
      resources: [{ type: 2, name: probe.physical('a.v1'), configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0].configEntries[0]).toMatchObject({
      configName: 'retention.ms',
      configValue: '3600000',
    });
  });

  it('is idempotent, also when several callers race (another service creating the same topics)', async () => {
    const other = new TopicAdmin(connection);
    try {
      await Promise.all([
        admin.ensureTopics([{ topic: 'a.v1' }, { topic: 'c.v1' }]),
        other.ensureTopics([{ topic: 'c.v1' }, { topic: 'd.v1' }]),
        other.ensureTopics([{ topic: 'd.v1' }]),
      ]);
    } finally {
      await other.onApplicationShutdown();
    }
    const topics = await (await probe.admin()).listTopics();
    expect(topics).toEqual(
      expect.arrayContaining(['a.v1', 'c.v1', 'd.v1'].map((t) => probe.physical(t))),
    );
  });

  it('creates every catalog topic, its .dlq twin and the extra (retry) topics', async () => {
    const retry = retryTopicOf(Topics.DeliveryRequestedSms, '30s');
    await admin.ensureContractTopics([retry]);
    const topics = await (await probe.admin()).listTopics();
    const expected = [...ALL_TOPICS, ...ALL_TOPICS.map((t) => dlqTopicOf(t)), retry].map((t) =>
      probe.physical(t),
    );
    expect(topics).toEqual(expect.arrayContaining(expected));
  });

  it('pings a live cluster, and fails fast with a retriable error when none answers', async () => {
    await expect(admin.ping()).resolves.toBeUndefined();
    const down = new TopicAdmin(
      new KafkaConnection({ clientId: 'admin-test', brokers: ['127.0.0.1:1'] }),
    );
    const started = Date.now();
    try {
      await expect(down.ping()).rejects.toMatchObject({
        code: ErrorCode.DependencyUnavailable,
        retriable: true,
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await down.onApplicationShutdown();
    }
  });
});
