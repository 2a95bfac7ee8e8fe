// Handler tier, no I/O: the transport's handlers run through Nest's real RPC pipeline, and a
// handler's error must reach the transport as thrown (Nest's default filter would replace it).
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom, type Observable } from 'rxjs';
import { Topics, type DeliveryResult } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import type { EventBatch } from './event-batch.js';
import { HeraldKafkaServer, fetchWaitOf } from './herald-kafka.server.js';
import { DEFAULT_FETCH_WAIT_MS, QUIET_FETCH_WAIT_MS } from './topic.consumer.js';
import { KafkaModule } from './kafka.module.js';

const permanent = new HeraldError(ErrorCode.ProviderRejected, 'number does not exist', {
  retriable: false,
});

@Controller()
class ThrowingHandler {
  @EventPattern(Topics.DeliveryResult, { batchSize: 50, concurrency: 2 })
  async onResult(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    if (batch.events.length > 0) throw permanent;
  }
}

describe('HeraldKafkaServer handlers', () => {
  it('hands a handler error to the transport unchanged, and keeps the @EventPattern extras', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ clientId: 'unit', brokers: ['127.0.0.1:1'] })],
      controllers: [ThrowingHandler],
    }).compile();
    const server = moduleRef.get(HeraldKafkaServer);
    const app = moduleRef.createNestMicroservice({ strategy: server });
    await app.init();
    try {
      const handler = server.getHandlers().get(Topics.DeliveryResult);
      expect(handler?.isEventHandler).toBe(true);
      expect(handler?.extras).toEqual({ batchSize: 50, concurrency: 2 });

      const batch = {
        topic: Topics.DeliveryResult,
        partition: 0,
        events: [{}],
        heartbeat: async () => undefined,
      };
      const result = (await handler!(batch)) as Observable<unknown>;
      await expect(lastValueFrom(server.transformToObservable(result))).rejects.toBe(permanent);

      const empty = (await handler!({ ...batch, events: [] })) as Observable<unknown>;
      await expect(lastValueFrom(server.transformToObservable(empty))).resolves.toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe("a handler's fetch wait", () => {
  it('is short on live topics, longer on delayed retry twins and DLQ readers', () => {
    expect(fetchWaitOf({})).toBe(DEFAULT_FETCH_WAIT_MS);
    expect(fetchWaitOf({ delayMs: 0, batchSize: 10 })).toBe(DEFAULT_FETCH_WAIT_MS);
    expect(fetchWaitOf({ delayMs: 5_000 })).toBe(QUIET_FETCH_WAIT_MS);
    expect(fetchWaitOf({ raw: true })).toBe(QUIET_FETCH_WAIT_MS);
    expect(QUIET_FETCH_WAIT_MS).toBeGreaterThan(DEFAULT_FETCH_WAIT_MS);
  });
});
