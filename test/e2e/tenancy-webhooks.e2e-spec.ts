// Issue 11: provider webhooks are trusted per account. Each is signed the way its provider
// signs (Twilio: HMAC-SHA1 of URL + sorted params with the account's own auth token; Meta:
// X-Hub-Signature-256 with the app secret of the account's app), accepted for the account it
// names, refused with any other secret, and applied to that account only. A replayed webhook
// changes nothing, and an older keyword arriving after a newer one is ignored. A tenant whose
// channel names another tenant's account (with its own secret) signs for itself alone.
import { createHmac, randomUUID } from 'node:crypto';
import { eventually, json } from '@herald/testing';
import { DeliveryHarness } from '../integration/delivery/delivery-harness.js';

const PLATFORM_META_SECRET = 'sandbox-app-secret'; // META_APP_SECRET's development default

describe('tenancy: per-account webhook trust', () => {
  let h: DeliveryHarness;
  const sid = {
    a: `AC${randomUUID().replace(/-/g, '')}`,
    b: `AC${randomUUID().replace(/-/g, '')}`,
  };
  const token = { a: `tok-a-${randomUUID()}`, b: `tok-b-${randomUUID()}` };
  const phone = { a: `10655${Date.now() % 1e6}`, b: `20655${Date.now() % 1e6}` };
  const page = { a: `30655${Date.now() % 1e6}` };
  const appSecret = { a: `app-secret-a-${randomUUID()}` };
  const smsFrom = { a: '+12025550100', b: '+12025550101' };
  let botA: string;
  let botB: string;

  /** Signed exactly as Twilio signs: Base64 HMAC-SHA1(auth token, URL + each param name and value, sorted by name). */
  const twilio = async (params: Record<string, string>, authToken: string) => {
    const url = `${h.stack.gatewayUrl}/webhooks/twilio`;
    const data = Object.keys(params)
      .sort()
      .reduce((acc, name) => acc + name + params[name], url);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': createHmac('sha1', authToken).update(data).digest('base64'),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  };

  /** Signed exactly as Meta signs: "sha256=" + hex HMAC-SHA256(app secret, the raw body). */
  const meta = async (path: 'whatsapp' | 'messenger', payload: unknown, secret: string) => {
    const body = JSON.stringify(payload);
    return json<Record<string, unknown>>(
      await fetch(`${h.stack.gatewayUrl}/webhooks/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        },
        body,
      }),
    );
  };

  const sms = (
    account: string,
    from: string,
    body: string,
    messageSid = `SM${randomUUID().replace(/-/g, '')}`,
  ) => ({
    AccountSid: account,
    MessageSid: messageSid,
    SmsSid: messageSid,
    SmsStatus: 'received',
    From: from,
    To: account === sid.a ? smsFrom.a : smsFrom.b,
    Body: body,
  });

  const whatsappText = (
    phoneNumberId: string,
    from: string,
    text: string,
    at: number,
    id = `wamid.${randomUUID()}`,
  ) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
              messages: [{ from, id, timestamp: String(at), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });

  /** The contact a person's number reached (user ids differ by channel; the E.164 phone does not). */
  const contact = async (botId: string, channel: 'sms' | 'whatsapp', e164: string) => {
    const { rows } = await h.db.query<{ opted_out_at: Date | null; last_inbound_at: Date | null }>(
      'SELECT opted_out_at, last_inbound_at FROM contacts WHERE bot_id = $1 AND channel = $2 AND (user_id = $3 OR phone = $3)',
      [botId, channel, e164],
    );
    return rows[0];
  };
  const optedOut = async (botId: string, channel: 'sms' | 'whatsapp', e164: string) =>
    (await contact(botId, channel, e164))?.opted_out_at ?? null;

  /** Sends a marker message after `action` and waits for it: the contact service handles one sender's events in order. */
  const settled = async (
    botId: string,
    channel: 'sms' | 'whatsapp',
    userId: string,
    marker: () => Promise<unknown>,
  ) => {
    const before = (await contact(botId, channel, userId))?.last_inbound_at?.getTime() ?? 0;
    await marker();
    await eventually(
      async () =>
        ((await contact(botId, channel, userId))?.last_inbound_at?.getTime() ?? 0) > before,
      'the marker message to be applied',
    );
  };

  beforeAll(async () => {
    h = await DeliveryHarness.start({}, ['gateway', 'audience', 'contact', 'delivery-sms']);
    botA = await h.bot({
      sms: { accountSid: sid.a, authToken: token.a, from: smsFrom.a, messagesPerSecond: 100 },
      whatsapp: { phoneNumberId: phone.a, accessToken: 'EAAG-a', appSecret: appSecret.a },
      messenger: { pageId: page.a, pageAccessToken: 'EAAG-page-a', appSecret: appSecret.a },
    });
    // B stores no app secret: its WhatsApp number is verified with the platform's META_APP_SECRET.
    botB = await h.bot({
      sms: { accountSid: sid.b, authToken: token.b, from: smsFrom.b },
      whatsapp: { phoneNumberId: phone.b, accessToken: 'EAAG-b' },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  describe('Twilio', () => {
    it("accepts a webhook signed with the named account's auth token and refuses any other", async () => {
      const params = sms(sid.a, '+12025550143', 'hello');
      expect((await twilio(params, token.b)).status).toBe(401);
      expect((await twilio(params, 'not-a-token')).status).toBe(401);
      // B's token cannot speak for A's account, nor A's for B's.
      expect((await twilio(sms(sid.b, '+12025550143', 'STOP'), token.a)).status).toBe(401);
      expect(await twilio(params, token.a)).toEqual({
        status: 200,
        text: expect.stringContaining('<Response/>'),
      });
      await eventually(
        async () => (await contact(botA, 'sms', '+12025550143'))?.last_inbound_at,
        "A's contact to be recorded",
      );
      // Nothing reached bot B, which has no channel with A's account.
      expect(await contact(botB, 'sms', '+12025550143')).toBeUndefined();
    });

    it('a replayed START after a newer STOP changes nothing', async () => {
      const person = '+12025550144';
      const start = sms(sid.a, person, 'START');
      expect((await twilio(start, token.a)).status).toBe(200);
      await eventually(
        async () => (await contact(botA, 'sms', person))?.last_inbound_at,
        'the START to be applied',
      );
      expect((await twilio(sms(sid.a, person, 'STOP'), token.a)).status).toBe(200);
      await eventually(
        async () => (await optedOut(botA, 'sms', person)) !== null,
        'the STOP to opt the person out',
      );

      // The same START again (same MessageSid, same signature): a replay.
      await settled(botA, 'sms', person, async () => {
        expect((await twilio(start, token.a)).status).toBe(200);
        expect((await twilio(sms(sid.a, person, 'hi'), token.a)).status).toBe(200);
      });
      expect(await optedOut(botA, 'sms', person)).not.toBeNull();
    });

    it("a status names its account: another account's signed status cannot move this account's delivery", async () => {
      const person = '+12025550145';
      const runId = await h.broadcast({
        botId: botA,
        content: { messages: [{ text: 'Status test' }] },
        targets: [{ userId: person, channel: 'sms', create: true }],
      });
      const [row] = await eventually(async () => {
        const rows = await h.deliveries(runId);
        return rows[0]?.provider_message_id ? rows : undefined;
      }, 'the message to be sent');
      const status = (account: string, messageStatus: string) => ({
        AccountSid: account,
        MessageSid: row.provider_message_id!,
        MessageStatus: messageStatus,
        To: person,
        From: smsFrom.a,
      });
      // B signs a "failed" for A's message with B's own (valid) token: verified for B, applied to B's deliveries only.
      expect((await twilio(status(sid.b, 'failed'), token.b)).status).toBe(200);
      expect((await twilio(status(sid.a, 'delivered'), token.a)).status).toBe(200);
      // The same recipient key orders both on one partition: once A's is applied, B's was handled before it.
      const [after] = await eventually(async () => {
        const rows = await h.deliveries(runId);
        return rows[0]?.status !== 'sent' ? rows : undefined;
      }, 'a status to be applied');
      expect(after).toMatchObject({ status: 'delivered', code: null, reason: null });
    });
  });

  describe('Meta', () => {
    it("WhatsApp: verified with the channel's own app secret, else the platform's; any other is refused", async () => {
      const now = Math.floor(Date.now() / 1000);
      const forA = whatsappText(phone.a, '12025550146', 'hi', now);
      expect((await meta('whatsapp', forA, PLATFORM_META_SECRET)).status).toBe(401);
      expect((await meta('whatsapp', forA, 'another-secret')).status).toBe(401);
      expect((await meta('whatsapp', forA, appSecret.a)).status).toBe(200);

      const forB = whatsappText(phone.b, '12025550146', 'hi', now);
      expect((await meta('whatsapp', forB, appSecret.a)).status).toBe(401);
      expect((await meta('whatsapp', forB, PLATFORM_META_SECRET)).status).toBe(200);

      // One body naming both numbers must verify for each: A's secret does not carry B's number.
      const both = whatsappText(phone.a, '12025550146', 'hi', now);
      (both.entry[0].changes as unknown[]).push(
        whatsappText(phone.b, '12025550147', 'STOP', now).entry[0].changes[0],
      );
      expect((await meta('whatsapp', both, appSecret.a)).status).toBe(401);
      expect((await meta('whatsapp', both, PLATFORM_META_SECRET)).status).toBe(401);

      await eventually(
        async () => (await contact(botA, 'whatsapp', '+12025550146'))?.last_inbound_at,
        "A's person to be recorded",
      );
      await eventually(
        async () => (await contact(botB, 'whatsapp', '+12025550146'))?.last_inbound_at,
        "B's person to be recorded",
      );
      expect(await contact(botB, 'whatsapp', '+12025550147')).toBeUndefined();
    });

    it('WhatsApp: an old START after a newer STOP is ignored, an old STOP after a newer START too, and a replay changes nothing', async () => {
      const person = '12025550148';
      const userId = '+12025550148';
      const t = Math.floor(Date.now() / 1000) - 600;
      const stop = whatsappText(phone.a, person, 'STOP', t + 10);
      expect((await meta('whatsapp', stop, appSecret.a)).status).toBe(200);
      await eventually(
        async () => (await optedOut(botA, 'whatsapp', userId)) !== null,
        'the STOP to opt the person out',
      );

      // A START the provider stamped before the STOP, delivered late.
      await settled(botA, 'whatsapp', userId, async () => {
        expect(
          (await meta('whatsapp', whatsappText(phone.a, person, 'START', t + 5), appSecret.a))
            .status,
        ).toBe(200);
        expect(
          (await meta('whatsapp', whatsappText(phone.a, person, 'hello', t + 20), appSecret.a))
            .status,
        ).toBe(200);
      });
      expect(await optedOut(botA, 'whatsapp', userId)).not.toBeNull();

      // A newer START opts them back in; then a late STOP (older than it) and a replayed STOP change nothing.
      expect(
        (await meta('whatsapp', whatsappText(phone.a, person, 'START', t + 30), appSecret.a))
          .status,
      ).toBe(200);
      await eventually(
        async () => (await optedOut(botA, 'whatsapp', userId)) === null,
        'the newer START to opt the person in',
      );
      await settled(botA, 'whatsapp', userId, async () => {
        expect(
          (await meta('whatsapp', whatsappText(phone.a, person, 'STOP', t + 25), appSecret.a))
            .status,
        ).toBe(200);
        expect((await meta('whatsapp', stop, appSecret.a)).status).toBe(200);
        expect(
          (await meta('whatsapp', whatsappText(phone.a, person, 'hello', t + 40), appSecret.a))
            .status,
        ).toBe(200);
      });
      expect(await optedOut(botA, 'whatsapp', userId)).toBeNull();
    });

    it("setting a channel's app secret through the admin API takes effect on the next webhook", async () => {
      const channels = await h.stack.admin<{ channels: Array<{ id: string; type: string }> }>(
        'GET',
        `/admin/bots/${botB}/channels`,
      );
      const whatsapp = channels.body.channels.find((c) => c.type === 'whatsapp')!;
      const secretB = `app-secret-b-${randomUUID()}`;
      const forB = whatsappText(phone.b, '12025550151', 'hi', Math.floor(Date.now() / 1000));
      expect((await meta('whatsapp', forB, PLATFORM_META_SECRET)).status).toBe(200);

      const patched = await h.stack.admin<Record<string, unknown>>(
        'PATCH',
        `/admin/bots/${botB}/channels/${whatsapp.id}`,
        { config: { appSecret: secretB } },
      );
      expect(patched.status).toBe(200);
      expect(JSON.stringify(patched.body)).not.toContain(secretB);
      expect((await meta('whatsapp', forB, PLATFORM_META_SECRET)).status).toBe(401);
      expect((await meta('whatsapp', forB, secretB)).status).toBe(200);

      // The account itself cannot move, and a secret must be a string.
      const moved = await h.stack.admin<{ error: { field: string } }>(
        'PATCH',
        `/admin/bots/${botB}/channels/${whatsapp.id}`,
        { config: { phoneNumberId: '999' } },
      );
      expect(moved).toMatchObject({
        status: 400,
        body: { error: { field: 'config.phoneNumberId' } },
      });
      const bad = await h.stack.admin<{ error: { field: string } }>(
        'PATCH',
        `/admin/bots/${botB}/channels/${whatsapp.id}`,
        { config: { appSecret: 42 } },
      );
      expect(bad).toMatchObject({ status: 400, body: { error: { field: 'config.appSecret' } } });
      expect(
        (
          await h.stack.admin('PATCH', `/admin/bots/${botA}/channels/${whatsapp.id}`, {
            config: { appSecret: 'x' },
          })
        ).status,
      ).toBe(404);
    });

    it("Messenger: verified with the Page's app secret; the platform's or another is refused", async () => {
      const payload = {
        object: 'page',
        entry: [
          {
            id: page.a,
            time: Date.now(),
            messaging: [
              {
                sender: { id: 'PSID-1' },
                recipient: { id: page.a },
                timestamp: Date.now(),
                message: { mid: 'm-1', text: 'hi' },
              },
            ],
          },
        ],
      };
      expect((await meta('messenger', payload, PLATFORM_META_SECRET)).status).toBe(401);
      expect((await meta('messenger', payload, 'another-secret')).status).toBe(401);
      expect((await meta('messenger', payload, appSecret.a)).status).toBe(200);
      // Naming another Page inside an entry signed for A does not pass either.
      const smuggled = structuredClone(payload);
      smuggled.entry[0].messaging[0].recipient.id = 'some-other-page';
      expect((await meta('messenger', smuggled, appSecret.a)).status).toBe(401);
    });
  });

  it("a bot naming another bot's accounts with its own secrets signs for itself alone: it never opts out, writes in for, or moves the statuses of the other bot's people", async () => {
    // Mallory's channels name A's Twilio account and sender and A's WhatsApp number (a Page or
    // number id is no secret), with secrets of her own.
    const tokenM = `tok-m-${randomUUID()}`;
    const secretM = `app-secret-m-${randomUUID()}`;
    const botM = await h.bot({
      sms: { accountSid: sid.a, authToken: tokenM, from: smsFrom.a },
      whatsapp: { phoneNumberId: phone.a, accessToken: 'EAAG-m', appSecret: secretM },
    });
    // A's person wrote to A (Twilio signed it with A's token).
    const person = '+12025550160';
    expect((await twilio(sms(sid.a, person, 'hi'), token.a)).status).toBe(200);
    await eventually(
      async () => (await contact(botA, 'sms', person))?.last_inbound_at,
      "A's person to be recorded",
    );

    // Mallory forges a STOP from A's person, signed with her own token: verified for her bot only.
    expect((await twilio(sms(sid.a, person, 'STOP'), tokenM)).status).toBe(200);
    await eventually(
      async () => (await optedOut(botM, 'sms', person)) !== null,
      "the forged STOP to reach Mallory's own bot",
    );
    expect(await optedOut(botA, 'sms', person)).toBeNull();

    // A forged WhatsApp message (it would open A's 24-hour window) reaches only Mallory's bot.
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await meta('whatsapp', whatsappText(phone.a, '12025550161', 'hi', now), secretM)).status,
    ).toBe(200);
    await eventually(
      async () => (await contact(botM, 'whatsapp', '+12025550161'))?.last_inbound_at,
      "the forged message to reach Mallory's own bot",
    );
    expect(await contact(botA, 'whatsapp', '+12025550161')).toBeUndefined();
    // A message dated far ahead is taken as written now: it cannot outrank later keywords.
    expect(
      (await meta('whatsapp', whatsappText(phone.a, '12025550161', 'x', now + 10 ** 7), secretM))
        .status,
    ).toBe(200);
    const applied = await eventually(async () => {
      const at = (await contact(botM, 'whatsapp', '+12025550161'))?.last_inbound_at;
      return at && at.getTime() > now * 1000 ? at : undefined;
    }, 'the far-dated message to be applied');
    expect(applied.getTime()).toBeLessThanOrEqual(Date.now());

    // A status of A's message, forged "failed" with Mallory's token, leaves A's delivery alone.
    const runId = await h.broadcast({
      botId: botA,
      content: { messages: [{ text: 'Forged status test' }] },
      targets: [{ userId: person.replace('60', '62'), channel: 'sms', create: true }],
    });
    const [row] = await eventually(async () => {
      const rows = await h.deliveries(runId);
      return rows[0]?.provider_message_id ? rows : undefined;
    }, 'the message to be sent');
    const status = (messageStatus: string) => ({
      AccountSid: sid.a,
      MessageSid: row.provider_message_id!,
      MessageStatus: messageStatus,
      To: person.replace('60', '62'),
      From: smsFrom.a,
    });
    expect((await twilio(status('failed'), tokenM)).status).toBe(200);
    expect((await twilio(status('delivered'), token.a)).status).toBe(200);
    const [after] = await eventually(async () => {
      const rows = await h.deliveries(runId);
      return rows[0]?.status !== 'sent' ? rows : undefined;
    }, 'a status to be applied');
    expect(after).toMatchObject({ status: 'delivered', code: null, reason: null });
  });

  it('no secret appears in what a refusal answers', async () => {
    const answer = await meta('whatsapp', whatsappText(phone.a, '12025550149', 'hi', 1), 'wrong');
    expect(answer.status).toBe(401);
    const text = JSON.stringify(answer.body);
    for (const secret of [appSecret.a, token.a, token.b, PLATFORM_META_SECRET])
      expect(text).not.toContain(secret);
  });
});
