import { randomUUID } from 'node:crypto';
import { validateEventData } from '../event-validator.js';
import { Topics } from '../topics.js';
import { MAX_BATCH_RECIPIENTS } from './delivery-batch.event.js';
import { resultBatches, resultsOf } from './delivery-result-batch.event.js';
import type { DeliveryResult } from './delivery-result.event.js';

const botId = randomUUID();
const at = '2026-12-06T08:00:00.000Z';
const sent = (runId: string): DeliveryResult => ({
  runId,
  botId,
  contactId: randomUUID(),
  channel: 'sms',
  status: 'sent',
  at,
});

describe('resultBatches', () => {
  it('groups results by run, in the order each run first appears, each run in its order', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const results = [sent(a), sent(b), sent(a), sent(b), sent(a)];
    const batches = resultBatches(results);
    expect(batches.map((x) => [x.runId, x.results.length])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    expect(batches.flatMap(resultsOf)).toEqual([
      results[0],
      results[2],
      results[4],
      results[1],
      results[3],
    ]);
    for (const batch of batches)
      expect(validateEventData(Topics.DeliveryResultBatch, batch)).toMatchObject({ ok: true });
  });

  it('keeps a skipped item its id, which resultsOf gives back', () => {
    const runId = randomUUID();
    const id = randomUUID();
    const skip = { id, runId, botId, recipient: 'nobody', status: 'skipped' as const, at };
    const [batch] = resultBatches([skip]);
    expect(batch).toEqual({
      runId,
      botId,
      results: [{ id, recipient: 'nobody', status: 'skipped', at }],
    });
    expect(resultsOf(batch)).toEqual([skip]);
  });

  it('cuts a run at MAX_BATCH_RECIPIENTS results a record', () => {
    const runId = randomUUID();
    const results = Array.from({ length: 2 * MAX_BATCH_RECIPIENTS + 1 }, () => sent(runId));
    const batches = resultBatches(results);
    expect(batches.map((x) => x.results.length)).toEqual([
      MAX_BATCH_RECIPIENTS,
      MAX_BATCH_RECIPIENTS,
      1,
    ]);
    expect(batches.flatMap(resultsOf)).toEqual(results);
  });

  it('cuts a run before its JSON passes the byte limit, and gives an oversized result a record alone', () => {
    const runId = randomUUID();
    const failed = (reason: string): DeliveryResult => ({
      ...sent(runId),
      status: 'failed',
      reason,
    });
    const results = [
      ...Array.from({ length: 10 }, () => failed('x'.repeat(1000))),
      // Control characters are six bytes each as JSON: 6 KiB alone.
      failed('\u0001'.repeat(1024)),
    ];
    const maxBytes = 4 * 1024;
    const batches = resultBatches(results, maxBytes);
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.flatMap(resultsOf)).toEqual(results);
    for (const batch of batches.slice(0, -1))
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(maxBytes);
    expect(batches.at(-1)!.results).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(batches.at(-1)))).toBeGreaterThan(maxBytes);
  });

  it('keeps every record of real-sized results under BATCH_RECORD_BYTES', () => {
    const runId = randomUUID();
    const results = Array.from({ length: MAX_BATCH_RECIPIENTS }, () => ({
      ...sent(runId),
      status: 'failed' as const,
      reason: '\u0001'.repeat(1024),
    }));
    const batches = resultBatches(results);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches)
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(512 * 1024);
    expect(batches.flatMap(resultsOf)).toEqual(results);
  });

  it('makes no record of no results', () => {
    expect(resultBatches([])).toEqual([]);
  });
});
