// Channel rules end to end: WhatsApp's 24-hour window (templates outside it, text after the
// person writes in), Messenger's window (message tags, notification tokens), an SMS STOP that
// opts the person out of the next broadcast (and START back in), and Chatfuel V2 identities
// (priority picks the conversation, given identities update the contact).
import { randomUUID } from 'node:crypto';
import { eventually } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

describe('channel rules', () => {
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await DeliveryHarness.start();
  }, 90_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('fails WhatsApp text outside the 24-hour window with the reason, sends templates, and text once the person writes in', async () => {
    const phoneNumberId = '1065550601';
    const person = '15550600001';
    const botId = await h.bot({
      whatsapp: { phoneNumberId, accessToken: 'EAAG-test', enforceWindow: true },
    });
    const template = { template: { name: 'order_update', language: { code: 'en_US' } } };

    const text = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Free-form hello' }] },
      targets: [{ userId: person, channel: 'whatsapp', create: true }],
    });
    expect(await h.runWhen(text)).toMatchObject({ sent: 0, failed: 1 });
    expect((await h.deliveries(text))[0]).toMatchObject({
      status: 'failed',
      code: 'WINDOW_CLOSED',
      reason: expect.stringContaining('send an approved template'),
    });

    const templated = await h.broadcast({
      botId,
      content: { messages: [template] },
      targets: [{ userId: person, channel: 'whatsapp', create: true }],
    });
    expect(await h.runWhen(templated)).toMatchObject({ sent: 1, failed: 0 });

    // The person writes in (a signed WhatsApp webhook): the window opens.
    expect((await h.metaWebhook('whatsapp', h.whatsappInbound(phoneNumberId, person))).status).toBe(
      200,
    );
    await eventually(
      async () => (await h.contact(botId, 'whatsapp', person))?.last_inbound_at,
      'the inbound time to be recorded',
    );
    const after = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Now free-form is fine' }] },
      targets: [{ userId: person, channel: 'whatsapp', create: true }],
    });
    expect(await h.runWhen(after)).toMatchObject({ sent: 1, failed: 0 });
    expect((await h.messages('whatsapp', person)).map((m) => m.type)).toEqual(['template', 'text']);
  });

  it('needs a message tag or a notification token on Messenger outside the window, and refuses retired tags', async () => {
    const pageId = '100000000000601';
    const botId = await h.bot({
      messenger: { pageId, pageAccessToken: 'EAAP-test', enforceWindow: true },
    });
    const send = (userId: string, options: Record<string, string> = {}) =>
      h.broadcast({
        botId,
        content: { messages: [{ text: 'Your ticket is confirmed' }] },
        targets: [{ userId, channel: 'messenger', create: true }],
        options,
      });

    const untagged = await send('990000000060001');
    expect(await h.runWhen(untagged)).toMatchObject({ failed: 1 });
    expect((await h.deliveries(untagged))[0]).toMatchObject({
      code: 'WINDOW_CLOSED',
      reason: expect.stringContaining('message tag'),
    });

    const retired = await send('990000000060002', { messagingTag: 'SHIPPING_UPDATE' });
    expect(await h.runWhen(retired)).toMatchObject({ failed: 1 });
    expect((await h.deliveries(retired))[0]).toMatchObject({ code: 'INVALID_TAG' });

    const tagged = await send('990000000060003', { messagingTag: 'CONFIRMED_EVENT_UPDATE' });
    const token = await send('990000000060004', { notificationMessagesToken: 'ntn-token-1' });
    expect(await h.runWhen(tagged)).toMatchObject({ sent: 1 });
    expect(await h.runWhen(token)).toMatchObject({ sent: 1 });
    expect(await h.messages('messenger', '990000000060003')).toHaveLength(1);
    // A notification-token send goes to the token, not the PSID.
    expect(await h.messages('messenger', 'ntn-token-1')).toHaveLength(1);
  });

  it('opts a person out of the next broadcast on an inbound SMS STOP, and back in on START', async () => {
    const accountSid = 'AC00000000000000000000000000000070';
    const from = '+15550007000';
    const person = '+15550700001';
    const other = '+15550700002';
    const botId = await h.bot({
      sms: { accountSid, authToken: 'tok', from, messagesPerSecond: 100 },
    });
    const broadcast = () =>
      h.broadcast({
        botId,
        content: { messages: [{ text: `News ${randomUUID().slice(0, 6)}` }] },
        targets: [person, other].map((userId) => ({ userId, channel: 'sms', create: true })),
      });

    expect(await h.runWhen(await broadcast())).toMatchObject({ sent: 2, skipped: 0 });
    const inbound = (body: string) =>
      h.twilioWebhook({
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        Body: body,
        From: person,
        MessageSid: `SM${randomUUID().replaceAll('-', '')}`,
        NumMedia: '0',
        SmsStatus: 'received',
        To: from,
      });
    const stop = await inbound('stop');
    expect(stop).toMatchObject({ status: 200, text: expect.stringContaining('<Response/>') });
    await eventually(
      async () => (await h.contact(botId, 'sms', person))?.opted_out_at,
      'the opt-out to be recorded',
    );

    const next = await broadcast();
    expect(await h.runWhen(next)).toMatchObject({ targeted: 2, sent: 1, skipped: 1 });
    expect(await h.messages('sms', person)).toHaveLength(1);

    expect((await inbound('START')).status).toBe(200);
    await eventually(
      async () => (await h.contact(botId, 'sms', person))?.opted_out_at === null,
      'the opt-in to be recorded',
    );
    expect(await h.runWhen(await broadcast())).toMatchObject({ sent: 2, skipped: 0 });
    expect(await h.messages('sms', person)).toHaveLength(2);
  });

  it('picks the conversation by V2 priority, updates the contact with the identities given, and skips the unreachable', async () => {
    const botId = await h.bot({
      whatsapp: { phoneNumberId: '1065550801', accessToken: 'EAAG-test' },
      messenger: { pageId: '100000000000801', pageAccessToken: 'EAAP-test' },
    });
    const phone = '+15550800001';
    const psid = '990000000080001';
    const seed = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Welcome' }] },
      targets: [
        { userId: phone, channel: 'whatsapp', create: true },
        { userId: psid, channel: 'messenger', create: true },
      ],
    });
    expect(await h.runWhen(seed)).toMatchObject({ sent: 2 });

    // V2: phone first; the email given is stored on the contact reached.
    const byPhone = await h.broadcast({
      botId,
      content: { messages: [{ text: 'By phone' }] },
      targets: [{ userId: 'crm-42', phone, fbid: psid, email: 'Ada@Example.com' }],
      options: { priority: ['phone', 'fbid'] },
    });
    expect(await h.runWhen(byPhone)).toMatchObject({ sent: 1 });
    expect((await h.messages('whatsapp', phone.slice(1))).map((m) => m.text)).toEqual([
      'Welcome',
      'By phone',
    ]);

    // By email alone, the contact updated above is found.
    const byEmail = await h.broadcast({
      botId,
      content: { messages: [{ text: 'By email' }] },
      targets: [{ email: 'ada@example.com' }],
      options: { priority: ['email'] },
    });
    expect(await h.runWhen(byEmail)).toMatchObject({ sent: 1 });
    expect((await h.messages('whatsapp', phone.slice(1))).map((m) => m.text)).toContain('By email');

    // fbid first reaches Messenger; an unknown email is skipped with the reason.
    const byFbid = await h.broadcast({
      botId,
      content: { messages: [{ text: 'By fbid' }] },
      targets: [{ phone, fbid: psid }, { email: 'nobody@example.com' }],
      options: { priority: ['fbid', 'phone', 'email'] },
    });
    expect(await h.runWhen(byFbid)).toMatchObject({ targeted: 2, sent: 1, skipped: 1 });
    expect((await h.messages('messenger', psid)).map((m) => m.text)).toEqual([
      'Welcome',
      'By fbid',
    ]);
  });
  it('messages a person reached by two targets of one page once, and counts the other as skipped', async () => {
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000090',
        authToken: 'tok',
        from: '+15550009000',
        messagesPerSecond: 100,
      },
    });
    const person = '+15550900001';
    const seed = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Hello' }] },
      targets: [{ userId: person, channel: 'sms', create: true }],
    });
    expect(await h.runWhen(seed)).toMatchObject({ sent: 1 });
    // The same person as an E.164 user id and as a phone without "+": one contact.
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Once only' }] },
      targets: [
        { userId: person, channel: 'sms' },
        { phone: '15550900001', channel: 'sms' },
        { userId: '+15550900002', channel: 'sms', create: true },
      ],
    });
    expect(await h.runWhen(runId)).toMatchObject({ targeted: 3, sent: 2, skipped: 1, failed: 0 });
    expect((await h.messages('sms', person)).map((m) => [m.text, m.count])).toEqual([
      ['Hello', 1],
      ['Once only', 1],
    ]);
  });

  it('sends nothing more once the run is cancelled mid-delivery, ends the waiting people within seconds, and records why they were not sent', async () => {
    // Paced at 1 message/s: forty people would take forty seconds, so the cancel lands while
    // nearly all of them wait on pacing, claimed by the delivery service.
    const botId = await h.bot({
      sms: {
        accountSid: 'AC00000000000000000000000000000091',
        authToken: 'tok',
        from: '+15550009100',
        messagesPerSecond: 1,
      },
    });
    const people = Array.from({ length: 40 }, (_, i) => `+155509100${String(i).padStart(2, '0')}`);
    const runId = await h.broadcast({
      botId,
      content: { messages: [{ text: 'Until cancelled' }] },
      targets: people.map((userId) => ({ userId, channel: 'sms' as const, create: true })),
    });
    const sentTo = async () =>
      (await h.messages('sms')).filter((m) => m.text === 'Until cancelled').length;
    await eventually(async () => (await sentTo()) >= 2, 'the first messages of the run');
    const cancelled = await h.stack.admin('POST', `/admin/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);

    // The delivery service reads the run's status at most every 2 s, also while a person waits
    // for their slot; then everyone is either sent or refused as cancelled, without waiting for
    // slots that would have come up to 40 s later. Nobody is left to send to, so nothing more can go out.
    const rows = await h.cancelledRows(
      runId,
      people.length,
      'everyone to be sent or refused as cancelled, well before their slots',
      15_000,
    );
    const settled = await sentTo();
    expect(settled).toBe(rows.filter((d) => d.provider_message_id !== null).length);
    expect(settled).toBeLessThan(people.length);

    const unsent = rows.filter((d) => d.code === 'RUN_CANCELLED');
    expect(unsent).toHaveLength(people.length - settled);
    expect(unsent[0]).toMatchObject({
      status: 'failed',
      reason: 'the run was cancelled before this message was sent',
    });
    expect((await h.run(runId))?.status).toBe('cancelled');
  }, 60_000);
});
