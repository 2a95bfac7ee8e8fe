// Channel fallback through the real stack (issue 13): a broadcast whose settings say
// fallback ["whatsapp", "sms"] reaches a person WhatsApp refuses as "not a WhatsApp user"
// (131026, the sandbox told to) by SMS, once; everyone else on WhatsApp. The run counts each
// person once (and the one who fell back), and the rows say which channel delivered and why the
// first did not.
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

interface Row {
  userId: string | null;
  channel: string;
  status: string;
  code: string | null;
  reason: string | null;
  fallbackTo: string | null;
  fallbackFrom: string | null;
}

describe('policy: channel fallback', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start();
  }, 90_000);

  afterAll(async () => {
    await h?.sandbox('POST', '/sandbox/faults', {}).catch(() => undefined);
    await h?.stop();
  });

  it('reaches a person who is not on WhatsApp by SMS, once, and counts them once', async () => {
    const botId = await h.bot({
      whatsapp: {
        phoneNumberId: '1065551101',
        accessToken: 'EAAG-fallback',
        messagesPerSecond: 500,
      },
      sms: {
        accountSid: 'AC00000000000000000000000000001101',
        authToken: 'tok',
        from: '+15550110100',
        messagesPerSecond: 500,
      },
    });
    // Bad settings are refused, naming the field.
    const bad = await h.stack.admin('POST', `/admin/bots/${botId}/broadcasts`, {
      name: 'Bad fallback',
      content: { messages: [{ text: 'x' }] },
      settings: { fallback: ['whatsapp', 'messenger'] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('settings.fallback');

    const created = await h.stack.admin<{ id: string }>('POST', `/admin/bots/${botId}/broadcasts`, {
      name: 'Fallback',
      content: { messages: [{ text: 'Your parcel is on its way' }] },
      settings: { fallback: ['whatsapp', 'sms'] },
    });
    expect(created.status).toBe(201);
    const notOnWhatsapp = '+15551101001';
    const onWhatsapp = '+15551101002';
    await h.faults('whatsapp', {
      rejectRecipients: { [notOnWhatsapp]: { code: 131026, async: false } },
    });

    const runId = await h.broadcast({
      botId,
      broadcastId: created.body.id,
      targets: [notOnWhatsapp, onWhatsapp].map((userId) => ({
        userId,
        channel: 'whatsapp' as const,
        create: true,
      })),
    });
    const run = await h.runWhen(runId, undefined, 'the run to complete', 60_000);
    expect(run).toMatchObject({ targeted: 2, sent: 2, failed: 0, skipped: 0 });

    const sms = (await h.messages('sms')).filter((m) => m.text === 'Your parcel is on its way');
    expect(sms).toEqual([expect.objectContaining({ to: notOnWhatsapp, count: 1 })]);
    const whatsapp = (await h.messages('whatsapp')).filter(
      (m) => m.text === 'Your parcel is on its way',
    );
    expect(whatsapp.map((m) => `+${m.to}`)).toEqual([onWhatsapp]);
    expect((await h.stats('sms')).duplicates).toBe(0);

    const view = await h.stack.admin<{ counts: Record<string, number> }>(
      'GET',
      `/admin/runs/${runId}`,
    );
    expect(view.body.counts).toMatchObject({ targeted: 2, sent: 2, failed: 0, fellBack: 1 });
    const rows = (
      await h.stack.admin<{ deliveries: Row[] }>('GET', `/admin/runs/${runId}/deliveries`)
    ).body.deliveries;
    // WhatsApp user ids are E.164 with or without the plus, as the contact was created.
    const same = (userId: string | null, phone: string) =>
      userId?.replace(/^\+/, '') === phone.slice(1);
    const first = rows.find((r) => r.channel === 'whatsapp' && same(r.userId, notOnWhatsapp));
    expect(first).toMatchObject({ status: 'failed', code: '131026', fallbackTo: 'sms' });
    expect(first?.reason).toContain('sent on sms instead (channel fallback)');
    const second = rows.find((r) => r.channel === 'sms');
    expect(second).toMatchObject({ userId: notOnWhatsapp, status: 'sent' });
    expect(second?.fallbackFrom).toMatch(/^whatsapp could not reach them \(131026: /);
    expect(rows.find((r) => same(r.userId, onWhatsapp))).toMatchObject({
      channel: 'whatsapp',
      status: 'sent',
      fallbackTo: null,
    });
  });
});
