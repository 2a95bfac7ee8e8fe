// Chatfuel V2 at the handler, on both of its paths: BearerTokenGuard, QuotaGuard, the
// Idempotency-Key, the body's parse and ChatfuelErrorFilter, around a fake ChatfuelV2Service.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ApiCaller } from '../auth/api-caller.js';
import { BOT_ID, TOKEN, body, startApiHarness, type ApiHarness } from '../testing/api.harness.js';
import type { ChatfuelV2Body } from './chatfuel-v2-body.parser.js';
import { ChatfuelV2Controller } from './chatfuel-v2.controller.js';
import { ChatfuelV2Service, type ChatfuelV2Result } from './chatfuel-v2.service.js';

const answer: ChatfuelV2Result = {
  success: true,
  result: 'Queued.',
  run_id: '22222222-2222-4222-8222-222222222222',
};

describe('ChatfuelV2Controller', () => {
  let h: ApiHarness;
  const send = jest.fn<(c: ApiCaller, b: ChatfuelV2Body, r: string) => Promise<ChatfuelV2Result>>();
  const post = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.request({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const valid = { customer_phone: '+15551234567', messages: [{ text: 'Hi' }] };

  beforeEach(async () => {
    send.mockReset();
    send.mockResolvedValue(answer);
    h = await startApiHarness({
      controller: ChatfuelV2Controller,
      providers: [{ provide: ChatfuelV2Service, useValue: { send } }],
    });
  });

  afterEach(async () => {
    await h.close();
  });

  it('hands the service the typed body at both paths', async () => {
    for (const path of [`/v2/${BOT_ID}/send`, `/public/bots/${BOT_ID}/send`]) {
      const response = await post(path, valid, bearer);
      expect({ status: response.statusCode, body: body(response) }).toEqual({
        status: 200,
        body: answer,
      });
    }
    const [caller, parsed] = send.mock.calls[0];
    expect(caller.botId).toBe(BOT_ID);
    expect(parsed).toMatchObject({
      customer: { phone: '+15551234567' },
      messages: [{ text: 'Hi' }],
      priority: ['fbid', 'phone', 'email'],
    });
  });

  it("checks the token before the body, both refused in the seed's body", async () => {
    const anonymous = await post(`/v2/${BOT_ID}/send`, { messages: 'x' });
    expect({ status: anonymous.statusCode, body: body(anonymous) }).toEqual({
      status: 401,
      body: { success: false, result: expect.stringContaining('Authorization: Bearer') },
    });
    const malformed = await post(`/v2/${BOT_ID}/send`, { messages: [{ text: 'Hi' }] }, bearer);
    expect({ status: malformed.statusCode, body: body(malformed) }).toEqual({
      status: 400,
      body: { success: false, result: expect.stringContaining('at least one') },
    });
    // Another bot's path with this bot's token is not this bot.
    const elsewhere = `/public/bots/7d6c5b4a-3210-4fed-8cba-987654321000/send`;
    expect((await post(elsewhere, valid, bearer)).statusCode).toBe(401);
    expect(send).not.toHaveBeenCalled();
  });

  it("refuses a body the JSON parser cannot read in the seed's body too", async () => {
    const response = await post(`/public/bots/${BOT_ID}/send`, '[', bearer);
    expect({ status: response.statusCode, body: body(response) }).toEqual({
      status: 400,
      body: { success: false, result: expect.stringContaining('not valid JSON') },
    });
  });

  it('replays an answer for a repeated Idempotency-Key, whichever path it comes by', async () => {
    const keyed = { ...bearer, 'idempotency-key': 'v2-once' };
    const first = await post(`/v2/${BOT_ID}/send`, valid, keyed);
    const again = await post(`/public/bots/${BOT_ID}/send`, valid, keyed);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(body(again)).toEqual(answer);
    expect(send).toHaveBeenCalledTimes(1);
  });
});
