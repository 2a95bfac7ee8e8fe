// The Kafka trust boundary on a real broker: a second, throwaway KRaft broker that speaks only
// SASL/SCRAM-SHA-512 with ACLs enforced (scripts/lib/kafka-scram.mjs; its own ports and data,
// started and stopped here, never the shared 9092 one). A service with its credentials publishes
// and is ready; a client without credentials, or with a wrong password, is refused; and a
// KafkaUser may touch only the topics its ACLs name (the internal producer writes
// broadcast.requested.v1 and nothing else).
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
  logLevel,
  type Consumer,
  type SASLOptions,
} from 'kafkajs';
import { Topics } from '@herald/contracts';
import { EventPublisher, KafkaConnection, TopicAdmin } from '@herald/kafka';
import { deliveryResult, randomTopicPrefix, waitFor } from '../../utils/kafka.js';
// @ts-expect-error plain ES module of the local scripts, without type declarations
import { startScramKafka } from '../../../scripts/lib/kafka-scram.mjs';

interface ScramBroker {
  brokers: string[];
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

jest.setTimeout(60_000);

const password = () => randomBytes(12).toString('hex');
const USERS = {
  'herald-delivery-sms': password(),
  'herald-internal-producer': password(),
  'herald-audience': password(),
};
const scram = (username: string, pw: string) => ({
  mechanism: 'scram-sha-512' as const,
  username,
  password: pw,
});

describe('Kafka with SASL/SCRAM and ACLs (a broker of its own)', () => {
  const prefix = randomTopicPrefix('scram');
  const result = `${prefix}${Topics.DeliveryResult}`;
  const requested = `${prefix}${Topics.BroadcastRequested}`;
  let broker: ScramBroker;
  const closers: Array<() => Promise<unknown>> = [];
  const client = (sasl?: SASLOptions, retries = 0) =>
    new Kafka({
      clientId: 'scram-test',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 5_000,
      retry: { retries },
      ...(sasl ? { sasl } : {}),
    });
  /** The error a consumer crashes with (kafkajs reports it as an event, not from run()). */
  const crashOf = (consumer: Consumer) =>
    new Promise<Error>((resolve) =>
      consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error)),
    );

  beforeAll(async () => {
    // Bounded: the broker is up in ~10 s here; a stuck JVM fails the suite instead of hanging it.
    broker = (await startScramKafka({ users: USERS, timeoutMs: 120_000 })) as ScramBroker;
    const admin = client(scram(broker.admin.username, broker.admin.password)).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: result }, { topic: requested }],
        waitForLeaders: true,
      });
      const allow = (principal: string, topic: string, operation: AclOperationTypes) => ({
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: `User:${principal}`,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      });
      // As the manifests' KafkaUsers: a delivery service writes results, the internal producer
      // writes requests, the audience reads requests (with its consumer groups).
      const acl = [
        allow('herald-delivery-sms', result, AclOperationTypes.WRITE),
        allow('herald-delivery-sms', result, AclOperationTypes.DESCRIBE),
        allow('herald-internal-producer', requested, AclOperationTypes.WRITE),
        allow('herald-internal-producer', requested, AclOperationTypes.DESCRIBE),
        allow('herald-audience', requested, AclOperationTypes.READ),
        allow('herald-audience', requested, AclOperationTypes.DESCRIBE),
        {
          resourceType: AclResourceTypes.GROUP,
          resourceName: 'herald-audience.',
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal: 'User:herald-audience',
          host: '*',
          operation: AclOperationTypes.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ];
      await admin.createAcls({ acl });
      // The authorizer applies new ACLs from the metadata log a moment later: wait until it has them all.
      await waitFor(
        async () => {
          const { resources } = await admin.describeAcls({
            resourceType: AclResourceTypes.ANY,
            resourcePatternType: ResourcePatternTypes.ANY,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          });
          return resources.reduce((n, r) => n + r.acls.length, 0) >= acl.length;
        },
        15_000,
        'the ACLs to apply',
      );
    } finally {
      await admin.disconnect();
    }
  }, 180_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await broker?.stop();
  }, 60_000);

  it('lets a service with its credentials publish through EventPublisher, and reports it ready', async () => {
    const connection = new KafkaConnection({
      clientId: 'delivery-sms',
      brokers: broker.brokers,
      topicPrefix: prefix,
      sasl: scram('herald-delivery-sms', USERS['herald-delivery-sms']),
    });
    const publisher = new EventPublisher(connection);
    const topicAdmin = new TopicAdmin(connection);
    closers.push(
      () => publisher.onApplicationShutdown(),
      () => topicAdmin.onApplicationShutdown(),
    );
    await publisher.publish(Topics.DeliveryResult, [{ key: 'k', data: deliveryResult() }]);
    await expect(topicAdmin.ping()).resolves.toBeUndefined();
    const admin = client(scram(broker.admin.username, broker.admin.password)).admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await waitFor(
      async () => (await admin.fetchTopicOffsets(result)).some((p) => Number(p.high) > 0),
      15_000,
      'the published result',
    );
  });

  it('refuses a client without credentials', async () => {
    const admin = client().admin();
    closers.push(() => admin.disconnect());
    // The SASL listener closes an unauthenticated connection at its first request.
    await expect(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
    ).rejects.toThrow(/Closed connection|ECONNRESET|Connection error|closed/i);
  });

  it('refuses a wrong password, and the readiness probe says so', async () => {
    const producer = client(scram('herald-delivery-sms', 'not-the-password')).producer();
    closers.push(() => producer.disconnect());
    await expect(producer.connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
    });
    const topicAdmin = new TopicAdmin(
      new KafkaConnection({
        clientId: 'delivery-sms',
        brokers: broker.brokers,
        sasl: scram('herald-delivery-sms', 'wrong'),
      }),
    );
    closers.push(() => topicAdmin.onApplicationShutdown());
    await expect(topicAdmin.ping()).rejects.toThrow(
      /Kafka is not reachable.*authentication failed/i,
    );
  });

  it('lets the audience read broadcast.requested.v1 in its own consumer group', async () => {
    // Retries: the broker creates __consumer_offsets on the first group join (COORDINATOR_NOT_AVAILABLE meanwhile).
    const consumer = client(scram('herald-audience', USERS['herald-audience']), 10).consumer({
      groupId: 'herald-audience.broadcast.requested.v1',
      sessionTimeout: 6_000,
    });
    closers.push(() => consumer.disconnect());
    const seen: string[] = [];
    const producer = client(
      scram('herald-internal-producer', USERS['herald-internal-producer']),
    ).producer();
    closers.push(() => producer.disconnect());
    await producer.connect();
    await producer.send({ topic: requested, acks: -1, messages: [{ key: 'run', value: '{}' }] });
    await consumer.connect();
    await consumer.subscribe({ topics: [requested], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.key)) });
    await waitFor(() => seen.length > 0, 30_000, 'the audience reading broadcast.requested');
    expect(seen).toContain('run');
  });

  it('lets the internal producer write broadcast.requested.v1 and nothing else', async () => {
    const producer = client(
      scram('herald-internal-producer', USERS['herald-internal-producer']),
    ).producer();
    closers.push(() => producer.disconnect());
    await producer.connect();
    await expect(
      producer.send({ topic: requested, acks: -1, messages: [{ key: 'run', value: '{}' }] }),
    ).resolves.toHaveLength(1);
    await expect(
      producer.send({ topic: result, acks: -1, messages: [{ key: 'run', value: '{}' }] }),
    ).rejects.toThrow(/not authorized|authorization/i);
    // Nor read what it wrote, even in another service's group (the group coordinator exists by
    // now: the audience test above joined the first group).
    const consumer = client(
      scram('herald-internal-producer', USERS['herald-internal-producer']),
      2,
    ).consumer({ groupId: 'herald-audience.sneaky' });
    closers.push(() => consumer.disconnect());
    const crashed = crashOf(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [requested], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    // kafkajs reports a group it may not use (GROUP_AUTHORIZATION_FAILED) as no coordinator found;
    // the audience joins a group of the same prefix in the test above.
    await expect(crashed).resolves.toMatchObject({
      message: expect.stringMatching(
        /not authorized|authorization|Failed to find group coordinator/i,
      ),
    });
  });
});
