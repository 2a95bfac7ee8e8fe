// DeliveryRecorder with fake rows and a fake publisher: what one flush publishes as results.
import { randomUUID } from 'node:crypto';
import {
  MAX_BATCH_RECIPIENTS,
  Topics,
  resultsOf,
  type DeliveryRequested,
  type DeliveryResultBatch,
} from '@herald/contracts';
import type { EventPublisher, OutgoingEvent } from '@herald/kafka';
import type { DeliveryRepository } from '@herald/persistence';
import { DeliveryRecorder, type Outcome } from './delivery-recorder.js';
import type { DeliveryMetrics } from './delivery.metrics.js';
import { RetrySchedule } from './retry-schedule.js';

const botId = randomUUID();
const request = (runId: string): DeliveryRequested => ({
  runId,
  botId,
  contactId: randomUUID(),
  channel: 'sms',
  to: '+15550100001',
  messages: [{ text: 'Hello' }],
  variables: {},
  attempt: 0,
});

function recorder() {
  const steps: string[] = [];
  const records: Array<OutgoingEvent<DeliveryResultBatch>> = [];
  const counted: string[] = [];
  const rows = async () => {
    steps.push('rows');
  };
  const deliveries = {
    markSent: rows,
    markFailed: rows,
    markFellBack: rows,
    markPending: rows,
    release: rows,
  } as unknown as DeliveryRepository;
  const publisher = {
    publish: async (topic: string, events: OutgoingEvent<DeliveryResultBatch>[]) => {
      steps.push(`publish ${topic}`);
      if (topic === Topics.DeliveryResultBatch) records.push(...events);
    },
    publishRetry: async () => undefined,
    publishDeadLetters: async () => undefined,
  } as unknown as EventPublisher;
  const metrics = {
    published: (results: Array<{ status: string }>) => {
      for (const { status } of results) counted.push(status);
    },
  } as unknown as DeliveryMetrics;
  const recorder = new DeliveryRecorder(
    deliveries,
    publisher,
    new RetrySchedule(),
    () => undefined,
    metrics,
  );
  return { recorder, steps, records, counted };
}

describe('DeliveryRecorder results', () => {
  it('publishes the results of a flush as one delivery.result.v2 record per run, keyed by run, after the rows', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const { recorder: r, steps, records, counted } = recorder();
    const outcomes: Outcome[] = [
      { kind: 'sent', request: request(a), providerMessageId: 'm1' },
      { kind: 'failed', request: request(b), code: 'X', reason: 'refused' },
      { kind: 'sent', request: request(a), providerMessageId: 'm2', segments: 2 },
      {
        kind: 'settled',
        request: request(b),
        state: {
          runId: b,
          contactId: randomUUID(),
          botId,
          status: 'delivered',
          providerMessageId: 'm0',
          reason: null,
          code: null,
          segments: null,
        },
      },
    ];
    for (const outcome of outcomes) r.add(outcome);
    await r.close();

    expect(steps.indexOf(`publish ${Topics.DeliveryResultBatch}`)).toBeGreaterThan(
      steps.lastIndexOf('rows'),
    );
    expect(records.map((e) => [e.key, e.data.runId, e.data.results.map((x) => x.status)])).toEqual([
      [a, a, ['sent', 'sent']],
      // The settled row is announced again (sent, then delivered), after this flush's own results.
      [b, b, ['failed', 'sent', 'delivered']],
    ]);
    const [ofA] = records;
    expect(resultsOf(ofA.data)).toEqual([
      expect.objectContaining({
        runId: a,
        botId,
        contactId: outcomes[0].request.contactId,
        providerMessageId: 'm1',
      }),
      expect.objectContaining({ contactId: outcomes[2].request.contactId, segments: 2 }),
    ]);
    // Counted per person, not per record; results announced again are not counted again.
    expect(counted).toEqual(['sent', 'failed', 'sent']);
  });

  it('publishes every result of a long run once, in records of at most MAX_BATCH_RECIPIENTS', async () => {
    const runId = randomUUID();
    const { recorder: r, records, counted } = recorder();
    const total = MAX_BATCH_RECIPIENTS + 10;
    for (let i = 0; i < total; i++)
      r.add({ kind: 'sent', request: request(runId), providerMessageId: `m${i}` });
    await r.close();
    // Flushes hold up to 200 outcomes: every record is within the limit and each person is in one.
    expect(records.every((e) => e.key === runId)).toBe(true);
    expect(records.every((e) => e.data.results.length <= MAX_BATCH_RECIPIENTS)).toBe(true);
    expect(records.reduce((n, e) => n + e.data.results.length, 0)).toBe(total);
    expect(counted).toHaveLength(total);
  });
});
