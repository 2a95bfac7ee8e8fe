// A database that stalls mid-broadcast (a session holds a lock on the deliveries table, as a
// stuck migration or a forgotten transaction would). Every statement is bounded by
// DATABASE_STATEMENT_TIMEOUT_MS, so the delivery service's claims are cut off instead of waiting
// for ever; the cut-off reads as an outage, so its records pause and come again, spending no
// attempt and dead-lettering nobody. Once the lock goes, everyone is sent exactly once. What the
// provider accepted during a stall is recorded once the database is back, however long that
// takes, and nobody is sent twice; meanwhile no more than DELIVERY_MAX_UNRECORDED people are
// sent and not recorded (a kill -9 then could repeat no more). A hook call that meets the stall is told 503 with Retry-After (its request was fine), not 500, and the
// same call with the same Idempotency-Key afterwards reaches the person once. The delivery
// services tick the lease clock that keeps an outage from expiring live senders' leases.
import { counterSum, eventually, json } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PEOPLE = 20;
const STATEMENT_TIMEOUT_MS = 1_000;
/** Sends a delivery service may have made and not yet recorded. */
const MAX_UNRECORDED = 4;

describe('a database that stalls mid-broadcast', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      // Quick in-place retries: were a cut-off statement the record's own fault, its attempts
      // would run out (and the records reach the DLQ) while the lock is held.
      KAFKA_RECORD_RETRY_BASE_MS: '50',
      DELIVERY_MAX_UNRECORDED: String(MAX_UNRECORDED),
    });
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** Times delivery-sms's consumers paused because a dependency was unavailable. */
  const pausedOnSms = () =>
    counterSum(h.stack.apps.get('delivery-sms')!, 'herald_kafka_events_consumed_total', {
      outcome: 'paused',
    });

  /** Failed tries at recording outcomes that delivery-sms tried again. */
  const recordRetries = () =>
    counterSum(h.stack.apps.get('delivery-sms')!, 'herald_delivery_record_retries_total');

  /** Provider calls delivery-sms held back because MAX_UNRECORDED people were not yet recorded. */
  const unrecordedWaits = () =>
    counterSum(h.stack.apps.get('delivery-sms')!, 'herald_delivery_unrecorded_waits_total');

  /**
   * Runs `during` while a session holds `table` against writes (reads go on), as a stuck
   * migration or a forgotten transaction would; the lock goes when it ends, however it ends.
   */
  async function whileStalled<T>(table: string, during: () => Promise<T>): Promise<T> {
    const stalled = await h.db.connect();
    try {
      await stalled.query('BEGIN');
      await stalled.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
      return await during();
    } finally {
      await stalled.query('ROLLBACK');
      stalled.release();
    }
  }

  /**
   * A broadcast to `count` new SMS people of a new bot whose account is paced at `rate`/s (`tag`,
   * two digits, keeps its account and numbers apart); `reached` counts those the sandbox received.
   */
  async function smsBroadcast(tag: string, rate: number, count: number, text: string) {
    const botId = await h.bot({
      sms: {
        accountSid: `AC${'0'.repeat(30)}${tag}`,
        authToken: 'tok',
        from: `+155500${tag}00`,
        messagesPerSecond: rate,
      },
    });
    const people = Array.from(
      { length: count },
      (_, i) => `+15550${tag}${String(i).padStart(4, '0')}`,
    );
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text }] },
      targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
    });
    const reached = async () =>
      (await h.messages('sms')).filter((m) => people.includes(m.to)).length;
    return { people, runId, reached };
  }

  /**
   * The run completes within `timeoutMs` with everyone sent: each row `sent` on its one attempt
   * (a cut-off statement spent nothing), and each person reached once at the sandbox.
   */
  async function expectEachSentOnce(runId: string, people: string[], timeoutMs: number) {
    const run = await h.runWhen(
      runId,
      (r) => r.status === 'completed',
      'the run to complete',
      timeoutMs,
    );
    expect(run).toMatchObject({ targeted: people.length, sent: people.length, failed: 0 });
    const rows = await h.deliveries(runId);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(people.length).fill(['sent', 1]));
    const received = await h.messages('sms');
    for (const to of people)
      expect(received.filter((m) => m.to === to)).toEqual([expect.objectContaining({ count: 1 })]);
  }

  it('pauses the claims a lock holds past the statement timeout, then sends everyone once', async () => {
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000077',
        authToken: 'tok',
        from: '+15550007700',
        messagesPerSecond: 500,
      },
    });
    const people = Array.from(
      { length: PEOPLE },
      (_, i) => `+1555077${String(i).padStart(4, '0')}`,
    );
    const pausedBefore = await pausedOnSms();

    const runId = await whileStalled('deliveries', async () => {
      const id = await h.broadcast({
        botId,
        content: { messages: [{ text: 'Through a stall' }] },
        targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
      });
      // Without the statement timeout the claim would wait here for as long as the lock is held.
      await eventually(
        async () => (await pausedOnSms()) > pausedBefore,
        'the stalled claim to be cut off and paused',
        30_000,
      );
      expect(await h.messages('sms', people[0])).toEqual([]);
      return id;
    });

    await expectEachSentOnce(runId, people, 60_000);
    const dead: { rows: Array<{ n: number }> } = await h.db.query(
      'SELECT count(*)::int AS n FROM dead_letters WHERE run_id = $1',
      [runId],
    );
    expect(dead.rows[0].n).toBe(0);
  });

  it('keeps recording what the provider accepted through a stall longer than its tries, and sends nobody twice', async () => {
    const retriedBefore = await recordRetries();
    const { people, runId, reached } = await smsBroadcast('78', 2, 3, 'Sent during a stall');
    // The first person is sent: their batch's rows are claimed; now the database stalls.
    await eventually(async () => (await reached()) > 0, 'the first send', 30_000);
    await whileStalled('deliveries', () =>
      // Recording what was sent fails at the statement timeout again and again. Each person's
      // outcome is in one flush at most, and a flush that gives up after five tries is retried
      // four times: more retries than that, in all, means a flush outlasted five tries. (Before,
      // it gave up there, its rows stayed `sending`, and their people were sent again once the
      // rows' lease ran out.)
      eventually(
        async () => (await recordRetries()) - retriedBefore > 4 * people.length,
        'recording to outlast five tries',
        60_000,
      ),
    );
    // Well inside the rows' 60 s lease: a batch that had given up would still be waiting.
    await expectEachSentOnce(runId, people, 20_000);
  }, 120_000);

  it('sends no more than DELIVERY_MAX_UNRECORDED people while their rows cannot be written', async () => {
    const retriedBefore = await recordRetries();
    const waitsBefore = await unrecordedWaits();
    // One batch, claimed before the stall: at 20/s it would all be sent within the stall.
    const { people, runId, reached } = await smsBroadcast('79', 20, 30, 'Bounded through a stall');
    await eventually(async () => (await reached()) > 0, 'the first send', 30_000);
    const during = await whileStalled('deliveries', async () => {
      // Rows written before the lock; any write after it waits for the lock.
      const { rows } = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deliveries WHERE run_id = $1 AND status = 'sent'`,
        [runId],
      );
      const recorded = rows[0].n;
      // Unbounded, everyone would be sent within 1.5 s at 20/s: the stall lasts twice that, and
      // until recording has failed again and again.
      const stalledAt = Date.now();
      await eventually(
        async () => Date.now() - stalledAt >= 3_000 && (await recordRetries()) - retriedBefore >= 3,
        'recording to fail for three seconds',
        60_000,
      );
      return { recorded, reached: await reached() };
    });
    expect(during.reached).toBeLessThanOrEqual(during.recorded + MAX_UNRECORDED);
    expect(during.reached).toBeLessThan(people.length);
    // The sends that waited are counted for the operator.
    expect(await unrecordedWaits()).toBeGreaterThan(waitsBefore);
    await expectEachSentOnce(runId, people, 60_000);
  }, 120_000);

  it('ticks the lease clock from every delivery service, restarting its live time after a gap', async () => {
    // As if nobody could reach the database for an hour: the next tick restarts the clock, so
    // no expired lease is taken over until a whole lease of ticking has passed.
    await h.db.query(
      `UPDATE delivery_lease_clock SET ticked_at = now() - interval '1 hour', live_since = now() - interval '2 hours'`,
    );
    await eventually(
      async () => {
        const {
          rows: [clock],
        } = await h.db.query<{ ticking: boolean; restarted: boolean }>(
          `SELECT now() - ticked_at < interval '10 seconds' AS ticking,
                  now() - live_since < interval '10 seconds' AS restarted
             FROM delivery_lease_clock`,
        );
        return clock?.ticking === true && clock.restarted;
      },
      'a delivery service to tick the lease clock',
      20_000,
    );
  });

  it('answers a hook call that meets the stall with 503 and Retry-After; the same call later runs once', async () => {
    const admin = h.stack.admin.bind(h.stack);
    const bot = await createBot({ admin }, { name: 'Stall bot', channels: ['whatsapp'] });
    const broadcast = await admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'Through a stall',
        content: { messages: [{ text: 'After the stall {{first_name}}' }] },
      },
    );
    const call = () =>
      fetch(`${h.stack.gatewayUrl}/hooks/${broadcast.body.hookKey}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${bot.token}`,
          'idempotency-key': 'stalled-order-1',
        },
        body: JSON.stringify({
          targets: [{ user_id: '15550770001', bot_channel: 'whatsapp', first_name: 'Stall' }],
        }),
      });

    // The stalled session holds every write to the Idempotency-Key records.
    await whileStalled('idempotency_keys', async () => {
      const refused = await call();
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(body.error.message).not.toMatch(/canceling|statement|idempotency_keys/);
    });

    const accepted = await json<{ run_id: string }>(await call());
    expect(accepted.status).toBe(200);
    await finishedRun(admin, accepted.body.run_id);
    expect(await sandboxTexts(h.stack.sandboxUrl, 'whatsapp', '15550770001')).toEqual([
      'After the stall Stall',
    ]);
  });
});
