// Handler tier for Kafka handlers, no I/O: a handler class runs inside HeraldKafkaServer as in a
// service. Records go through the transport's own consumer (CloudEvents headers and the topic's
// JSON Schema checked by parseEvent, an invalid event dead-lettered, a handler's error decided
// on), then Nest's RPC pipeline, then the handler. Only kafkajs, the topic admin and the
// publisher are fakes: nothing is fetched, created or produced.
import { jest } from '@jest/globals';
import type { INestMicroservice, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, KafkaMessage } from 'kafkajs';
import {
  CATALOG,
  newAttributes,
  toKafkaHeaders,
  type CloudEventAttributes,
  type TopicName,
} from '@herald/contracts';
import {
  DLQ_HEADERS,
  EventPublisher,
  HeraldKafkaServer,
  KafkaConnection,
  KafkaModule,
  TopicAdmin,
  baseTopicOf,
} from '@herald/kafka';

/** One record to hand over: valid event data (with its topic's headers), or a value as is. */
export type HandlerRecord =
  | { data: unknown; key?: string; attributes?: Partial<CloudEventAttributes> }
  | { value: string | null; headers?: Record<string, string>; key?: string };

/** A record the transport parked in the topic's DLQ, as its headers tell it. */
export interface ParkedRecord {
  topic: string;
  offset: string;
  reason: string;
  failureClass: string;
  code: string;
  attempts: number;
  value: string | null;
}

export interface Handover {
  /** Offsets the consumer let go of (handled or dead-lettered), to be committed. */
  done: string[];
  /** What went to the DLQ during this handover. */
  deadLetters: ParkedRecord[];
}

export interface KafkaHandlerHarnessOptions {
  controllers: Type<unknown>[];
  providers?: Provider[];
}

type EachBatch = NonNullable<ConsumerRunConfig['eachBatch']>;

/** The CloudEvents headers a valid event of `topic` (or of its retry twin) carries. */
function headersOf(
  topic: string,
  attributes: Partial<CloudEventAttributes> = {},
): Record<string, string> {
  const contract = baseTopicOf(topic) as TopicName;
  return toKafkaHeaders(newAttributes(CATALOG[contract].type, '/handler-test', attributes));
}

function header(headers: KafkaMessage['headers'], name: string): string {
  const value = headers?.[name];
  return (Array.isArray(value) ? value[0] : value)?.toString() ?? '';
}

/** What the transport's dead-lettering hands the publisher. */
type RawMessage = Pick<KafkaMessage, 'value'> & { headers: KafkaMessage['headers'] };

function parkedOf(topic: string, message: RawMessage): ParkedRecord {
  return {
    topic,
    offset: header(message.headers, DLQ_HEADERS.offset),
    reason: header(message.headers, DLQ_HEADERS.reason),
    failureClass: header(message.headers, DLQ_HEADERS.class),
    code: header(message.headers, DLQ_HEADERS.code),
    attempts: Number(header(message.headers, DLQ_HEADERS.attempts)),
    value: message.value === null ? null : message.value.toString(),
  };
}

export class KafkaHandlerHarness {
  private readonly offsets = new Map<string, number>();

  private constructor(
    private readonly app: INestMicroservice,
    private readonly connection: KafkaConnection,
    private readonly batches: Map<string, EachBatch>,
    private readonly parked: ParkedRecord[],
  ) {}

  static async start(options: KafkaHandlerHarnessOptions): Promise<KafkaHandlerHarness> {
    const parked: ParkedRecord[] = [];
    const publisher = {
      connect: async () => undefined,
      publishRaw: async (topic: string, messages: RawMessage[]) => {
        parked.push(...messages.map((message) => parkedOf(topic, message)));
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ clientId: 'handler-test', brokers: ['127.0.0.1:1'] })],
      controllers: options.controllers,
      providers: options.providers ?? [],
    })
      .overrideProvider(EventPublisher)
      .useValue(publisher)
      .overrideProvider(TopicAdmin)
      .useValue({ ensureTopics: async () => undefined })
      .compile();
    const connection = moduleRef.get(KafkaConnection);
    const batches = new Map<string, EachBatch>();
    jest.spyOn(connection.kafka, 'consumer').mockImplementation(() => {
      let subscribed: string[] = [];
      const consumer = {
        events: { GROUP_JOIN: 'consumer.group_join' },
        on: () => () => undefined,
        connect: async () => undefined,
        disconnect: async () => undefined,
        subscribe: async ({ topics }: { topics: string[] }) => {
          subscribed = topics;
        },
        run: async ({ eachBatch }: ConsumerRunConfig) => {
          for (const topic of subscribed) if (eachBatch) batches.set(topic, eachBatch);
        },
        pause: () => undefined,
        resume: () => undefined,
        seek: () => undefined,
      };
      return consumer as unknown as Consumer;
    });
    const app = moduleRef.createNestMicroservice({
      strategy: moduleRef.get(HeraldKafkaServer),
      logger: false,
    });
    await app.listen();
    return new KafkaHandlerHarness(app, connection, batches, parked);
  }

  /** The logical topics a handler consumes here. */
  get topics(): string[] {
    return [...this.batches.keys()].map((physical) => this.connection.logical(physical));
  }

  /**
   * Hands `records` to the handler of `topic` as one fetch of one partition: valid events of
   * the topic unless a record gives its own value. `timestamp` (ms) is when they were produced.
   */
  async deliver(
    topic: string,
    records: HandlerRecord[],
    options: { partition?: number; timestamp?: number } = {},
  ): Promise<Handover> {
    const physical = this.connection.physical(topic);
    const eachBatch = this.batches.get(physical);
    if (!eachBatch) throw new Error(`no handler consumes ${topic} (handled: ${this.topics})`);
    const partition = options.partition ?? 0;
    const first = this.offsets.get(physical) ?? 0;
    this.offsets.set(physical, first + records.length);
    const messages: KafkaMessage[] = records.map((record, i) => {
      const value = 'data' in record ? JSON.stringify(record.data) : record.value;
      const headers =
        'data' in record
          ? headersOf(topic, record.attributes)
          : (record.headers ?? headersOf(topic));
      return {
        key: record.key === undefined ? null : Buffer.from(record.key),
        value: value === null ? null : Buffer.from(value),
        headers,
        offset: String(first + i),
        timestamp: String(options.timestamp ?? Date.now()),
        attributes: 0,
      };
    });
    const done: string[] = [];
    const parkedBefore = this.parked.length;
    const payload = {
      batch: {
        topic: physical,
        partition,
        highWatermark: String(first + records.length),
        messages,
      },
      resolveOffset: (offset: string) => {
        done.push(offset);
      },
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => undefined,
    };
    await eachBatch(payload as unknown as EachBatchPayload);
    return { done, deadLetters: this.parked.slice(parkedBefore) };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
