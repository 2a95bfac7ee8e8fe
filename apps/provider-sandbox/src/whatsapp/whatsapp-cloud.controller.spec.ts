import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

const TOKEN = { authorization: 'Bearer EAAG-sandbox' };
const URL = '/v21.0/106540352242922/messages';

function textMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '+1 650-555-1234',
    type: 'text',
    text: { preview_url: false, body: 'Hello' },
    ...overrides,
  };
}

describe('WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages', () => {
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

  it('accepts a text message with the Cloud API success body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      headers: TOKEN,
      payload: textMessage(),
    });

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+1 650-555-1234', wa_id: '16505551234' }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9]+$/) }],
    });

    const log = await app.inject({ method: 'GET', url: '/sandbox/messages?channel=whatsapp' });
    expect(log.json().messages).toEqual([
      expect.objectContaining({
        seq: 1,
        id: body.messages[0].id,
        channel: 'whatsapp',
        account: '106540352242922',
        to: '16505551234',
        type: 'text',
        text: 'Hello',
        count: 1,
      }),
    ]);
  });

  it('accepts a template, marks it accepted and records the template', async () => {
    const template = {
      name: 'order_update',
      language: { code: 'en_US', policy: 'deterministic' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
    };
    const res = await app.inject({
      method: 'POST',
      url: URL,
      headers: TOKEN,
      payload: { messaging_product: 'whatsapp', to: '16505551234', type: 'template', template },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json().messages[0]).toEqual({
      id: expect.stringMatching(/^wamid\./),
      message_status: 'accepted',
    });
    const log = await app.inject({ method: 'GET', url: '/sandbox/messages' });
    expect(log.json().messages[0]).toMatchObject({ type: 'template', text: null, template });
  });

  it('takes the token from access_token as Graph does', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${URL}?access_token=EAAG-sandbox`,
      payload: textMessage(),
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers a missing or empty token with 401 and Graph code 190', async () => {
    for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: 'Basic abc' }]) {
      const res = await app.inject({ method: 'POST', url: URL, headers, payload: textMessage() });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: {
          message: expect.any(String),
          type: 'OAuthException',
          code: 190,
          fbtrace_id: expect.any(String),
        },
      });
    }
  });

  it.each([
    ['messaging_product is missing', { messaging_product: undefined }, 'messaging_product'],
    ['messaging_product is not whatsapp', { messaging_product: 'sms' }, 'messaging_product'],
    ['to is missing', { to: undefined }, 'to'],
    ['to is not a phone number', { to: 'not-a-number' }, 'to'],
    ['text.body is missing', { text: { preview_url: true } }, 'text.body'],
    ['text.body is too long', { text: { body: 'x'.repeat(4097) } }, 'text.body'],
    ['the type is unknown', { type: 'hologram' }, 'type'],
    [
      'a template has no name',
      { type: 'template', template: { language: { code: 'en' } } },
      'template.name',
    ],
    [
      'a template has no language code',
      { type: 'template', template: { name: 'hello', language: {} } },
      'template.language.code',
    ],
    ['an image has neither id nor link', { type: 'image', image: { caption: 'x' } }, 'image'],
  ])('answers 400 code 100 when %s', async (_case, overrides, mentions) => {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      headers: TOKEN,
      payload: textMessage(overrides),
    });

    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error).toEqual({
      message: expect.stringMatching(/^\(#100\) /),
      type: 'OAuthException',
      code: 100,
      error_data: { messaging_product: 'whatsapp', details: expect.any(String) },
      fbtrace_id: expect.any(String),
    });
    expect(error).not.toHaveProperty('error_subcode');
    expect(`${error.message} ${error.error_data.details}`).toContain(mentions);
    const stats = await app.inject({ method: 'GET', url: '/sandbox/stats' });
    expect(stats.json().total).toBe(0);
  });

  it('accepts image, document and interactive messages loosely', async () => {
    const payloads = [
      { type: 'image', image: { link: 'https://example.com/a.png', caption: 'A' } },
      { type: 'document', document: { id: '1234', filename: 'a.pdf' } },
      {
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'Pick' }, action: { buttons: [] } },
      },
    ];
    for (const payload of payloads) {
      const res = await app.inject({
        method: 'POST',
        url: URL,
        headers: TOKEN,
        payload: textMessage({ text: undefined, ...payload }),
      });
      expect(res.statusCode).toBe(200);
    }
    const log = await app.inject({ method: 'GET', url: '/sandbox/messages' });
    expect(
      log.json().messages.map((m: { type: string; text: string | null }) => [m.type, m.text]),
    ).toEqual([
      ['image', 'A'],
      ['document', null],
      ['interactive', 'Pick'],
    ]);
  });

  it('answers a body that is not JSON with a Graph error, not a 5xx', async () => {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      headers: { ...TOKEN, 'content-type': 'application/json' },
      payload: '{"messaging_product": "whatsapp",',
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ type: 'OAuthException', code: 100 });
  });

  it('routes a Messenger body on /{version}/{page-id}/messages to the Send API', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v21.0/1234567890/messages',
      headers: TOKEN,
      payload: { recipient: { id: '24680' }, messaging_type: 'RESPONSE', message: { text: 'Hi' } },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ recipient_id: '24680', message_id: expect.stringMatching(/^m_/) });
    const log = await app.inject({ method: 'GET', url: '/sandbox/messages' });
    expect(log.json().messages[0]).toMatchObject({ channel: 'messenger', account: '1234567890' });
  });
});
