// The hook's pipeline, at the handler: HookKeyGuard, QuotaGuard, the Idempotency-Key (checked
// before the body is parsed) and the global filter, around a fake AcceptHookService.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { HookCaller } from '../auth/api-caller.js';
import {
  HOOK_KEY,
  TOKEN,
  body,
  broadcastSettings,
  startApiHarness,
  type ApiHarness,
} from '../testing/api.harness.js';
import { AcceptHookService, type HookAccepted } from './accept-hook.service.js';
import type { ParsedHook } from './hook-payload.parser.js';
import { HookController } from './hook.controller.js';

const accepted: HookAccepted = {
  success: true,
  run_id: '11111111-1111-4111-8111-111111111111',
  scheduled_for: '2026-01-01T00:00:00.000Z',
};
const targets = { targets: [{ user_id: '15551234567', bot_channel: 'whatsapp' }] };
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe('HookController', () => {
  let h: ApiHarness;
  const accept =
    jest.fn<(hook: HookCaller, parsed: ParsedHook, runId?: string) => Promise<HookAccepted>>();

  const start = async (options: Partial<Parameters<typeof startApiHarness>[0]> = {}) => {
    accept.mockReset();
    accept.mockResolvedValue(accepted);
    h = await startApiHarness({
      controller: HookController,
      providers: [{ provide: AcceptHookService, useValue: { accept } }],
      ...options,
    });
  };
  const post = (payload: unknown, headers: Record<string, string> = auth, key = HOOK_KEY) =>
    h.request({
      method: 'POST',
      url: `/hooks/${key}`,
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  afterEach(async () => {
    await h?.close();
  });

  it('hands the service the opened broadcast, the parsed body and the reserved run id', async () => {
    await start();
    const response = await post(targets);
    expect({ status: response.statusCode, body: body(response) }).toEqual({
      status: 200,
      body: accepted,
    });
    const [hook, parsed, runId] = accept.mock.calls[0];
    expect(hook.broadcast.botId).toBe(hook.botId);
    expect(parsed.targets).toEqual([
      expect.objectContaining({ userId: '15551234567', channel: 'whatsapp' }),
    ]);
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('checks the token before the body: an unauthenticated, malformed call gets the 401', async () => {
    await start();
    const response = await post({ targets: 'not a list' }, { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(401);
    expect(body(response)).toEqual({ error: expect.objectContaining({ code: 'UNAUTHORIZED' }) });
    const authenticated = await post({ targets: 'not a list' });
    expect(authenticated.statusCode).toBe(400);
    expect(body(authenticated)).toEqual({
      error: expect.objectContaining({ code: 'INVALID_INPUT', field: 'targets' }),
    });
    expect(accept).not.toHaveBeenCalled();
  });

  it('checks the key, then the verb, then the token: 404, 405, 401 in that order', async () => {
    await start({ broadcast: { settings: broadcastSettings({ allowPost: false }) } });
    const anonymous = { 'content-type': 'application/json' };
    expect((await post(targets, anonymous, 'unknown')).statusCode).toBe(404);
    expect((await post(targets, anonymous)).statusCode).toBe(405);
    expect((await h.request({ method: 'GET', url: `/hooks/${HOOK_KEY}` })).statusCode).toBe(401);
  });

  it('counts the quota after authentication: past it, a caller without a token still gets 401', async () => {
    await start({ config: { HERALD_QUOTA_HOOK_PER_SECOND: 1 } });
    expect((await post(targets)).statusCode).toBe(200);
    const limited = await post(targets);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect((await post(targets, { 'content-type': 'application/json' })).statusCode).toBe(401);
  });

  it('checks Idempotency-Key after the token and before the body, and replays an answer once', async () => {
    await start();
    const bad = { ...auth, 'idempotency-key': 'has space' };
    expect((await post({ targets: 1 }, { ...bad, authorization: 'Bearer nope' })).statusCode).toBe(
      401,
    );
    expect(body(await post({ targets: 1 }, bad))).toEqual({
      error: expect.objectContaining({ field: 'Idempotency-Key' }),
    });
    const keyed = { ...auth, 'idempotency-key': 'k-1' };
    const first = await post(targets, keyed);
    const again = await post(targets, keyed);
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(body(again)).toEqual(accepted);
    expect(accept).toHaveBeenCalledTimes(1);
  });

  it('GET runs the saved audience; HEAD and the other verbs are 405 and start nothing', async () => {
    await start();
    const get = await h.request({ method: 'GET', url: `/hooks/${HOOK_KEY}`, headers: auth });
    expect(get.statusCode).toBe(200);
    expect(accept.mock.calls[0][1]).toEqual({});
    for (const method of ['HEAD', 'PUT', 'PATCH', 'DELETE'] as const)
      expect(
        (await h.request({ method, url: `/hooks/${HOOK_KEY}`, headers: auth })).statusCode,
      ).toBe(405);
    expect(accept).toHaveBeenCalledTimes(1);
  });

  it("answers a body the JSON parser refuses in Herald's body", async () => {
    await start();
    const response = await post('{"targets": [', auth);
    expect(response.statusCode).toBe(400);
    expect(body(response)).toEqual({
      error: expect.objectContaining({ message: expect.stringContaining('not valid JSON') }),
    });
  });
});
