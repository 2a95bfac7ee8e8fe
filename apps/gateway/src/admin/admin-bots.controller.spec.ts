// The bots and tokens routes at the handler: AdminGuard, the DTOs' validation, the uuid pipe,
// around a fake BotAdminService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BOT_ID, body } from '../testing/api.harness.js';
import { startAdminHarness, type AdminHarness } from '../testing/admin.harness.js';
import { AdminBotsController } from './admin-bots.controller.js';
import { BotAdminService } from './bot-admin.service.js';

const TOKEN_ID = '9c8b7a6f-5e4d-4c3b-8a2f-1e0d9c8b7a6f';

describe('AdminBotsController', () => {
  let h: AdminHarness;
  const bots = {
    createBot: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ id: BOT_ID, name: 'Shop', rateLimitRps: 25 }),
    ),
    listBots: jest.fn((..._args: unknown[]) => Promise.resolve({ items: [], nextCursor: null })),
    getBot: jest.fn((..._args: unknown[]) => Promise.resolve({ id: BOT_ID })),
    updateBot: jest.fn((..._args: unknown[]) => Promise.resolve({ id: BOT_ID })),
    issueToken: jest.fn((..._args: unknown[]) => Promise.resolve({ id: TOKEN_ID, token: 'hbt_x' })),
    listTokens: jest.fn((..._args: unknown[]) => Promise.resolve({ tokens: [] })),
    revokeToken: jest.fn((..._args: unknown[]) => Promise.resolve()),
  };

  beforeEach(async () => {
    Object.values(bots).forEach((fn) => fn.mockClear());
    h = await startAdminHarness(AdminBotsController, [
      { provide: BotAdminService, useValue: bots },
    ]);
  });

  afterEach(async () => {
    await h.close();
  });

  it('refuses every route without the admin key, before validating anything', async () => {
    const response = await h.request({
      method: 'POST',
      url: '/admin/bots',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": 7}',
    });
    expect(response.statusCode).toBe(401);
    expect((await h.request({ method: 'GET', url: '/admin/bots/not-a-uuid' })).statusCode).toBe(
      401,
    );
    expect(bots.createBot).not.toHaveBeenCalled();
  });

  it('creates a bot from a valid body and names the field of an invalid one', async () => {
    const created = await h.admin('POST', '/admin/bots', { name: 'Shop', rateLimitRps: 25 });
    expect(created.statusCode).toBe(201);
    expect(bots.createBot).toHaveBeenCalledWith('Shop', 25);
    const refused = await h.admin('POST', '/admin/bots', { name: 'Shop', rateLimitRps: 0 });
    expect(refused.statusCode).toBe(400);
    expect(body(refused)).toEqual({
      error: expect.objectContaining({ code: 'INVALID_INPUT', field: 'rateLimitRps' }),
    });
    const unknown = await h.admin('POST', '/admin/bots', { name: 'Shop', extra: true });
    expect(body(unknown)).toEqual({ error: expect.objectContaining({ field: 'extra' }) });
    expect(bots.createBot).toHaveBeenCalledTimes(1);
  });

  it('pages bots with the cursor and limit it was given', async () => {
    const response = await h.admin('GET', '/admin/bots?limit=5');
    expect(body(response)).toEqual({ bots: [], nextCursor: null });
    expect(bots.listBots).toHaveBeenCalledWith(null, 5);
  });

  it('takes only UUIDs in the path', async () => {
    const response = await h.admin('GET', '/admin/bots/not-a-uuid');
    expect(response.statusCode).toBe(400);
    expect(body(response)).toEqual({ error: expect.objectContaining({ field: 'id' }) });
    expect(bots.getBot).not.toHaveBeenCalled();
  });

  it('issues, lists and revokes tokens through the service (204 on revoke)', async () => {
    expect((await h.admin('POST', `/admin/bots/${BOT_ID}/tokens`, { name: 'ci' })).statusCode).toBe(
      201,
    );
    expect(bots.issueToken).toHaveBeenCalledWith(BOT_ID, 'ci');
    await h.admin('POST', `/admin/bots/${BOT_ID}/tokens`, {});
    expect(bots.issueToken).toHaveBeenLastCalledWith(BOT_ID, null);
    expect(body(await h.admin('GET', `/admin/bots/${BOT_ID}/tokens`))).toEqual({ tokens: [] });
    const revoked = await h.admin('DELETE', `/admin/bots/${BOT_ID}/tokens/${TOKEN_ID}`);
    expect(revoked.statusCode).toBe(204);
    expect(bots.revokeToken).toHaveBeenCalledWith(BOT_ID, TOKEN_ID);
  });
});
