import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const URL = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const AUTH = { authorization: basic(ACCOUNT, 'auth-token') };

function form(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  }
  return search.toString();
}

describe('Twilio: POST /2010-04-01/Accounts/{AccountSid}/Messages.json', () => {
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

  function send(params: Record<string, string | string[]>, headers: Record<string, string> = AUTH) {
    return app.inject({
      method: 'POST',
      url: URL,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(params),
    });
  }

  it('creates a message from a number: 201, status queued, the Message resource', async () => {
    const res = await send({ To: '+15145535858', From: '+15149002890', Body: 'test A' });

    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      account_sid: ACCOUNT,
      api_version: '2010-04-01',
      body: 'test A',
      date_created: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/),
      date_sent: null,
      date_updated: expect.any(String),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: '+15149002890',
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      subresource_uris: {
        media: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${body.sid}/Media.json`,
      },
      to: '+15145535858',
      uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${body.sid}.json`,
    });

    const log = await app.inject({ method: 'GET', url: '/sandbox/messages?channel=sms' });
    expect(log.json().messages).toEqual([
      expect.objectContaining({
        id: body.sid,
        channel: 'sms',
        account: ACCOUNT,
        to: '+15145535858',
        text: 'test A',
        count: 1,
      }),
    ]);
  });

  it('accepts a send through a Messaging Service with status accepted', async () => {
    const service = 'MG0123456789abcdef0123456789abcdef';
    const res = await send({ To: '+15145535858', MessagingServiceSid: service, Body: 'hi' });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'accepted',
      from: null,
      messaging_service_sid: service,
    });
  });

  it('counts segments: GSM-7 160/153, UCS-2 70/67, as strings', async () => {
    const cases: [string, string][] = [
      ['a'.repeat(160), '1'],
      ['a'.repeat(161), '2'],
      ['é'.repeat(306), '2'],
      ['ж'.repeat(70), '1'],
      ['ж'.repeat(71), '2'],
    ];
    for (const [text, segments] of cases) {
      const res = await send({ To: '+15145535858', From: '+15149002890', Body: text });
      expect(res.json().num_segments).toBe(segments);
    }
  });

  it('sends media as MMS: MM sid and num_media', async () => {
    const res = await send({
      To: '+15145535858',
      From: '+15149002890',
      MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      sid: expect.stringMatching(/^MM[0-9a-f]{32}$/),
      num_media: '2',
    });
  });

  it.each([
    ['no credentials', {}],
    [
      'a username other than the AccountSid',
      { authorization: basic('ACffffffffffffffffffffffffffffffff', 'x') },
    ],
    ['an empty password', { authorization: basic(ACCOUNT, '') }],
    ['a Bearer token', { authorization: 'Bearer abc' }],
  ])('answers %s with 401 code 20003', async (_case, headers) => {
    const res = await send({ To: '+15145535858', From: '+15149002890', Body: 'x' }, headers);

    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it.each([
    ['To is missing', { From: '+15149002890', Body: 'x' }, 21211],
    ['To is not E.164', { To: '5145535858', From: '+15149002890', Body: 'x' }, 21211],
    ['To has a leading zero', { To: '+05145535858', From: '+15149002890', Body: 'x' }, 21211],
    ['From and MessagingServiceSid are missing', { To: '+15145535858', Body: 'x' }, 21603],
    ['Body and MediaUrl are missing', { To: '+15145535858', From: '+15149002890' }, 21602],
    [
      'Body is over 1600 characters',
      { To: '+15145535858', From: '+15149002890', Body: 'x'.repeat(1601) },
      21617,
    ],
  ])('answers 400 when %s', async (_case, params, code) => {
    const res = await send(params);

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code,
      message: expect.any(String),
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: 400,
    });
  });

  it('answers an unknown Twilio resource with Twilio 20404', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`,
      headers: AUTH,
    });

    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 20404, status: 404 });
  });
});
