// Each channel end to end through the real stack (BroadcastRequested → audience → contact →
// delivery → provider sandbox), and the sandbox's status webhooks flowing back through the
// gateway's signed webhook routes into the delivery rows and the run's counts.
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PEOPLE = 5;

describe('delivery on each channel, with statuses flowing back', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start();
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('delivers WhatsApp text once per person, then counts delivered and read from the status webhooks', async () => {
    await h.callbacks('whatsapp', ['sent', 'delivered', 'read']);
    const botId = await h.bot({
      whatsapp: { phoneNumberId: '1065550101', accessToken: 'EAAG-test', messagesPerSecond: 500 },
    });
    const people = Array.from({ length: PEOPLE }, (_, i) => `1555010${String(i).padStart(4, '0')}`);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Hi {{first_name}}' }] },
      targets: people.map((userId, i) => ({
        userId,
        channel: 'whatsapp',
        create: true,
        variables: { first_name: `P${i}` },
      })),
    });

    const run = await h.runWhen(
      runId,
      (r) => r.status === 'completed' && r.read === PEOPLE,
      'all read',
    );
    expect(run).toMatchObject({
      targeted: PEOPLE,
      sent: PEOPLE,
      delivered: PEOPLE,
      read: PEOPLE,
      failed: 0,
      skipped: 0,
    });
    const received = await h.messages('whatsapp');
    for (const [i, to] of people.entries()) {
      expect(received.filter((m) => m.to === to)).toEqual([
        expect.objectContaining({ text: `Hi P${i}`, count: 1 }),
      ]);
    }
    expect((await h.deliveries(runId)).map((d) => d.status)).toEqual(Array(PEOPLE).fill('read'));
    // The provider's statuses count in the delivery service's metrics too, each once.
    const metrics = await (await fetch(`${h.stack.urlOf('delivery-whatsapp')}/metrics`)).text();
    const counted = (status: string) =>
      Number(
        new RegExp(
          `herald_deliveries_total\\{[^}]*channel="whatsapp"[^}]*status="${status}"[^}]*\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(counted('delivered')).toBeGreaterThanOrEqual(PEOPLE);
    expect(counted('read')).toBeGreaterThanOrEqual(PEOPLE);
  });

  it('moves a person the provider accepted and later reported failed from sent to failed in the run, once', async () => {
    await h.callbacks('whatsapp', ['sent', 'delivered']);
    const botId = await h.bot({
      whatsapp: { phoneNumberId: '1065550102', accessToken: 'EAAG-test', messagesPerSecond: 500 },
    });
    const people = Array.from({ length: 3 }, (_, i) => `1555011${String(i).padStart(4, '0')}`);
    // Accepted with a message id, then a "failed" status webhook (Meta's re-engagement error).
    await h.faults('whatsapp', {
      rejectRecipients: { [people[0]]: { code: 131047, async: true } },
    });
    try {
      const runId = await h.broadcast({
        botId,
        content: { messages: [{ text: 'Later failure' }] },
        targets: people.map((userId) => ({ userId, channel: 'whatsapp', create: true })),
      });
      const run = await h.runWhen(
        runId,
        (r) => r.status === 'completed' && r.failed === 1 && r.delivered === 2,
        'one failed by the webhook, two delivered',
      );
      expect(run).toMatchObject({ targeted: 3, sent: 2, failed: 1, delivered: 2, skipped: 0 });
      const rows = await h.deliveries(runId);
      expect(rows.map((d) => d.status).sort()).toEqual(['delivered', 'delivered', 'failed']);
      expect(rows.find((d) => d.status === 'failed')).toMatchObject({ code: '131047' });
    } finally {
      await h.faults('whatsapp', { rejectRecipients: {} });
    }
  });

  it('delivers SMS with its segment count recorded, and counts delivered from Twilio status callbacks', async () => {
    await h.callbacks('sms', ['sent', 'delivered']);
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000001',
        authToken: 'tok',
        from: '+15550001000',
        messagesPerSecond: 500,
      },
    });
    const people = Array.from(
      { length: PEOPLE },
      (_, i) => `+1555020${String(i).padStart(4, '0')}`,
    );
    const long = 'Grüße '.repeat(20); // ü is GSM-7, but 120 characters of it make one 160-septet segment…
    const runId = await h.broadcast({
      botId,
      // …and "ą" (outside GSM-7) makes it UCS-2: 121 units → 2 segments of 67.
      content: { messages: [{ text: `${long}ą` }] },
      targets: people.map((userId) => ({ userId, channel: 'sms', create: true })),
    });

    const run = await h.runWhen(
      runId,
      (r) => r.status === 'completed' && r.delivered === PEOPLE,
      'all delivered',
    );
    expect(run).toMatchObject({ sent: PEOPLE, delivered: PEOPLE, failed: 0 });
    const rows = await h.deliveries(runId);
    expect(rows.map((d) => [d.status, d.segments])).toEqual(Array(PEOPLE).fill(['delivered', 2]));
    const received = await h.messages('sms');
    for (const to of people)
      expect(received.filter((m) => m.to === to)).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it('delivers Messenger text to page-scoped ids, and counts delivered (message ids) and read (watermarks)', async () => {
    await h.callbacks('messenger', ['delivered', 'read']);
    const botId = await h.bot({
      messenger: {
        pageId: '100000000000201',
        pageAccessToken: 'EAAP-test',
        messagesPerSecond: 500,
      },
    });
    const people = Array.from({ length: PEOPLE }, (_, i) => `990000000000${i}`);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Your order shipped' }] },
      targets: people.map((userId) => ({ userId, channel: 'messenger', create: true })),
    });

    const run = await h.runWhen(
      runId,
      (r) => r.status === 'completed' && r.read === PEOPLE,
      'all read',
    );
    expect(run).toMatchObject({ sent: PEOPLE, delivered: PEOPLE, read: PEOPLE, failed: 0 });
    const received = await h.messages('messenger');
    for (const to of people) {
      expect(received.filter((m) => m.to === to)).toEqual([
        expect.objectContaining({ account: '100000000000201', count: 1 }),
      ]);
    }
  });

  it('sends Messenger people of one Page together as Graph batch requests, each once', async () => {
    const many = 120;
    const botId = await h.bot({
      messenger: {
        pageId: '100000000000202',
        pageAccessToken: 'EAAP-batch',
        messagesPerSecond: 1_000_000,
      },
    });
    const people = Array.from({ length: many }, (_, i) => `991000000${String(i).padStart(4, '0')}`);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Sale starts now' }] },
      targets: people.map((userId) => ({ userId, channel: 'messenger', create: true })),
    });

    const run = await h.runWhen(runId, (r) => r.status === 'completed', 'completed');
    expect(run).toMatchObject({ sent: many, failed: 0 });
    const received = (await h.messages('messenger')).filter((m) => m.account === '100000000000202');
    expect(received.map((m) => m.to).sort()).toEqual([...people].sort());
    expect(received.every((m) => m.count === 1)).toBe(true);
    // Fewer requests than people: sends made together went as batch requests.
    const metrics = await (await fetch(`${h.stack.urlOf('delivery-messenger')}/metrics`)).text();
    const series = (suffix: string) =>
      Number(
        new RegExp(
          `herald_graph_batch_operations_${suffix}\\{[^}]*channel="messenger"[^}]*\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(series('sum')).toBeGreaterThanOrEqual(many);
    expect(series('count')).toBeLessThan(series('sum') / 2);
  });

  it('refuses an unsigned or wrongly signed webhook with 401 and a bad body with 400', async () => {
    const payload = h.whatsappInbound('1065550101', '15550100000');
    expect((await h.metaWebhook('whatsapp', payload, 'not-the-app-secret')).status).toBe(401);
    const unsigned = await fetch(`${h.stack.gatewayUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(unsigned.status).toBe(401);
    const wrongObject = await h.metaWebhook('whatsapp', { object: 'page', entry: [] });
    expect(wrongObject).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: expect.stringContaining('whatsapp_business_account'),
        },
      },
    });
    expect(
      (
        await h.twilioWebhook(
          { AccountSid: 'AC1', MessageSid: 'SM1', MessageStatus: 'delivered', To: '+1555' },
          'wrong-token',
        )
      ).status,
    ).toBe(401);
    const challenge = await fetch(
      `${h.stack.gatewayUrl}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=sandbox-verify-token&hub.challenge=1158201444`,
    );
    expect([challenge.status, await challenge.text()]).toEqual([200, '1158201444']);
    const refused = await fetch(
      `${h.stack.gatewayUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    expect(refused.status).toBe(403);
  });
});
