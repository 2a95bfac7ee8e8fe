// Behaviour 4: every message is validated at the boundary; an invalid one goes to the topic's
// .dlq twin with its original key, value and headers plus the reason, and the partition moves on.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { Topics, dlqTopicOf, type DeliveryResult } from '@herald/contracts';
import { DLQ_HEADERS, type EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  ceHeaders,
  deliveryResult,
  randomTopicPrefix,
  startKafkaTestApp,
  waitFor,
} from '../../utils/kafka.js';

jest.setTimeout(40_000);

const handled: Array<{ runId: string; key: string | null; ceType: string; offset: string }> = [];

@Controller()
class ResultsHandler {
  @EventPattern(Topics.DeliveryResult, { batchSize: 3 })
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    handled.push(
      ...batch.events.map((e) => ({
        runId: e.data.runId,
        key: e.key,
        ceType: e.attributes.type,
        offset: e.offset,
      })),
    );
  }
}

describe('HeraldKafkaServer: validation at the boundary', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);

  afterAll(async () => {
    await probe.cleanup();
  });

  it('dead-letters what fails parsing or its contract, with the reason, and hands only valid events over', async () => {
    const service = await startKafkaTestApp({ topicPrefix: prefix, controllers: [ResultsHandler] });
    try {
      const valid = [deliveryResult(), deliveryResult(), deliveryResult()];
      const headers = ceHeaders(Topics.DeliveryResult);
      const messages = [
        { key: 'v0', value: JSON.stringify(valid[0]), headers },
        { key: 'bad-json', value: '{"runId": ', headers: { ...headers, x_trace: 'keep-me' } },
        { key: 'v1', value: JSON.stringify(valid[1]), headers },
        { key: 'no-headers', value: JSON.stringify(deliveryResult()), headers: {} },
        {
          key: 'bad-schema',
          value: JSON.stringify({ ...deliveryResult(), runId: 'nope' }),
          headers,
        },
        {
          key: 'wrong-type',
          value: JSON.stringify(deliveryResult()),
          headers: ceHeaders(Topics.BroadcastRequested),
        },
        { key: 'v2', value: JSON.stringify(valid[2]), headers },
      ];
      await probe.produce(
        Topics.DeliveryResult,
        messages.map((m) => ({ ...m, partition: 0 })),
      );

      await waitFor(() => handled.length >= 3, 15_000, 'the valid events');
      const dead = await probe.read(dlqTopicOf(Topics.DeliveryResult), 4);
      const group = service.server.groupIdOf(Topics.DeliveryResult);
      await waitFor(
        async () => (await probe.committed(group, Topics.DeliveryResult)) === 7,
        10_000,
        'the partition to move past all 7',
      );

      expect(handled).toEqual([
        { runId: valid[0].runId, key: 'v0', ceType: 'dev.herald.delivery.result.v1', offset: '0' },
        { runId: valid[1].runId, key: 'v1', ceType: 'dev.herald.delivery.result.v1', offset: '2' },
        { runId: valid[2].runId, key: 'v2', ceType: 'dev.herald.delivery.result.v1', offset: '6' },
      ]);

      const byKey = new Map(dead.map((m) => [m.key, m]));
      expect([...byKey.keys()].sort()).toEqual([
        'bad-json',
        'bad-schema',
        'no-headers',
        'wrong-type',
      ]);
      const expectations: Record<string, { offset: string; reason: RegExp }> = {
        'bad-json': { offset: '1', reason: /not JSON/ },
        'no-headers': { offset: '3', reason: /ce_id/ },
        'bad-schema': { offset: '4', reason: /\/runId must match format "uuid"/ },
        'wrong-type': { offset: '5', reason: /does not belong on delivery\.result\.v1/ },
      };
      for (const [key, { offset, reason }] of Object.entries(expectations)) {
        const original = messages.find((m) => m.key === key)!;
        const letter = byKey.get(key)!;
        expect(letter.value).toBe(original.value);
        expect(letter.headers).toMatchObject(original.headers);
        expect(letter.headers[DLQ_HEADERS.reason]).toMatch(reason);
        expect(letter.headers).toMatchObject({
          [DLQ_HEADERS.topic]: Topics.DeliveryResult,
          [DLQ_HEADERS.partition]: '0',
          [DLQ_HEADERS.offset]: offset,
          [DLQ_HEADERS.at]: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
        });
      }
      expect(byKey.get('bad-json')!.headers.x_trace).toBe('keep-me');
    } finally {
      await service.close();
    }
  });
});
