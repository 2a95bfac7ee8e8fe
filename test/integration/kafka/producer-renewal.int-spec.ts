// EventPublisher against a real broker that no longer accepts its producer's sequence numbers.
// A partition leader that dies with a produce request in flight can leave the new leader expecting
// a sequence number the producer never reaches; kafkajs's idempotent producer then gets
// OUT_OF_ORDER_SEQUENCE_NUMBER on every send to that partition. Here the same state is made on
// purpose: records written under the publisher's own producer id move the broker's sequence past
// the producer's. The broker's answer is real; nothing in the publisher is stubbed.
import { Topics } from '@herald/contracts';
import { jest } from '@jest/globals';
import { EventPublisher, KafkaConnection, TopicAdmin } from '@herald/kafka';
import { KafkaProbe, deliveryResult, kafkaBrokers, randomTopicPrefix } from '../../utils/kafka.js';

jest.setTimeout(60_000);

describe('EventPublisher when Kafka stops accepting its producer (real Kafka)', () => {
  const prefix = randomTopicPrefix();
  const connection = new KafkaConnection({
    clientId: 'contact',
    brokers: kafkaBrokers(),
    topicPrefix: prefix,
    defaultPartitions: 1,
  });
  const admin = new TopicAdmin(connection);
  const probe = new KafkaProbe(prefix);
  const publisher = new EventPublisher(connection);

  beforeAll(async () => {
    await admin.ensureTopics([{ topic: Topics.DeliveryResult }]);
  });

  afterAll(async () => {
    await publisher.onApplicationShutdown();
    await admin.onApplicationShutdown();
    await probe.cleanup();
  });

  const publishOne = () => {
    const data = deliveryResult();
    return publisher.publish(Topics.DeliveryResult, [{ key: data.runId, data }]);
  };

  it('replaces the producer with one of a new producer id and sends again: the publish resolves and the record is written once', async () => {
    await publishOne();
    const [first] = await probe.writers(Topics.DeliveryResult, 0, 1);
    // The producer's next record is sequence 1. Writing 1 and 2 under its id leaves the broker
    // expecting 3: the producer's 1 is neither next nor a retry of a batch it remembers.
    await probe.produceAs(Topics.DeliveryResult, 0, first, 1, 2);

    await publishOne();

    await expect(probe.endOffset(Topics.DeliveryResult)).resolves.toBe(4);
    const writers = await probe.writers(Topics.DeliveryResult, 0, 4);
    expect(writers.slice(0, 3)).toEqual([first, first, first]);
    expect(writers[3].producerId).not.toBe(first.producerId);

    // The new producer goes on with its own sequence numbers.
    await publishOne();
    await expect(probe.endOffset(Topics.DeliveryResult)).resolves.toBe(5);
    const [, , , renewed, next] = await probe.writers(Topics.DeliveryResult, 0, 5);
    expect(next).toEqual(renewed);
  });
});
