// Chatfuel V1 at the handler: its token guard, QuotaGuard, the Idempotency-Key, the parameters'
// parse and ChatfuelErrorFilter, around a fake ChatfuelV1Service.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ApiCaller } from '../auth/api-caller.js';
import { BOT_ID, TOKEN, body, startApiHarness, type ApiHarness } from '../testing/api.harness.js';
import type { ChatfuelV1Params } from './chatfuel-v1-params.parser.js';
import { ChatfuelV1Controller } from './chatfuel-v1.controller.js';
import { ChatfuelV1Service, type ChatfuelResult } from './chatfuel-v1.service.js';

describe('ChatfuelV1Controller', () => {
  let h: ApiHarness;
  const send =
    jest.fn<(c: ApiCaller, u: string, p: ChatfuelV1Params, r: string) => Promise<ChatfuelResult>>();

  const start = async (rateLimitRps?: number) => {
    send.mockReset();
    send.mockResolvedValue({ success: true, result: 'Queued.' });
    h = await startApiHarness({
      controller: ChatfuelV1Controller,
      providers: [{ provide: ChatfuelV1Service, useValue: { send } }],
      ...(rateLimitRps ? { bot: { rateLimitRps } } : {}),
    });
  };
  const call = (query: string, user = '2411', payload?: string) =>
    h.request({
      method: 'POST',
      url: `/bots/${BOT_ID}/users/${user}/send?${query}`,
      ...(payload !== undefined
        ? { headers: { 'content-type': 'application/json' }, payload }
        : {}),
    });

  afterEach(async () => {
    await h?.close();
  });

  it('hands the service its caller, the trimmed user id and the typed parameters', async () => {
    await start();
    const response = await call(
      `bot_token=${TOKEN}&block_name=welcome&plan=gold&messaging_tag="HUMAN_AGENT"`,
      '%202411%20',
    );
    expect({ status: response.statusCode, body: body(response) }).toEqual({
      status: 200,
      body: { success: true, result: 'Queued.' },
    });
    const [caller, userId, params, runId] = send.mock.calls[0];
    expect(caller).toMatchObject({ botId: BOT_ID, rateLimitRps: 25 });
    expect(userId).toBe('2411');
    expect(params).toEqual({
      token: TOKEN,
      blockName: 'welcome',
      messagingTag: 'HUMAN_AGENT',
      attributes: { plan: 'gold' },
    });
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses in the seed's {success: false, result} body", async () => {
    await start();
    expect(body(await call('bot_token=nope&block_name=welcome'))).toEqual({
      success: false,
      result: expect.stringContaining('token'),
    });
    const blank = await call(`bot_token=${TOKEN}&block_name=welcome`, '%20');
    expect({ status: blank.statusCode, body: body(blank) }).toEqual({
      status: 400,
      body: { success: false, result: expect.stringContaining('user id') },
    });
    // Raised by the JSON parser, before the controller: the route still says which body.
    const broken = await call(`bot_token=${TOKEN}`, '2411', '{"block_name": ');
    expect({ status: broken.statusCode, body: body(broken) }).toEqual({
      status: 400,
      body: { success: false, result: expect.stringContaining('not valid JSON') },
    });
    expect(send).not.toHaveBeenCalled();
  });

  it('reads its parameters before its token (the token is one of them): a malformed call without a valid token is a 400', async () => {
    await start();
    const response = await call('bot_token=nope&chatfuel_user_id=1');
    expect(response.statusCode).toBe(400);
    expect(body(response)).toEqual({ success: false, result: expect.stringContaining('reserved') });
    expect((await call('bot_token=nope&block_name=welcome')).statusCode).toBe(401);
  });

  it("counts the bot's own rate after the token: over it 429, a bad token still 401", async () => {
    await start(1);
    expect((await call(`bot_token=${TOKEN}&block_name=welcome`)).statusCode).toBe(200);
    const limited = await call(`bot_token=${TOKEN}&block_name=welcome`);
    expect({ status: limited.statusCode, body: body(limited) }).toEqual({
      status: 429,
      body: { success: false, result: expect.stringContaining('1 requests per second') },
    });
    expect((await call('bot_token=nope&block_name=welcome')).statusCode).toBe(401);
  });
});
