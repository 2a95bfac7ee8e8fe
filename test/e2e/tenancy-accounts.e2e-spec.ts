// One bot's provider account never holds another bot's deliveries (real Kafka and PostgreSQL).
// A bot whose account the provider refuses (a revoked token, a suspended account) has its people
// failed with the reason after their attempts, and its refusals do not open a breaker. A bot
// whose account is down while the channel's other accounts send has its breaker open, and its
// people parked until the account recovers: the channel's topics are paused only when the
// provider looks down for everyone, so the other bots are sent at once.
import { counterSum, eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

describe("tenancy: one bot's provider account", () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      BREAKER_MIN_CALLS: '5',
      // An open breaker would hold the channel for 15 s at a time.
      BREAKER_RESET_MS: '15000',
      DELIVERY_RETRY_DELAYS: '300ms,600ms',
    });
  }, 90_000);

  afterAll(async () => {
    await h?.sandbox('POST', '/sandbox/faults', {}).catch(() => undefined);
    await h?.stop();
  });

  const smsBot = (accountSid: string) =>
    h.bot({ sms: { accountSid, authToken: 'tok', from: '+15550007001', messagesPerSecond: 500 } });
  const people = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

  it("fails a refused bot's people with the reason, opens no breaker, and holds no other bot", async () => {
    const revokedSid = 'AC00000000000000000000000000007001';
    const revoked = await smsBot(revokedSid);
    const healthy = await smsBot('AC00000000000000000000000000007002');
    await h.faults('sms', { refusedAccounts: [revokedSid] });
    const faultedBefore = (await h.stats('sms')).faulted;

    const refusedPeople = people('+15550970', 40);
    const refusedRun = await h.broadcast({
      botId: revoked,
      content: { messages: [{ text: 'Refused lane' }] },
      targets: refusedPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    // Enough refusals for a breaker to open (BREAKER_MIN_CALLS), had they counted as an outage.
    await eventually(
      async () => (await h.deliveries(refusedRun)).filter((d) => d.code === '20003').length >= 5,
      'the provider to refuse the revoked account five times',
    );
    const healthyPeople = people('+15550971', 20);
    const healthyRun = await h.broadcast({
      botId: healthy,
      content: { messages: [{ text: 'Healthy lane' }] },
      targets: healthyPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });

    // The other bot is sent at once, whatever the refused one's account does.
    expect(
      await h.runWhen(healthyRun, undefined, 'the healthy run to complete', 10_000),
    ).toMatchObject({ sent: 20, failed: 0 });
    // The refused bot's run ends: everyone failed after their attempts, with what to do.
    expect(await h.runWhen(refusedRun, undefined, 'the refused run to end', 20_000)).toMatchObject({
      sent: 0,
      failed: 40,
    });
    const rows = await h.deliveries(refusedRun);
    expect(rows).toHaveLength(40);
    for (const row of rows)
      expect(row).toMatchObject({
        status: 'failed',
        code: '20003',
        reason: expect.stringContaining('re-authorise the SMS channel'),
      });
    expect((await h.messages('sms')).filter((m) => m.text === 'Refused lane')).toHaveLength(0);
    // The provider was not asked 120 times (40 people, 3 attempts each): a refusal is taken as
    // the account's answer for a while, so the retries took it without a call (the first
    // attempts, sent side by side before any answer came, each asked).
    expect((await h.stats('sms')).faulted - faultedBefore).toBeLessThanOrEqual(60);
    // Refusals are the account's answer, not an outage: its breaker stays closed.
    const breaker = await counterSum(h.stack.apps.get('delivery-sms')!, 'herald_breaker_state', {
      account: `sms:${revokedSid}`,
    });
    expect(breaker).toBe(0);
  }, 60_000);

  it("parks the people of a bot whose account is down while the channel's other accounts send, and sends them once after it recovers", async () => {
    const downSid = 'AC00000000000000000000000000007003';
    const down = await smsBot(downSid);
    const healthy = await smsBot('AC00000000000000000000000000007004');
    const sms = h.stack.apps.get('delivery-sms')!;
    // The healthy account sends: the provider is up.
    const warmUp = await h.broadcast({
      botId: healthy,
      content: { messages: [{ text: 'Warm-up lane' }] },
      targets: [{ userId: '+15550972000', channel: 'sms', create: true }],
    });
    await h.runWhen(warmUp);

    await h.faults('sms', { outageAccounts: [downSid] });
    const downPeople = people('+15550973', 30);
    const downRun = await h.broadcast({
      botId: down,
      content: { messages: [{ text: 'Down lane' }] },
      targets: downPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    await eventually(
      async () =>
        (await counterSum(sms, 'herald_breaker_state', { account: `sms:${downSid}` })) === 2,
      "the down account's breaker to open",
    );
    const healthyPeople = people('+15550974', 20);
    const healthyRun = await h.broadcast({
      botId: healthy,
      content: { messages: [{ text: 'Beside the outage' }] },
      targets: healthyPeople.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    // The breaker stays open 15 s at a time: the other bot does not wait for it.
    expect(
      await h.runWhen(healthyRun, undefined, 'the healthy run to complete', 8_000),
    ).toMatchObject({ sent: 20, failed: 0 });
    // Its people wait parked (pending, no attempt spent) once their retry meets the open breaker.
    const parked = await eventually(
      async () =>
        (await h.deliveries(downRun)).find(
          (d) => d.status === 'pending' && d.code === 'BREAKER_OPEN',
        ),
      'people of the down account to be parked behind its breaker',
    );
    expect(parked.reason).toContain('breaker is open');

    // The account recovers: its breaker's probe succeeds and its parked people go out, once each.
    await h.faults('sms', { outageAccounts: [] });
    const run = await h.runWhen(downRun, undefined, 'the recovered run to complete', 45_000);
    expect(run.sent + run.failed).toBe(30);
    const received = (await h.messages('sms')).filter((m) => m.text === 'Down lane');
    expect(received).toHaveLength(run.sent);
    expect(received.every((m) => m.count === 1)).toBe(true);
    // Only people who spent every attempt before the breaker opened failed, with the outage's code.
    for (const row of (await h.deliveries(downRun)).filter((d) => d.status === 'failed'))
      expect(row.code).toBe('20503');
    expect(run.sent).toBeGreaterThan(20);
  }, 90_000);
});
