import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const APP_SECRET = 'sandbox-app-secret';
const AUTH_TOKEN = 'sandbox-auth-token';

describe('status callbacks', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let base: string;
  let received: Received[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          headers: req.headers,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = req.url?.startsWith('/broken') ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await createSandboxApp({ logger: false });
  });

  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  beforeEach(async () => {
    received = [];
    await app.inject({ method: 'DELETE', url: '/sandbox' });
  });

  async function waitFor(count: number): Promise<Received[]> {
    const deadline = Date.now() + 5000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(received).toHaveLength(count);
    return received;
  }

  function configure(body: Record<string, unknown>) {
    return app.inject({ method: 'POST', url: '/sandbox/callbacks', payload: body });
  }

  function metaSignatureOf(raw: string): string {
    return `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
  }

  it('posts WhatsApp statuses[] webhooks, in order, signed with X-Hub-Signature-256', async () => {
    const setup = await configure({
      channel: 'whatsapp',
      url: `${base}/wa`,
      statuses: ['read', 'delivered'],
    });
    expect(setup.statusCode).toBe(200);
    expect(setup.json().whatsapp).toEqual({
      url: `${base}/wa`,
      statuses: ['delivered', 'read'],
      delayMs: 0,
    });

    const send = await app.inject({
      method: 'POST',
      url: '/v21.0/106540352242922/messages',
      headers: { authorization: 'Bearer t' },
      payload: {
        messaging_product: 'whatsapp',
        to: '+16505551234',
        type: 'text',
        text: { body: 'Olá / <b>' },
      },
    });
    const wamid = send.json().messages[0].id;

    const [delivered, read] = await waitFor(2);
    for (const webhook of [delivered, read]) {
      expect(webhook.path).toBe('/wa');
      expect(webhook.headers['content-type']).toBe('application/json');
      expect(webhook.headers['x-hub-signature-256']).toBe(metaSignatureOf(webhook.raw));
      // Meta's escaped-ASCII JSON: the signed bytes contain no raw "/".
      expect(webhook.raw).not.toMatch(/[^\\]\//);
    }
    const payload = JSON.parse(delivered.raw);
    expect(payload).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: expect.any(String),
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: expect.any(String),
                  phone_number_id: '106540352242922',
                },
                statuses: [
                  {
                    id: wamid,
                    status: 'delivered',
                    timestamp: expect.stringMatching(/^\d{10}$/),
                    recipient_id: '16505551234',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(JSON.parse(read.raw).entry[0].changes[0].value.statuses[0]).toMatchObject({
      id: wamid,
      status: 'read',
    });
  });

  it('posts a failed status with the error for an async rejection', async () => {
    await configure({ channel: 'whatsapp', url: `${base}/wa` });
    await app.inject({
      method: 'POST',
      url: '/sandbox/faults',
      payload: {
        channel: 'whatsapp',
        rejectRecipients: { '16505551234': { code: 131047, async: true } },
      },
    });

    const send = await app.inject({
      method: 'POST',
      url: '/v21.0/106540352242922/messages',
      headers: { authorization: 'Bearer t' },
      payload: { messaging_product: 'whatsapp', to: '16505551234', text: { body: 'late' } },
    });
    expect(send.statusCode).toBe(200);

    const [failed] = await waitFor(1);
    const status = JSON.parse(failed.raw).entry[0].changes[0].value.statuses[0];
    expect(status).toMatchObject({
      id: send.json().messages[0].id,
      status: 'failed',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          error_data: { details: expect.stringContaining('24 hours') },
        },
      ],
    });
  });

  it('posts Twilio status callbacks form-encoded, signed with X-Twilio-Signature', async () => {
    const statusCallback = `${base}/twilio/status?bot=7`;
    const send = await app.inject({
      method: 'POST',
      url: `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT}:secret`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        To: '+15145535858',
        From: '+15149002890',
        Body: 'hi',
        StatusCallback: statusCallback,
      }).toString(),
    });
    expect(send.statusCode).toBe(201);

    const [callback] = await waitFor(1);
    expect(callback.path).toBe('/twilio/status?bot=7');
    expect(callback.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const params = Object.fromEntries(new URLSearchParams(callback.raw));
    expect(params).toMatchObject({
      MessageSid: send.json().sid,
      MessageStatus: 'delivered',
      SmsSid: send.json().sid,
      SmsStatus: 'delivered',
      AccountSid: ACCOUNT,
      From: '+15149002890',
      To: '+15145535858',
      ApiVersion: '2010-04-01',
    });
    const signed =
      statusCallback +
      Object.keys(params)
        .sort()
        .map((name) => name + params[name])
        .join('');
    expect(callback.headers['x-twilio-signature']).toBe(
      createHmac('sha1', AUTH_TOKEN).update(signed).digest('base64'),
    );
  });

  it('posts Messenger delivery and read events signed like WhatsApp', async () => {
    await configure({ channel: 'messenger', url: `${base}/fb`, statuses: ['delivered', 'read'] });

    const send = await app.inject({
      method: 'POST',
      url: '/v21.0/me/messages?access_token=t',
      payload: { recipient: { id: '24680' }, messaging_type: 'RESPONSE', message: { text: 'hi' } },
    });

    const [delivery, read] = await waitFor(2);
    expect(delivery.headers['x-hub-signature-256']).toBe(metaSignatureOf(delivery.raw));
    const deliveryEvent = JSON.parse(delivery.raw);
    expect(deliveryEvent).toEqual({
      object: 'page',
      entry: [
        {
          id: '100000000000000',
          time: expect.any(Number),
          messaging: [
            {
              sender: { id: '24680' },
              recipient: { id: '100000000000000' },
              timestamp: expect.any(Number),
              delivery: { mids: [send.json().message_id], watermark: expect.any(Number) },
            },
          ],
        },
      ],
    });
    expect(JSON.parse(read.raw).entry[0].messaging[0]).toMatchObject({
      sender: { id: '24680' },
      read: { watermark: expect.any(Number) },
    });
  });

  it('keeps accepting sends while the receiver fails, and counts the failures', async () => {
    await configure({ channel: 'messenger', url: `${base}/broken` });

    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v21.0/me/messages?access_token=t',
        payload: { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: { text: `m${i}` } },
      });
      expect(res.statusCode).toBe(200);
    }

    await waitFor(3);
    const deadline = Date.now() + 2000;
    let stats = (await app.inject({ method: 'GET', url: '/sandbox/stats' })).json();
    while (stats.callbacks.failed < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      stats = (await app.inject({ method: 'GET', url: '/sandbox/stats' })).json();
    }
    expect(stats.callbacks).toMatchObject({ sent: 0, failed: 3, pending: 0 });
  });

  it('survives an unreachable receiver', async () => {
    // Port 9 (discard) is closed on test machines: the connection is refused.
    await configure({ channel: 'messenger', url: 'http://127.0.0.1:9/hook' });
    const res = await app.inject({
      method: 'POST',
      url: '/v21.0/me/messages?access_token=t',
      payload: { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: { text: 'x' } },
    });
    expect(res.statusCode).toBe(200);

    const deadline = Date.now() + 3000;
    let stats = (await app.inject({ method: 'GET', url: '/sandbox/stats' })).json();
    while (stats.callbacks.failed < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      stats = (await app.inject({ method: 'GET', url: '/sandbox/stats' })).json();
    }
    expect(stats.callbacks.failed).toBe(1);
  });

  it('turns a channel off with url null', async () => {
    await configure({ channel: 'messenger', url: `${base}/fb` });
    const off = await configure({ channel: 'messenger', url: null });
    expect(off.json().messenger).toBeNull();

    await app.inject({
      method: 'POST',
      url: '/v21.0/me/messages?access_token=t',
      payload: { recipient: { id: '1' }, messaging_type: 'RESPONSE', message: { text: 'x' } },
    });
    // Callbacks are queued as the send is answered, and go out in order: nothing was queued,
    // and a later WhatsApp send's callback is the only one to arrive.
    const stats = (await app.inject({ method: 'GET', url: '/sandbox/stats' })).json();
    expect(stats.callbacks).toMatchObject({ sent: 0, failed: 0, pending: 0 });
    await configure({ channel: 'whatsapp', url: `${base}/later`, statuses: ['delivered'] });
    await app.inject({
      method: 'POST',
      url: '/v21.0/106540352242922/messages',
      headers: { authorization: 'Bearer t' },
      payload: {
        messaging_product: 'whatsapp',
        to: '+16505551234',
        type: 'text',
        text: { body: 'y' },
      },
    });
    expect((await waitFor(1)).map((r) => r.path)).toEqual(['/later']);
  });

  it.each([
    [{ url: 'http://x' }, 'channel'],
    [{ channel: 'sms' }, 'url'],
    [{ channel: 'sms', url: 'ftp://x' }, 'url'],
    [{ channel: 'sms', url: 'http://x', statuses: ['read'] }, 'statuses'],
    [{ channel: 'sms', url: 'http://x', delayMs: 1.5 }, 'delayMs'],
  ])('answers %j with 400 naming %s', async (body, field) => {
    const res = await configure(body);

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'INVALID_INPUT', message: expect.any(String), field },
    });
  });
});
