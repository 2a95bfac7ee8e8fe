// Behaviour 5 (issue 10): a permanent handler error dead-letters that record and the partition
// moves on; a transient one holds only that partition, and the record alone is retried after a
// growing backoff a bounded number of times, then dead-lettered; an outage pauses without
// spending attempts; one bad record in a batch never holds the others back. Other partitions and
// topics keep flowing. Hosted as services host it: a hybrid app with
// inheritAppConfig and a global catch-all exception filter (which must not swallow the errors).
import { Catch, Controller, type ExceptionFilter } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { jest } from '@jest/globals';
import { of } from 'rxjs';
import { Topics, dlqTopicOf, type DeliveryResult } from '@herald/contracts';
import { ErrorCode, HeraldError } from '@herald/errors';
import { DLQ_HEADERS, type EventBatch } from '@herald/kafka';
import {
  KafkaProbe,
  deliveryResult,
  randomTopicPrefix,
  startKafkaTestApp,
  waitFor,
  type KafkaTestApp,
} from '../../utils/kafka.js';

jest.setTimeout(45_000);

/** Like an HTTP app's global filter: turns every error into a harmless value. */
@Catch()
class SwallowEverythingFilter implements ExceptionFilter {
  catch() {
    return of(null);
  }
}

// The event's `reason` field tells the handler what to do: 'permanent', 'flaky:<n>' (fail n times),
// 'always' (a transient failure every time), 'outage:<n>' (a dependency down for n tries),
// 'sql' (a value the database refuses: SQLSTATE 22P05, as a lone surrogate into jsonb).
const attempts = new Map<string, number[]>();
const done: Array<{ runId: string; topic: string; partition: number; at: number }> = [];

@Controller()
class InstructedHandler {
  @EventPattern(Topics.DeliveryResult, { batchSize: 1 })
  async onResults(@Payload() batch: EventBatch<DeliveryResult>): Promise<void> {
    for (const { data, topic, partition } of batch.events) {
      const tries = attempts.get(data.runId) ?? [];
      tries.push(Date.now());
      attempts.set(data.runId, tries);
      if (data.reason === 'permanent') {
        throw new HeraldError(ErrorCode.ProviderRejected, 'the number does not exist', {
          retriable: false,
        });
      }
      if (data.reason === 'always') throw new TypeError('a bug that never passes');
      if (data.reason === 'sql') {
        throw Object.assign(new Error('unsupported Unicode escape sequence'), {
          name: 'QueryFailedError',
          driverError: Object.assign(new Error('unsupported Unicode escape sequence'), {
            code: '22P05',
          }),
        });
      }
      const outage = /^outage:(\d+)$/.exec(data.reason ?? '');
      if (outage && tries.length <= Number(outage[1])) {
        throw HeraldError.outage(
          ErrorCode.DependencyUnavailable,
          `database down (try ${tries.length})`,
        );
      }
      const flaky = /^flaky:(\d+)$/.exec(data.reason ?? '');
      if (flaky && tries.length <= Number(flaky[1])) {
        throw HeraldError.transient(
          ErrorCode.ProviderUnavailable,
          `provider down (try ${tries.length})`,
        );
      }
      done.push({ runId: data.runId, topic, partition, at: Date.now() });
    }
  }

  @EventPattern(Topics.DeliveryRequestedSms)
  async onOtherTopic(@Payload() batch: EventBatch<unknown>): Promise<void> {
    done.push(
      ...batch.events.map((e) => ({
        runId: e.offset,
        topic: e.topic,
        partition: e.partition,
        at: Date.now(),
      })),
    );
  }
}

const isDone = (runId: string) => done.some((d) => d.runId === runId);

describe('HeraldKafkaServer: handler errors', () => {
  const prefix = randomTopicPrefix();
  const probe = new KafkaProbe(prefix);
  let service: KafkaTestApp;

  beforeAll(async () => {
    service = await startKafkaTestApp({
      topicPrefix: prefix,
      recordAttempts: 4,
      recordRetryBaseMs: 300,
      controllers: [InstructedHandler],
      hybrid: { configure: (app) => app.useGlobalFilters(new SwallowEverythingFilter()) },
    });
  });

  afterAll(async () => {
    await service.close();
    await probe.cleanup();
  });

  it('sends the events of a chunk that failed permanently to the DLQ with the reason, and moves on', async () => {
    const before = deliveryResult();
    const poisoned = deliveryResult({ reason: 'permanent' });
    const after = deliveryResult();
    await probe.produceEvents(
      Topics.DeliveryResult,
      [before, poisoned, after].map((data) => ({ data, key: data.runId, partition: 0 })),
    );

    await waitFor(
      () => isDone(before.runId) && isDone(after.runId),
      15_000,
      'the events around the poisoned one',
    );
    const [letter] = await probe.read(dlqTopicOf(Topics.DeliveryResult), 1);
    expect(letter).toMatchObject({
      key: poisoned.runId,
      headers: {
        [DLQ_HEADERS.reason]: 'the number does not exist',
        [DLQ_HEADERS.code]: ErrorCode.ProviderRejected,
        [DLQ_HEADERS.topic]: Topics.DeliveryResult,
        [DLQ_HEADERS.partition]: '0',
        [DLQ_HEADERS.offset]: '1',
        ce_type: 'dev.herald.delivery.result.v1',
      },
    });
    expect(JSON.parse(letter.value)).toEqual(poisoned);
    expect(attempts.get(poisoned.runId)).toHaveLength(1); // never retried
    expect(isDone(poisoned.runId)).toBe(false);
  });

  it('retries a retriable failure on its partition alone, with a growing backoff, until it succeeds', async () => {
    const flaky = deliveryResult({ reason: 'flaky:3' });
    await probe.produceEvents(Topics.DeliveryResult, [{ data: flaky, partition: 1 }]);
    await waitFor(() => (attempts.get(flaky.runId)?.length ?? 0) >= 1, 15_000, 'the first attempt');

    // While partition 1 backs off, its neighbour partition and another topic keep flowing.
    const neighbour = deliveryResult();
    await probe.produceEvents(Topics.DeliveryResult, [{ data: neighbour, partition: 0 }]);
    await probe.produce(Topics.DeliveryRequestedSms, [{ key: 'c', value: '{}', headers: {} }]); // invalid: DLQ'd, still not blocked
    await waitFor(() => isDone(neighbour.runId), 5_000, 'partition 0 while partition 1 backs off');
    expect(isDone(flaky.runId)).toBe(false);

    await waitFor(() => isDone(flaky.runId), 20_000, 'the flaky event to succeed eventually');
    const tries = attempts.get(flaky.runId)!;
    expect(tries).toHaveLength(4);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]);
    // 300 ms, then 900 ms, then 2.7 s (plus fetch latency): each wait longer than the one before.
    expect(gaps[0]).toBeGreaterThanOrEqual(280);
    expect(gaps[1]).toBeGreaterThan(gaps[0] * 1.4);
    expect(gaps[2]).toBeGreaterThan(gaps[1] * 1.4);
    expect(done.find((d) => d.runId === neighbour.runId)!.at).toBeLessThan(tries[1]);
    const group = service.server.groupIdOf(Topics.DeliveryResult);
    await waitFor(
      async () => (await probe.committed(group, Topics.DeliveryResult)) === 5,
      10_000,
      'all committed',
    );
  });

  it('gives up on a record that keeps failing after the attempt budget: DLQ with reason, class and attempts; the partition moves on', async () => {
    const poisoned = deliveryResult({ reason: 'always' });
    const behind = deliveryResult();
    await probe.produceEvents(
      Topics.DeliveryResult,
      [poisoned, behind].map((data) => ({ data, key: data.runId, partition: 1 })),
    );
    await waitFor(() => isDone(behind.runId), 20_000, 'the record behind the poisoned one');
    expect(attempts.get(poisoned.runId)!.length).toBeGreaterThanOrEqual(4);
    const letters = await probe.read(dlqTopicOf(Topics.DeliveryResult), 2);
    const letter = letters.find((l) => l.key === poisoned.runId);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: 'gave up after 4 attempts: a bug that never passes',
      [DLQ_HEADERS.class]: 'transient',
      [DLQ_HEADERS.attempts]: '4',
      [DLQ_HEADERS.topic]: Topics.DeliveryResult,
      ce_type: 'dev.herald.delivery.result.v1',
    });
    expect(isDone(poisoned.runId)).toBe(false);
  });

  it('sends a value the database refuses (SQLSTATE class 22) to the DLQ at once, and the rest of its batch is handled', async () => {
    const sql = deliveryResult({ reason: 'sql' });
    const rest = [deliveryResult(), deliveryResult()];
    await probe.produceEvents(
      Topics.DeliveryResult,
      [rest[0], sql, rest[1]].map((data) => ({ data, key: data.runId, partition: 0 })),
    );
    await waitFor(
      () => rest.every((r) => isDone(r.runId)),
      15_000,
      'the records around the refused value',
    );
    expect(attempts.get(sql.runId)).toHaveLength(1);
    const letters = await probe.read(dlqTopicOf(Topics.DeliveryResult), 3);
    expect(letters.find((l) => l.key === sql.runId)?.headers).toMatchObject({
      [DLQ_HEADERS.class]: 'permanent',
      [DLQ_HEADERS.code]: '22P05',
      [DLQ_HEADERS.attempts]: '1',
    });
  });

  it('waits out an outage without spending attempts: more tries than the budget, then success, nothing dead-lettered', async () => {
    const waiting = deliveryResult({ reason: 'outage:5' });
    await probe.produceEvents(Topics.DeliveryResult, [
      { data: waiting, key: waiting.runId, partition: 1 },
    ]);
    await waitFor(() => isDone(waiting.runId), 40_000, 'the record once its dependency is back');
    expect(attempts.get(waiting.runId)).toHaveLength(6);
    const letters = await probe.read(dlqTopicOf(Topics.DeliveryResult), 3);
    expect(letters.some((l) => l.key === waiting.runId)).toBe(false);
  });
});
