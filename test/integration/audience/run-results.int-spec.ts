// The audience service folding delivery results into run counts, on real Kafka and PostgreSQL,
// across the delivery.result upgrade: results announced on the one-result v1 (a producer not yet
// upgraded) and again on the batched v2 (after it) count once, and a skip keeps one row.
import { randomUUID } from 'node:crypto';
import {
  Topics,
  resultBatches,
  type DeliveryResult,
  type DeliveryResultBatch,
} from '@herald/contracts';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../delivery/delivery-harness.js';
import { ceHeaders } from '../../utils/kafka.js';

describe('run results: delivery.result v1 and v2', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({}, ['audience']);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  async function runInProgress(botId: string, targeted: number): Promise<string> {
    const runId = randomUUID();
    await h.db.query(
      `INSERT INTO runs (id, bot_id, source, status, resolution_done, targeted, topic_prefix) VALUES ($1, $2, 'event', 'delivering', true, $3, $4)`,
      [runId, botId, targeted, h.stack.prefix],
    );
    return runId;
  }

  it('counts a result announced on v1 and again on v2 once, and completes the run when everyone is settled', async () => {
    const botId = randomUUID();
    const runId = await runInProgress(botId, 4);
    const at = new Date().toISOString();
    const [ada, bob, cy] = [randomUUID(), randomUUID(), randomUUID()];
    const skipId = randomUUID();
    const sent = (contactId: string): DeliveryResult => ({
      runId,
      botId,
      contactId,
      channel: 'sms',
      status: 'sent',
      at,
    });
    const skipped: DeliveryResult = {
      runId,
      botId,
      recipient: '+15550100000',
      status: 'skipped',
      reason: 'opted out',
      at,
    };

    // Before the upgrade: Ada sent and the skip, one result a record (the skip's CloudEvents id is its id).
    await h.probe.produce(Topics.DeliveryResult, [
      { key: runId, value: JSON.stringify(sent(ada)), headers: ceHeaders(Topics.DeliveryResult) },
      {
        key: runId,
        value: JSON.stringify(skipped),
        headers: { ...ceHeaders(Topics.DeliveryResult), ce_id: skipId },
      },
    ]);
    await h.runWhen(runId, (r) => r.sent === 1 && r.skipped === 1, 'the v1 results counted');

    // After it: the same two again (a redelivered batch), and Bob and Cy, many to a record.
    const records = resultBatches(
      [sent(ada), { ...skipped, id: skipId }, sent(bob), sent(cy)],
      400,
    );
    expect(records.length).toBeGreaterThan(1);
    await h.probe.produce(
      Topics.DeliveryResultBatch,
      records.map((data: DeliveryResultBatch) => ({
        key: data.runId,
        value: JSON.stringify(data),
        headers: ceHeaders(Topics.DeliveryResultBatch),
      })),
    );
    expect(await h.runWhen(runId)).toMatchObject({
      status: 'completed',
      targeted: 4,
      sent: 3,
      skipped: 1,
      failed: 0,
    });
    const skips = await h.db.query('SELECT id, reason FROM run_skips WHERE run_id = $1', [runId]);
    expect(skips.rows).toEqual([{ id: skipId, reason: 'opted out' }]);

    // A provider status on v2 after completion still counts, once.
    const delivered = { ...sent(ada), status: 'delivered' as const };
    for (let i = 0; i < 2; i++)
      await h.probe.produceEvents(Topics.DeliveryResultBatch, [
        { key: runId, data: resultBatches([delivered])[0] },
      ]);
    await h.runWhen(runId, (r) => r.delivered === 1, 'the delivered status counted');
    const outcomes = await eventually(async () => {
      const { rows } = await h.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM run_outcomes WHERE run_id = $1',
        [runId],
      );
      return rows[0].n === 5 ? rows[0].n : undefined;
    }, 'five outcomes in the ledger');
    expect(outcomes).toBe(5);
    expect(await h.run(runId)).toMatchObject({ sent: 3, skipped: 1, delivered: 1 });
  });

  it('passes over results their producer counted already (the delivery services count as rows move)', async () => {
    const botId = randomUUID();
    const runId = await runInProgress(botId, 3);
    const at = new Date().toISOString();
    const result = (status: 'sent' | 'failed', counted?: true): DeliveryResult => ({
      runId,
      botId,
      contactId: randomUUID(),
      channel: 'whatsapp',
      status,
      ...(counted ? { counted } : {}),
      at,
    });
    // One record: the uncounted result being folded means the counted ones were read with it.
    await h.probe.produceEvents(Topics.DeliveryResultBatch, [
      {
        key: runId,
        data: resultBatches([result('sent', true), result('failed', true), result('sent')])[0],
      },
    ]);
    await h.runWhen(runId, (r) => r.sent === 1, 'the uncounted result folded');
    expect(await h.run(runId)).toMatchObject({ status: 'delivering', sent: 1, failed: 0 });
    const { rows } = await h.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM run_outcomes WHERE run_id = $1',
      [runId],
    );
    expect(rows[0].n).toBe(1);
  });
});
