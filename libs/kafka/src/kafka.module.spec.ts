import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventPublisher } from './event.publisher.js';
import { HeraldKafkaServer } from './herald-kafka.server.js';
import { KafkaConnection } from './kafka.connection.js';
import { KafkaModule } from './kafka.module.js';
import { KAFKA_OPTIONS } from './kafka.options.js';
import { TopicAdmin } from './topic.admin.js';

@Injectable()
class AppConfig {
  readonly brokers = ['127.0.0.1:1'];
  readonly prefix = 'ci-42.';
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
class ConfigModule {}

describe('KafkaModule', () => {
  it('builds its options from a factory and provides the client, publisher, admin and transport', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRootAsync({
          imports: [ConfigModule],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            clientId: 'contact',
            brokers: config.brokers,
            topicPrefix: config.prefix,
          }),
        }),
      ],
    }).compile();
    try {
      const connection = moduleRef.get(KafkaConnection);
      expect(moduleRef.get(KAFKA_OPTIONS)).toMatchObject({ clientId: 'contact' });
      expect(connection.options).toMatchObject({
        groupId: 'herald-contact',
        defaultPartitions: 6,
        replicationFactor: 1,
        sessionTimeoutMs: 30_000,
      });
      expect(connection.physical('delivery.result.v1')).toBe('ci-42.delivery.result.v1');
      expect(connection.logical('ci-42.delivery.result.v1')).toBe('delivery.result.v1');
      expect(connection.groupOf('delivery.result.v1')).toBe(
        'ci-42.herald-contact.delivery.result.v1',
      );
      expect(moduleRef.get(EventPublisher)).toBeInstanceOf(EventPublisher);
      expect(moduleRef.get(TopicAdmin)).toBeInstanceOf(TopicAdmin);
      expect(moduleRef.get(HeraldKafkaServer)).toBeInstanceOf(HeraldKafkaServer);
    } finally {
      await moduleRef.close(); // nothing connected: closing must not try to
    }
  });

  it('refuses options without a client id or brokers', () => {
    expect(() => new KafkaConnection({ clientId: '', brokers: ['x:1'] })).toThrow(/clientId/);
    expect(() => new KafkaConnection({ clientId: 'a', brokers: [] })).toThrow(/brokers/);
  });
});
