import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSandboxApp } from '../bootstrap.js';

const PAGE_ID = '555000111';
const AUTH = { authorization: 'Bearer EAAG-page' };

/** One Send API operation as a batch carries it: a form-encoded body whose values are JSON. */
function sendOperation(psid: string, text: string, relativeUrl = `v21.0/${PAGE_ID}/messages`) {
  const body = new URLSearchParams({
    recipient: JSON.stringify({ id: psid }),
    messaging_type: 'UPDATE',
    message: JSON.stringify({ text }),
  }).toString();
  return { method: 'POST', relative_url: relativeUrl, body };
}

describe('Graph API batch requests: POST /{version}/ with batch', () => {
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

  const batch = (payload: unknown, url = '/v21.0/', headers: Record<string, string> = AUTH) =>
    app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

  const logged = async () =>
    (await app.inject({ method: 'GET', url: '/sandbox/messages?channel=messenger' })).json()
      .messages as Array<Record<string, unknown>>;

  it('runs each send and answers their results in order, each body a JSON string', async () => {
    const res = await batch({
      batch: [sendOperation('1001', 'Hello Ada'), sendOperation('1002', 'Hello Grace')],
      include_headers: false,
    });

    expect(res.statusCode).toBe(200);
    const slots = res.json<Array<{ code: number; body: string }>>();
    expect(slots.map((s) => s.code)).toEqual([200, 200]);
    const bodies = slots.map((s) => JSON.parse(s.body) as Record<string, string>);
    expect(bodies.map((b) => b.recipient_id)).toEqual(['1001', '1002']);
    expect(await logged()).toEqual([
      expect.objectContaining({
        id: bodies[0].message_id,
        account: PAGE_ID,
        to: '1001',
        text: 'Hello Ada',
      }),
      expect.objectContaining({
        id: bodies[1].message_id,
        account: PAGE_ID,
        to: '1002',
        text: 'Hello Grace',
      }),
    ]);
  });

  it('takes the batch form-encoded at the root too, the token from access_token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/?access_token=EAAG-page',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        batch: JSON.stringify([sendOperation('1003', 'Hi', 'me/messages')]),
      }).toString(),
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { code: 200, body: expect.stringContaining('"recipient_id":"1003"') },
    ]);
    expect(await logged()).toEqual([expect.objectContaining({ to: '1003', account: PAGE_ID })]);
  });

  it("answers each operation's own error in its slot, and sends the others", async () => {
    await app.inject({
      method: 'POST',
      url: '/sandbox/faults',
      payload: { channel: 'messenger', rejectRecipients: { '1005': 551 } },
    });

    const res = await batch({
      batch: [
        sendOperation('1004', 'ok'),
        sendOperation('1005', 'refused'),
        { method: 'POST', relative_url: `${PAGE_ID}/feed`, body: 'message=x' },
        { method: 'POST', relative_url: `${PAGE_ID}/messages`, body: 'recipient=%7B%7D' },
      ],
    });

    expect(res.statusCode).toBe(200);
    const slots = res.json<Array<{ code: number; body: string }>>();
    expect(slots.map((s) => s.code)).toEqual([200, 400, 400, 400]);
    expect(JSON.parse(slots[1].body).error.code).toBe(551);
    expect(JSON.parse(slots[2].body).error.message).toBe('(#100) Unsupported post request');
    expect(JSON.parse(slots[3].body).error.message).toContain('recipient');
    expect((await logged()).map((m) => m.to)).toEqual(['1004']);
  });

  it('answers 190 in every slot when the batch has no token', async () => {
    const res = await batch({ batch: [sendOperation('1006', 'x')] }, '/v21.0/', {});
    expect(res.json().map((s: { body: string }) => JSON.parse(s.body).error.code)).toEqual([190]);
    expect(await logged()).toEqual([]);
  });

  it.each([
    ['no batch', {}, 'The parameter batch is required'],
    ['a batch that is not JSON', { batch: '[{' }, 'must be a JSON-encoded array'],
    ['an empty batch', { batch: [] }, 'non-empty JSON array'],
    ['an operation without a relative_url', { batch: [{ method: 'POST' }] }, 'Batch parameter 0'],
    [
      '51 operations',
      { batch: Array.from({ length: 51 }, (_, i) => sendOperation(String(2000 + i), 'x')) },
      'Maximum batch size is 50',
    ],
  ])('refuses %s as a whole with code 100', async (_name, payload, message) => {
    const res = await batch(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 100,
      message: expect.stringContaining(message),
    });
    expect(await logged()).toEqual([]);
  });

  it('answers a single path that is not a Graph version like Graph does', async () => {
    const res = await batch({ batch: [sendOperation('1007', 'x')] }, '/feed');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('(#100) Unsupported post request');
  });
});
