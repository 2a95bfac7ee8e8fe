// Global module: one Kafka client per service, the publisher, topic admin and the transport.
import {
  Global,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { EventPublisher } from './event.publisher.js';
import { HeraldKafkaServer } from './herald-kafka.server.js';
import { KafkaConnection } from './kafka.connection.js';
import { KafkaMetrics } from './kafka.metrics.js';
import { KAFKA_OPTIONS, type KafkaOptions } from './kafka.options.js';
import { TopicAdmin } from './topic.admin.js';

export interface KafkaModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => KafkaOptions | Promise<KafkaOptions>;
}

const services: Provider[] = [
  KafkaConnection,
  KafkaMetrics,
  EventPublisher,
  TopicAdmin,
  HeraldKafkaServer,
];
const exported = [
  KAFKA_OPTIONS,
  KafkaConnection,
  KafkaMetrics,
  EventPublisher,
  TopicAdmin,
  HeraldKafkaServer,
];

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [{ provide: KAFKA_OPTIONS, useValue: options }, ...services],
      exports: exported,
    };
  }

  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: options.imports ?? [],
      providers: [
        { provide: KAFKA_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...services,
      ],
      exports: exported,
    };
  }
}
