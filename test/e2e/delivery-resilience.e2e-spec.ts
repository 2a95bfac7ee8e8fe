// Provider trouble end to end: an outage opens the account's breaker, which pauses the channel's
// consumption (no retries burnt) until a half-open probe succeeds; random provider errors are
// retried on the retry topics; a person who keeps failing ends in the DLQ after the last retry.
// Everyone else is delivered exactly once. Retry delays are shortened by DELIVERY_RETRY_DELAYS.
import { Topics, deliveryTopicFor, dlqTopicOf } from '@herald/contracts';
import { HeraldKafkaServer } from '@herald/kafka';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const BREAKER_RESET_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRY_DELAYS = ['100ms', '200ms', '300ms', '400ms', '500ms', '600ms', '700ms', '800ms'];

describe('delivery through provider trouble', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      DELIVERY_RETRY_DELAYS: RETRY_DELAYS.join(','),
      BREAKER_MIN_CALLS: '5',
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
      DELIVERY_STATUS_RETRY_DELAY: '200ms',
    });
  }, 90_000);

  afterEach(async () => {
    await h.sandbox('POST', '/sandbox/faults', {});
  });

  afterAll(async () => {
    await h?.stop();
  });

  const deliveryServer = () => h.stack.apps.get('delivery-whatsapp')!.get(HeraldKafkaServer);

  it('opens the breaker on an outage, pauses consumption, and delivers everyone exactly once after recovery', async () => {
    const people = Array.from({ length: 60 }, (_, i) => `1555030${String(i).padStart(4, '0')}`);
    const phoneNumberId = '1065550301';
    const botId = await h.bot({
      whatsapp: { phoneNumberId, accessToken: 'EAAG-test', messagesPerSecond: 1000 },
    });
    await h.faults('whatsapp', { outage: true });
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Outage test' }] },
      targets: people.map((userId) => ({ userId, channel: 'whatsapp', create: true })),
    });

    const topic = deliveryTopicFor('whatsapp');
    await eventually(
      async () => deliveryServer().isPaused(topic),
      'the breaker to pause consumption',
      20_000,
    );
    // Calls already in flight when it opened fail too (bounded by the in-flight window): they
    // land within one reset period. Nothing announces the last of them, so this wait is fixed.
    await sleep(BREAKER_RESET_MS);
    const windowStart = Date.now();
    const opened = await h.stats('whatsapp');
    // While it is open, one half-open probe a reset period is the only call: nobody's retries
    // are burnt against the outage (60 people with 8 retries each would be hundreds of calls).
    // The window lasts at least three periods, so it must have seen the breaker probe again (it
    // kept going); on a busy machine it can last longer, so the calls allowed follow its length:
    // a probe a period, and as many again for a call that raced a probe (a CI run once counted
    // 7 where a fixed 6 was allowed; retries burnt against the outage would be hundreds).
    await sleep(3 * BREAKER_RESET_MS);
    const during = await eventually(async () => {
      const stats = await h.stats('whatsapp');
      return stats.faulted > opened.faulted ? stats : undefined;
    }, 'a half-open probe');
    const periods = Math.ceil((Date.now() - windowStart) / BREAKER_RESET_MS);
    expect(during.total).toBe(0);
    expect(during.faulted - opened.faulted).toBeLessThanOrEqual(2 * periods);
    expect((await h.run(runId))?.status).toBe('delivering');

    await h.faults('whatsapp', { outage: false });
    const run = await h.runWhen(runId, undefined, 'the run to complete after recovery', 60_000);
    expect(run).toMatchObject({ targeted: people.length, sent: people.length, failed: 0 });
    expect(deliveryServer().isPaused(topic)).toBe(false);
    const received = (await h.messages('whatsapp')).filter((m) => m.account === phoneNumberId);
    expect(received.map((m) => m.to).sort()).toEqual(people);
    expect(received.every((m) => m.count === 1)).toBe(true);
    expect((await h.stats('whatsapp')).duplicates).toBe(0);
  });

  it('retries 20 % random provider errors and delivers everyone exactly once', async () => {
    const people = Array.from({ length: 60 }, (_, i) => `+1555040${String(i).padStart(4, '0')}`);
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000040',
        authToken: 'tok',
        from: '+15550004000',
        messagesPerSecond: 1000,
      },
    });
    await h.faults('sms', { errorRate: 0.2 });
    try {
      const runId = await h.broadcast({
        botId,
        content: { messages: [{ text: 'Flaky provider test' }] },
        targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
      });
      const run = await h.runWhen(runId, undefined, 'the run to complete', 60_000);
      expect(run).toMatchObject({ sent: people.length, failed: 0 });
      const stats = await h.stats('sms');
      expect(stats.faulted).toBeGreaterThan(0);
      expect(stats.duplicates).toBe(0);
      const received = (await h.messages('sms')).filter((m) => m.to.startsWith('+1555040'));
      expect(received.map((m) => m.to).sort()).toEqual(people);
      // Retried people show their attempts; nobody was sent twice.
      const rows = await h.deliveries(runId);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      expect(rows.some((r) => r.attempts > 1)).toBe(true);
    } finally {
      await h.faults('sms', { errorRate: 0 });
    }
  });

  it('sends a person who keeps failing to the DLQ after the last retry, with the reason, and fails them in the run', async () => {
    const stuck = '15550500001';
    const fine = '15550500002';
    const botId = await h.bot({
      whatsapp: { phoneNumberId: '1065550501', accessToken: 'EAAG-test', messagesPerSecond: 1000 },
    });
    // The pair rate limit is retriable and about this recipient only: it never trips the breaker.
    await h.faults('whatsapp', { rejectRecipients: { [stuck]: 131056 } });
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'DLQ test' }] },
      targets: [stuck, fine].map((userId) => ({ userId, channel: 'whatsapp', create: true })),
    });

    const run = await h.runWhen(runId, undefined, 'the run to complete', 60_000);
    expect(run).toMatchObject({ targeted: 2, sent: 1, failed: 1 });
    const rows = await h.deliveries(runId);
    const failed = rows.find((r) => r.status === 'failed')!;
    expect(failed).toMatchObject({
      attempts: RETRY_DELAYS.length + 1,
      code: '131056',
      reason: expect.stringMatching(/^gave up after 9 attempts: .*pair rate limit/),
    });

    const dead = (
      await h.probe.read(dlqTopicOf(Topics.DeliveryRequestedWhatsapp), 1, 20_000)
    ).filter((m) => (JSON.parse(m.value) as { runId: string }).runId === runId);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].value)).toMatchObject({ to: stuck, attempt: RETRY_DELAYS.length });
    expect(dead[0].headers).toMatchObject({
      herald_dlq_code: '131056',
      herald_dlq_reason: expect.stringContaining('gave up after 9 attempts'),
    });
    expect((await h.messages('whatsapp', fine)).map((m) => m.count)).toEqual([1]);
    expect(deliveryServer().isPaused(deliveryTopicFor('whatsapp'))).toBe(false);
  });
});
