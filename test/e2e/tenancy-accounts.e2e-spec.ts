// One bot's provider account never holds another bot's deliveries (real Kafka and PostgreSQL).
// A bot whose account the provider refuses (a revoked token, a suspended account) has its people
// failed with the reason after their attempts, and its refusals do not open a breaker: an open
// breaker pauses the channel's topics, and with them every other bot on the channel.
import { counterSum, eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

describe('tenancy: one bot refused by its provider', () => {
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
});
