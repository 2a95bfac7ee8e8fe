import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_AUTH = `Basic ${Buffer.from(`${ACCOUNT}:token`).toString('base64')}`;

describe('Sandbox API', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createSandboxApp({ logger: false });
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(async () => {
    await app.inject({ method: 'DELETE', url: '/sandbox' });
  });

  function whatsapp(to: string, body: string) {
    return app.inject({
      method: 'POST',
      url: '/v21.0/106540352242922/messages',
      headers: { authorization: 'Bearer t' },
      payload: { messaging_product: 'whatsapp', to, type: 'text', text: { body } },
    });
  }

  function whatsappTemplate(to: string) {
    return app.inject({
      method: 'POST',
      url: '/v21.0/106540352242922/messages',
      headers: { authorization: 'Bearer t' },
      payload: {
        messaging_product: 'whatsapp',
        to,
        type: 'template',
        template: { name: 'hello_world', language: { code: 'en_US' } },
      },
    });
  }

  function sms(to: string, body: string) {
    return app.inject({
      method: 'POST',
      url: `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
      headers: { authorization: TWILIO_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ To: to, From: '+15550001111', Body: body }).toString(),
    });
  }

  function messenger(psid: string, text: string, extra: Record<string, unknown> = {}) {
    return app.inject({
      method: 'POST',
      url: '/v21.0/me/messages?access_token=t',
      payload: { recipient: { id: psid }, messaging_type: 'UPDATE', message: { text }, ...extra },
    });
  }

  function setFaults(body: unknown) {
    return app.inject({
      method: 'POST',
      url: '/sandbox/faults',
      payload: body as Record<string, unknown>,
    });
  }

  async function get(url: string) {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  describe('GET /sandbox/messages', () => {
    it('lists messages in arrival order with how often each one arrived', async () => {
      await whatsapp('+16505551234', 'Hello');
      await sms('+15145535858', 'Hello');
      await whatsapp('16505551234', 'Hello');
      await whatsapp('+16505551234', 'Other');
      await whatsapp('+16505551234', 'Hello');

      const { messages, next } = await get('/sandbox/messages');
      expect(next).toBeNull();
      expect(
        messages.map((m: Record<string, unknown>) => [
          m.seq,
          m.channel,
          m.to,
          m.text,
          m.count,
          m.occurrence,
        ]),
      ).toEqual([
        [1, 'whatsapp', '16505551234', 'Hello', 3, 1],
        [2, 'sms', '+15145535858', 'Hello', 1, 1],
        [3, 'whatsapp', '16505551234', 'Hello', 3, 2],
        [4, 'whatsapp', '16505551234', 'Other', 1, 1],
        [5, 'whatsapp', '16505551234', 'Hello', 3, 3],
      ]);
      expect(messages[0].receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(new Set(messages.map((m: { id: string }) => m.id)).size).toBe(5);
    });

    it('filters by channel and recipient, in any spelling of the number', async () => {
      await sms('+15145535858', 'a');
      await sms('+15145530000', 'b');
      await whatsapp('+15145535858', 'c');

      const bySms = await get('/sandbox/messages?channel=sms&to=%2B15145535858');
      expect(bySms.messages.map((m: { text: string }) => m.text)).toEqual(['a']);
      // An unencoded "+" arrives as a space.
      const unencoded = await get('/sandbox/messages?channel=sms&to=+15145535858');
      expect(unencoded.messages.map((m: { text: string }) => m.text)).toEqual(['a']);
      const anyChannel = await get('/sandbox/messages?to=%2B15145535858');
      expect(anyChannel.messages.map((m: { text: string }) => m.text)).toEqual(['a', 'c']);
      const duplicates = await get('/sandbox/messages?duplicates=true');
      expect(duplicates.messages).toEqual([]);
    });

    it('pages with limit and after', async () => {
      for (let i = 0; i < 5; i++) await messenger('77', `m${i}`);

      const first = await get('/sandbox/messages?limit=2');
      expect(first.messages.map((m: { text: string }) => m.text)).toEqual(['m0', 'm1']);
      expect(first.next).toBe(2);
      const second = await get(`/sandbox/messages?limit=2&after=${first.next}`);
      expect(second.messages.map((m: { text: string }) => m.text)).toEqual(['m2', 'm3']);
      const last = await get(`/sandbox/messages?limit=2&after=${second.next}`);
      expect(last.messages.map((m: { text: string }) => m.text)).toEqual(['m4']);
      expect(last.next).toBeNull();
    });

    it.each([
      ['channel=fax', 'channel'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['after=-1', 'after'],
      ['colour=red', 'colour'],
    ])('answers ?%s with 400 naming the field', async (query, field) => {
      const res = await app.inject({ method: 'GET', url: `/sandbox/messages?${query}` });

      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'INVALID_INPUT', message: expect.any(String), field },
      });
    });
  });

  describe('GET /sandbox/stats and DELETE /sandbox/messages', () => {
    it('counts totals, unique messages and duplicates per channel', async () => {
      await whatsapp('+16505551234', 'Hello');
      await whatsapp('+16505551234', 'Hello');
      await sms('+15145535858', 'Hello');
      await messenger('42', 'Hello');
      await messenger('42', 'Hello');
      await messenger('42', 'Hello');

      const stats = await get('/sandbox/stats');
      expect(stats).toMatchObject({
        total: 6,
        unique: 3,
        duplicates: 3,
        byChannel: {
          whatsapp: { total: 2, unique: 1, duplicates: 1 },
          sms: { total: 1, unique: 1, duplicates: 0 },
          messenger: { total: 3, unique: 1, duplicates: 2 },
        },
        firstAt: expect.stringMatching(/^\d{4}-/),
        lastAt: expect.stringMatching(/^\d{4}-/),
      });
      const duplicates = await get('/sandbox/messages?duplicates=true&channel=messenger');
      expect(duplicates.messages).toHaveLength(3);
    });

    it('clears everything with DELETE /sandbox/messages', async () => {
      const before = await whatsapp('+16505551234', 'Hello');

      const res = await app.inject({ method: 'DELETE', url: '/sandbox/messages' });
      expect(res.statusCode).toBe(204);

      const stats = await get('/sandbox/stats');
      expect(stats).toMatchObject({
        total: 0,
        unique: 0,
        duplicates: 0,
        firstAt: null,
        lastAt: null,
      });
      expect((await get('/sandbox/messages')).messages).toEqual([]);
      // Counting starts over, but ids never repeat.
      const after = await whatsapp('+16505551234', 'Hello');
      expect((await get('/sandbox/messages')).messages[0]).toMatchObject({ seq: 1, count: 1 });
      expect(after.json().messages[0].id).not.toBe(before.json().messages[0].id);
    });
  });

  describe('faults', () => {
    it('answers every request to a channel in outage with 503 in the provider shape', async () => {
      for (const channel of ['whatsapp', 'sms', 'messenger']) {
        expect((await setFaults({ channel, outage: true })).statusCode).toBe(200);
      }

      const wa = await whatsapp('+16505551234', 'Hello');
      expect(wa.statusCode).toBe(503);
      expect(wa.json().error).toMatchObject({
        type: 'OAuthException',
        code: 2,
        message: '(#2) Service temporarily unavailable',
      });
      expect(wa.json().error.error_data).toMatchObject({ messaging_product: 'whatsapp' });

      const tw = await sms('+15145535858', 'Hello');
      expect(tw.statusCode).toBe(503);
      expect(tw.json()).toEqual({
        code: 20503,
        message: 'Service Unavailable',
        more_info: 'https://www.twilio.com/docs/errors/20503',
        status: 503,
      });

      const fb = await messenger('42', 'Hello');
      expect(fb.statusCode).toBe(503);
      expect(fb.json().error).toMatchObject({ type: 'OAuthException', code: 2 });

      const stats = await get('/sandbox/stats');
      expect(stats.total).toBe(0);
      expect(stats.byChannel.sms.faulted).toBe(1);
    });

    it("refuses one account's credentials while its other accounts send (refusedAccounts)", async () => {
      await setFaults({ channel: 'whatsapp', refusedAccounts: ['106540352242922'] });
      const refused = await whatsapp('+16505551234', 'Hello');
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toMatchObject({ code: 190 });
      const other = await app.inject({
        method: 'POST',
        url: '/v21.0/106540352242923/messages',
        headers: { authorization: 'Bearer t' },
        payload: {
          messaging_product: 'whatsapp',
          to: '+16505551234',
          type: 'text',
          text: { body: 'Hi' },
        },
      });
      expect(other.statusCode).toBe(200);
      expect((await get('/sandbox/faults')).whatsapp.refusedAccounts).toEqual(['106540352242922']);
      await setFaults({ channel: 'whatsapp', refusedAccounts: [] });
      expect((await whatsapp('+16505551234', 'Hello')).statusCode).toBe(200);
      expect((await setFaults({ channel: 'whatsapp', refusedAccounts: [3] })).statusCode).toBe(400);
    });

    it('takes down one account of a channel while its other accounts send (outageAccounts)', async () => {
      await setFaults({ channel: 'whatsapp', outageAccounts: ['106540352242922'] });
      const down = await whatsapp('+16505551234', 'Hello');
      expect(down.statusCode).toBe(503);
      expect(down.json().error).toMatchObject({ code: 2 });
      const other = await app.inject({
        method: 'POST',
        url: '/v21.0/106540352242923/messages',
        headers: { authorization: 'Bearer t' },
        payload: {
          messaging_product: 'whatsapp',
          to: '+16505551234',
          type: 'text',
          text: { body: 'Hi' },
        },
      });
      expect(other.statusCode).toBe(200);
      expect((await get('/sandbox/faults')).whatsapp.outageAccounts).toEqual(['106540352242922']);

      await setFaults({ channel: 'whatsapp', outageAccounts: [] });
      expect((await whatsapp('+16505551234', 'Hello')).statusCode).toBe(200);
      expect((await setFaults({ channel: 'whatsapp', outageAccounts: [''] })).statusCode).toBe(400);
    });

    it('fails every send with errorRate 1, in each provider’s transient shape', async () => {
      await setFaults({ channel: 'whatsapp', errorRate: 1 });
      await setFaults({ channel: 'sms', errorRate: 1 });
      await setFaults({ channel: 'messenger', errorRate: 1 });

      const wa = await whatsapp('+16505551234', 'Hello');
      expect(wa.statusCode).toBe(500);
      expect(wa.json().error).toMatchObject({
        code: 131000,
        message: '(#131000) Something went wrong',
      });
      expect(wa.json().error).not.toHaveProperty('error_subcode');

      const tw = await sms('+15145535858', 'Hello');
      expect(tw.statusCode).toBe(500);
      expect(tw.json()).toMatchObject({ code: 20500, status: 500 });

      const fb = await messenger('42', 'Hello');
      expect(fb.statusCode).toBe(500);
      expect(fb.json().error).toMatchObject({ code: 2, type: 'OAuthException' });
      expect(fb.json().error.message).toContain('Temporary issue');

      expect((await get('/sandbox/stats')).total).toBe(0);
    });

    it('still validates and authenticates first, so errorRate does not hide a bad request', async () => {
      await setFaults({ channel: 'whatsapp', errorRate: 1 });
      const res = await app.inject({
        method: 'POST',
        url: '/v21.0/1/messages',
        headers: { authorization: 'Bearer t' },
        payload: { messaging_product: 'whatsapp' },
      });
      expect(res.statusCode).toBe(400);
    });

    it('delays answers by latencyMs', async () => {
      await setFaults({ channel: 'messenger', latencyMs: 120 });
      const started = Date.now();
      const res = await messenger('42', 'Hello');
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('forces the provider’s real error for chosen recipients', async () => {
      await setFaults({
        channel: 'whatsapp',
        rejectRecipients: { '+16505551234': 131026, '16505550000': 131047, '16505559999': 130429 },
      });
      await setFaults({
        channel: 'sms',
        rejectRecipients: { '+15145535858': 21610, '+15145530000': 20429 },
      });
      await setFaults({
        channel: 'messenger',
        rejectRecipients: { '42': 551, '43': { code: 10, subcode: 2018278 }, '44': 613 },
      });

      const undeliverable = await whatsapp('16505551234', 'Hello');
      expect(undeliverable.statusCode).toBe(400);
      expect(undeliverable.json()).toEqual({
        error: {
          message: '(#131026) Message undeliverable',
          type: 'OAuthException',
          code: 131026,
          error_data: {
            messaging_product: 'whatsapp',
            details: expect.stringContaining('Unable to deliver'),
          },
          fbtrace_id: expect.any(String),
        },
      });
      const reengage = await whatsapp('+16505550000', 'Hello');
      expect(reengage.json().error).toMatchObject({
        code: 131047,
        message: '(#131047) Re-engagement message',
      });
      // A template is allowed outside the 24-hour window.
      expect((await whatsappTemplate('+16505550000')).statusCode).toBe(200);
      const throttled = await whatsapp('+16505559999', 'Hello');
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json().error.code).toBe(130429);
      expect((await whatsapp('+16505551111', 'Hello')).statusCode).toBe(200);

      const unsubscribed = await sms('+15145535858', 'Hello');
      expect(unsubscribed.statusCode).toBe(400);
      expect(unsubscribed.json()).toEqual({
        code: 21610,
        message: 'Attempt to send to unsubscribed recipient',
        more_info: 'https://www.twilio.com/docs/errors/21610',
        status: 400,
      });
      const tooMany = await sms('+15145530000', 'Hello');
      expect(tooMany.statusCode).toBe(429);
      expect(tooMany.json()).toMatchObject({ code: 20429, status: 429 });

      const blocked = await messenger('42', 'Hello');
      expect(blocked.statusCode).toBe(400);
      expect(blocked.json()).toEqual({
        error: {
          message: "(#551) This person isn't available right now.",
          type: 'OAuthException',
          code: 551,
          error_subcode: 1545041,
          fbtrace_id: expect.any(String),
        },
      });
      const outsideWindow = await messenger('43', 'Hello');
      expect(outsideWindow.json().error).toMatchObject({ code: 10, error_subcode: 2018278 });
      const tagged = await messenger('43', 'Hello', {
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
      });
      expect(tagged.statusCode).toBe(200);
      expect((await messenger('44', 'Hello')).json().error.code).toBe(613);

      const stats = await get('/sandbox/stats');
      expect(stats.byChannel).toMatchObject({
        whatsapp: { total: 2, faulted: 3 },
        sms: { total: 0, faulted: 2 },
        messenger: { total: 1, faulted: 3 },
      });
    });

    it('accepts an async rejection now and records it as failing', async () => {
      await setFaults({
        channel: 'whatsapp',
        rejectRecipients: { '16505551234': { code: 131047, async: true } },
      });

      const res = await whatsapp('+16505551234', 'Hello');
      expect(res.statusCode).toBe(200);
      const { messages } = await get('/sandbox/messages');
      expect(messages[0]).toMatchObject({ to: '16505551234', error: { code: 131047 } });
    });

    it('merges settings per channel, shows them, and clears them all with {}', async () => {
      await setFaults({ channel: 'sms', errorRate: 0.25 });
      await setFaults({
        channel: 'sms',
        latencyMs: 5,
        rejectRecipients: { '+15145535858': 21610 },
      });

      const faults = await get('/sandbox/faults');
      expect(faults.sms).toEqual({
        errorRate: 0.25,
        latencyMs: 5,
        outage: false,
        outageAccounts: [],
        refusedAccounts: [],
        rejectRecipients: { '+15145535858': { code: 21610, async: false } },
      });
      expect(faults.whatsapp).toEqual({
        errorRate: 0,
        latencyMs: 0,
        outage: false,
        outageAccounts: [],
        refusedAccounts: [],
        rejectRecipients: {},
      });

      const cleared = await setFaults({});
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json().sms).toEqual({
        errorRate: 0,
        latencyMs: 0,
        outage: false,
        outageAccounts: [],
        refusedAccounts: [],
        rejectRecipients: {},
      });
      expect((await sms('+15145535858', 'Hello')).statusCode).toBe(201);
    });

    it.each([
      [{ channel: 'fax', outage: true }, 'channel'],
      [{ channel: 'sms', errorRate: 2 }, 'errorRate'],
      [{ channel: 'sms', latencyMs: -1 }, 'latencyMs'],
      [{ channel: 'sms', outage: 'yes' }, 'outage'],
      [{ channel: 'sms', errorrate: 1 }, 'errorrate'],
      [
        { channel: 'sms', rejectRecipients: { '+15145535858': 99999 } },
        'rejectRecipients.+15145535858',
      ],
      [
        { channel: 'messenger', rejectRecipients: { '42': { code: 551, async: true } } },
        'rejectRecipients.42.async',
      ],
    ])('answers %j with 400 naming %s', async (body, field) => {
      const res = await setFaults(body);

      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'INVALID_INPUT', message: expect.any(String), field },
      });
    });
  });

  describe('errors and health', () => {
    it('answers unknown routes with 404 JSON', async () => {
      const res = await app.inject({ method: 'GET', url: '/nowhere' });

      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'No route for GET /nowhere' },
      });
    });

    it('answers malformed JSON to the sandbox API with 400, not 500', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/sandbox/faults',
        headers: { 'content-type': 'application/json' },
        payload: '{"channel":',
      });

      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_INPUT');
    });

    it('answers an unsupported content type with 415 JSON', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/sandbox/faults',
        headers: { 'content-type': 'text/csv' },
        payload: 'a,b',
      });

      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('reports live and ready', async () => {
      expect(await get('/health/live')).toEqual({ status: 'ok' });
      expect(await get('/health/ready')).toEqual({ status: 'ok' });
    });
  });
});
