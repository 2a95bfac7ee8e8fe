import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

const URL = '/v21.0/me/messages?access_token=EAAG-page';
const PAGE_ID = '555000111';

function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient: { id: '1254459154682919' },
    messaging_type: 'RESPONSE',
    message: { text: 'hello' },
    ...overrides,
  };
}

describe('Messenger Send API: POST /{version}/me/messages', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createSandboxApp({ logger: false, config: { messengerPageId: PAGE_ID } });
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(async () => {
    await app.inject({ method: 'DELETE', url: '/sandbox' });
  });

  it('sends to a PSID and answers {recipient_id, message_id}', async () => {
    const res = await app.inject({ method: 'POST', url: URL, payload: message() });

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      recipient_id: '1254459154682919',
      message_id: expect.stringMatching(/^m_\w+$/),
    });
    const log = await app.inject({ method: 'GET', url: '/sandbox/messages?channel=messenger' });
    expect(log.json().messages).toEqual([
      expect.objectContaining({
        id: body.message_id,
        account: PAGE_ID,
        to: '1254459154682919',
        text: 'hello',
        count: 1,
      }),
    ]);
  });

  it('takes the token from Authorization: Bearer too', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v21.0/me/messages',
      headers: { authorization: 'Bearer EAAG-page' },
      payload: message(),
    });
    expect(res.statusCode).toBe(200);
  });

  it('leaves recipient_id out for user_ref and phone_number recipients', async () => {
    for (const recipient of [{ user_ref: 'ref-1' }, { phone_number: '+16505551234' }]) {
      const res = await app.inject({ method: 'POST', url: URL, payload: message({ recipient }) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ message_id: expect.stringMatching(/^m_/) });
    }
  });

  it('gives a stable PSID for a notification_messages_token recipient', async () => {
    const payload = message({
      recipient: { notification_messages_token: 'token-1' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'ACCOUNT_UPDATE',
    });
    const first = await app.inject({ method: 'POST', url: URL, payload });
    const second = await app.inject({ method: 'POST', url: URL, payload });

    expect(first.json().recipient_id).toMatch(/^\d{16}$/);
    expect(second.json().recipient_id).toBe(first.json().recipient_id);
  });

  it('accepts an attachment', async () => {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      payload: message({
        message: {
          attachment: {
            type: 'image',
            payload: { url: 'https://example.com/a.png', is_reusable: true },
          },
        },
      }),
    });

    expect(res.statusCode).toBe(200);
    const log = await app.inject({ method: 'GET', url: '/sandbox/messages' });
    expect(log.json().messages[0]).toMatchObject({
      type: 'attachment',
      payload: { type: 'image', payload: { url: 'https://example.com/a.png', is_reusable: true } },
    });
  });

  it('answers a missing token with 400 and Graph code 190', async () => {
    const res = await app.inject({ method: 'POST', url: '/v21.0/me/messages', payload: message() });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'OAuthException',
        code: 190,
        fbtrace_id: expect.any(String),
      },
    });
  });

  it.each([
    ['recipient is missing', { recipient: undefined }, undefined],
    ['recipient has two ids', { recipient: { id: '1', user_ref: 'r' } }, undefined],
    ['recipient is empty', { recipient: {} }, undefined],
    ['messaging_type is missing', { messaging_type: undefined }, undefined],
    ['messaging_type is unknown', { messaging_type: 'PROMO' }, undefined],
    ['MESSAGE_TAG has no tag', { messaging_type: 'MESSAGE_TAG' }, undefined],
    [
      'the tag is a retired one',
      { messaging_type: 'MESSAGE_TAG', tag: 'SHIPPING_UPDATE' },
      undefined,
    ],
    ['the text is over 2000 characters', { message: { text: 'x'.repeat(2001) } }, undefined],
    ['the message is empty', { message: {} }, 2018034],
    ['message and sender_action are both missing', { message: undefined }, undefined],
    [
      'the attachment type is unknown',
      { message: { attachment: { type: 'gif', payload: {} } } },
      undefined,
    ],
  ])('answers 400 code 100 when %s', async (_case, overrides, subcode) => {
    const res = await app.inject({ method: 'POST', url: URL, payload: message(overrides) });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        message: expect.stringMatching(/^\(#100\) /),
        type: 'OAuthException',
        code: 100,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        fbtrace_id: expect.any(String),
      },
    });
  });

  it('answers a sender_action without recording a message', async () => {
    const res = await app.inject({
      method: 'POST',
      url: URL,
      payload: { recipient: { id: '42' }, sender_action: 'typing_on' },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ recipient_id: '42' });
    const stats = await app.inject({ method: 'GET', url: '/sandbox/stats' });
    expect(stats.json().total).toBe(0);
  });
});
