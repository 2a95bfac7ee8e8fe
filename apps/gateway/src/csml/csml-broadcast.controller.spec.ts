// CSML broadcasts at the handler: ApiKeyGuard, QuotaGuard, the Idempotency-Key, the body's parse
// and the global filter (Herald's body), around a fake CsmlBroadcastService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ApiCaller } from '../auth/api-caller.js';
import { BOT_ID, TOKEN, body, startApiHarness, type ApiHarness } from '../testing/api.harness.js';
import { CsmlBroadcastController } from './csml-broadcast.controller.js';
import type { CsmlBroadcast } from './csml-broadcast.parser.js';
import { CsmlBroadcastService, type CsmlBroadcastAccepted } from './csml-broadcast.service.js';

const request = {
  payload: { content_type: 'flow_trigger', content: { flow_id: 'welcome' } },
  client: { user_id: '15551234567' },
};
const accepted: CsmlBroadcastAccepted = {
  request_id: '33333333-3333-4333-8333-333333333333',
  client: { user_id: '15551234567', bot_id: BOT_ID, channel_id: 'c' },
  payload: { content_type: 'flow_trigger', content: { flow_id: 'welcome', close_flows: false } },
};

describe('CsmlBroadcastController', () => {
  let h: ApiHarness;
  const broadcast =
    jest.fn<(c: ApiCaller, r: CsmlBroadcast, id: string) => Promise<CsmlBroadcastAccepted>>();
  const post = (payload: unknown, headers: Record<string, string> = { 'x-api-key': TOKEN }) =>
    h.request({
      method: 'POST',
      url: '/v1/api/broadcasts',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(payload),
    });

  beforeEach(async () => {
    broadcast.mockReset();
    broadcast.mockResolvedValue(accepted);
    h = await startApiHarness({
      controller: CsmlBroadcastController,
      providers: [{ provide: CsmlBroadcastService, useValue: { broadcast } }],
      config: { HERALD_QUOTA_CSML_PER_SECOND: 2 },
    });
  });

  afterEach(async () => {
    await h.close();
  });

  it("hands the service the key's bot and the typed request", async () => {
    const response = await post(request);
    expect({ status: response.statusCode, body: body(response) }).toEqual({
      status: 200,
      body: accepted,
    });
    expect(broadcast.mock.calls[0].slice(0, 2)).toEqual([
      expect.objectContaining({ botId: BOT_ID }),
      { flowId: 'welcome', closeFlows: true, userId: '15551234567' },
    ]);
  });

  it("checks the key before the body, both refused in Herald's body", async () => {
    const anonymous = await post({ payload: 1 }, { 'x-api-key': ' ' });
    expect({ status: anonymous.statusCode, body: body(anonymous) }).toEqual({
      status: 401,
      body: { error: expect.objectContaining({ code: 'UNAUTHORIZED' }) },
    });
    const malformed = await post({ payload: 1 });
    expect({ status: malformed.statusCode, body: body(malformed) }).toEqual({
      status: 400,
      body: { error: expect.objectContaining({ field: 'payload' }) },
    });
    expect(broadcast).not.toHaveBeenCalled();
  });

  it('counts the quota after the key: past it 429, a bad key still 401', async () => {
    expect((await post(request)).statusCode).toBe(200);
    expect((await post(request)).statusCode).toBe(200);
    expect((await post(request)).statusCode).toBe(429);
    expect((await post(request, { 'x-api-key': 'nope' })).statusCode).toBe(401);
  });
});
