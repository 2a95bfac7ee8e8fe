// Parking end to end (real Kafka and PostgreSQL): a provider account paced far below its
// broadcast no longer holds its channel's partitions. People who would wait longer than
// DELIVERY_PARK_AFTER_MS are parked (their row pending, their event in paced_deliveries) and
// released when their turn comes, so another bot's people on the same partitions are sent at
// once, the slow account keeps its pace, everyone is sent once, a cancel ends the parked people
// within seconds, and raising the account's rate speeds up the people already parked.
import type { INestApplication } from '@nestjs/common';
import { counterSum, eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PARK_AFTER_MS = 2_000;

describe('parking behind a slow account', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      DELIVERY_PARK_AFTER_MS: String(PARK_AFTER_MS),
      // An operator's change to an account reaches the delivery services within a second here.
      DELIVERY_ACCOUNT_CACHE_MS: '1000',
    });
  }, 90_000);

  /** delivery-sms replicas the last test adds; closed before the harness. */
  const replicas: INestApplication[] = [];

  afterAll(async () => {
    for (const app of replicas) await app.close();
    await h?.stop();
  });

  const smsBot = (sender: string, messagesPerSecond: number) =>
    h.bot({
      sms: {
        accountSid: `AC0000000000000000000000000000${sender.slice(-4)}`,
        authToken: 'tok',
        from: sender,
        messagesPerSecond,
      },
    });
  const people = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const parkedOf = async (runId: string): Promise<number> => {
    const { rows } = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM paced_deliveries WHERE run_id = $1`,
      [runId],
    );
    return Number(rows[0].n);
  };

  /**
   * Checks that `text` reached each of `to` once, and at a pace: the sends span at least
   * `minSpanMs` and no second holds more than `perSecond`, by when the provider received them
   * (the account's schedule, not when rows were written).
   */
  const expectOnceAtPace = async (
    text: string,
    to: string[],
    minSpanMs: number,
    perSecond: number,
  ): Promise<void> => {
    const sent = (await h.messages('sms')).filter((m) => m.text === text);
    expect(sent.map((m) => m.to).sort()).toEqual([...to].sort());
    const times = sent.map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(minSpanMs);
    for (const [i, at] of times.entries())
      expect(times.slice(i).filter((t) => t < at + 1_000).length).toBeLessThanOrEqual(perSecond);
  };

  it("sends another bot's people at once while a slowly paced bot waits its turn, keeps the slow pace, and sends everyone once", async () => {
    // Bot A: 40 people at 2/s (20 s of sends). Without parking, its claimed people would hold
    // every partition of the SMS topic for those 20 s, and bot B's people would wait behind them.
    const slowPeople = people('+15550920', 40);
    const slow = await smsBot('+15550009201', 2);
    const slowRun = await h.broadcast({
      botId: slow,
      content: { messages: [{ text: 'Slow lane' }] },
      targets: slowPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    await eventually(
      async () => (await h.messages('sms')).filter((m) => m.text === 'Slow lane').length >= 2,
      'the slow account to start sending',
    );

    const fastPeople = people('+15550930', 20);
    const fast = await smsBot('+15550009301', 100);
    const fastRun = await h.broadcast({
      botId: fast,
      content: { messages: [{ text: 'Fast lane' }] },
      targets: fastPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    // Within seconds, not after the slow run's 20 s.
    expect(await h.runWhen(fastRun, undefined, 'the fast run to complete', 10_000)).toMatchObject({
      sent: 20,
      failed: 0,
    });
    // The slow run is still going: bot B did not wait for it.
    expect((await h.run(slowRun))?.status).toBe('delivering');

    // Parked people wait as pending, with the reason.
    const waiting = (await h.deliveries(slowRun)).filter((d) => d.status === 'pending');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0]).toMatchObject({
      code: 'PACED',
      attempts: 0,
      reason: expect.stringContaining('parked'),
    });

    expect(await h.runWhen(slowRun, undefined, 'the slow run to complete', 60_000)).toMatchObject({
      sent: 40,
      failed: 0,
    });
    // Once each, and at the account's pace: 40 sends at 2/s span at least 19 s less a burst, and
    // no second carries more than its rate, give or take the network's jitter.
    await expectOnceAtPace('Slow lane', slowPeople, 17_000, 3);
    expect(await parkedOf(slowRun)).toBe(0);
  }, 120_000);

  it('ends the parked people of a cancelled run within seconds, as cancelled', async () => {
    const waiting = people('+15550940', 30);
    const botId = await smsBot('+15550009401', 1);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Cancelled lane' }] },
      targets: waiting.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    await eventually(
      async () => (await parkedOf(runId)) >= 20,
      'most of the run to be parked behind its 1/s account',
    );
    const cancelled = await h.stack.admin('POST', `/admin/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);

    // Their turns would have come up to 30 s later: the cancel brings them due at once, and the
    // people parked while the delivery service had not yet seen it are parked due at once.
    const rows = await h.cancelledRows(
      runId,
      waiting.length,
      'everyone to be sent or ended as cancelled',
      8_000,
    );
    const sent = rows.filter((d) => d.provider_message_id !== null).length;
    expect(sent).toBeLessThan(10);
    expect(rows.filter((d) => d.code === 'RUN_CANCELLED')).toHaveLength(waiting.length - sent);
    expect((await h.messages('sms')).filter((m) => m.text === 'Cancelled lane')).toHaveLength(sent);
    expect(await parkedOf(runId)).toBe(0);
  }, 60_000);

  it("gives parked people their turns at the account's new pace once an operator raises its rate", async () => {
    // 60 people at 1/s: a minute of sends, almost everyone parked one second apart.
    const everyone = people('+15550960', 60);
    const botId = await smsBot('+15550009601', 1);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Raised lane' }] },
      targets: everyone.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    await eventually(
      async () => (await parkedOf(runId)) >= 45,
      'most of the run to be parked behind its 1/s account',
    );
    const listed = await h.stack.admin<{ channels: Array<{ id: string }> }>(
      'GET',
      `/admin/bots/${botId}/channels`,
    );
    const raised = await h.stack.admin(
      'PATCH',
      `/admin/bots/${botId}/channels/${listed.body.channels[0].id}`,
      { config: { messagesPerSecond: 20 } },
    );
    expect(raised.status).toBe(200);
    const at = Date.now();

    // Their turns were a second apart, most of a minute still to go. Once the change is read
    // (the account cache) and one turn at the old pace has come, the rest go at 20/s: seconds.
    expect(await h.runWhen(runId, undefined, 'the raised run to complete', 20_000)).toMatchObject({
      sent: 60,
      failed: 0,
    });
    expect(Date.now() - at).toBeLessThan(15_000);
    // Once each, and never above the new pace.
    await expectOnceAtPace('Raised lane', everyone, 0, 24);
    expect(await parkedOf(runId)).toBe(0);
  }, 90_000);

  it("shares one slow account's queue across three replicas: they park and release its people, the pace holds, and everyone is sent once", async () => {
    for (let i = 0; i < 2; i += 1)
      replicas.push((await h.stack.startMore(['delivery-sms'])).get('delivery-sms')!);
    const apps = [h.stack.apps.get('delivery-sms')!, ...replicas];
    const parked = () =>
      Promise.all(
        apps.map((app) => counterSum(app, 'herald_delivery_parked_total', { channel: 'sms' })),
      );
    const before = await parked();

    // 60 people at 4/s: 15 s of sends on one schedule every replica shares.
    const everyone = people('+15550950', 60);
    const botId = await smsBot('+15550009501', 4);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Shared lane' }] },
      targets: everyone.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    expect(await h.runWhen(runId, undefined, 'the shared run to complete', 60_000)).toMatchObject({
      sent: 60,
      failed: 0,
    });
    // 60 sends at 4/s together, not at 4/s a replica: at least 14 s less a burst.
    await expectOnceAtPace('Shared lane', everyone, 12_000, 6);
    // People were parked (by whichever replicas got their partitions), and nobody is left parked.
    const after = await parked();
    expect(after.reduce((n, v, i) => n + v - before[i], 0)).toBeGreaterThan(0);
    expect(await parkedOf(runId)).toBe(0);
  }, 120_000);
});
