// The channels routes at the handler: AdminGuard, the DTOs' validation and the uuid pipe, around
// a fake ChannelAdminService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BOT_ID, body } from '../testing/api.harness.js';
import { startAdminHarness, type AdminHarness } from '../testing/admin.harness.js';
import { AdminChannelsController } from './admin-channels.controller.js';
import { ChannelAdminService } from './channel-admin.service.js';

const CHANNEL_ID = '4f3e2d1c-0b9a-4877-8665-544332211000';

describe('AdminChannelsController', () => {
  let h: AdminHarness;
  const channels = {
    createChannel: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ id: CHANNEL_ID, type: 'whatsapp', priority: 0 }),
    ),
    updateChannel: jest.fn((..._args: unknown[]) => Promise.resolve({ id: CHANNEL_ID })),
    listChannels: jest.fn((..._args: unknown[]) => Promise.resolve({ channels: [] })),
  };

  beforeEach(async () => {
    Object.values(channels).forEach((fn) => fn.mockClear());
    h = await startAdminHarness(AdminChannelsController, [
      { provide: ChannelAdminService, useValue: channels },
    ]);
  });

  afterEach(async () => {
    await h.close();
  });

  it('adds an account through the service, and refuses an unknown type naming the field', async () => {
    const config = { phoneNumberId: '1555', accessToken: 'secret' };
    const created = await h.admin('POST', `/admin/bots/${BOT_ID}/channels`, {
      type: 'whatsapp',
      config,
    });
    expect(created.statusCode).toBe(201);
    expect(channels.createChannel).toHaveBeenCalledWith(
      BOT_ID,
      expect.objectContaining({ type: 'whatsapp' }),
    );
    const refused = await h.admin('POST', `/admin/bots/${BOT_ID}/channels`, {
      type: 'telegram',
      config,
    });
    expect(refused.statusCode).toBe(400);
    expect(body(refused)).toEqual({ error: expect.objectContaining({ field: 'type' }) });
    expect(channels.createChannel).toHaveBeenCalledTimes(1);
  });

  it('changes and lists channels of the bot and channel the path names', async () => {
    const url = `/admin/bots/${BOT_ID}/channels/${CHANNEL_ID}`;
    expect((await h.admin('PATCH', url, { config: { accessToken: 'rotated' } })).statusCode).toBe(
      200,
    );
    expect(channels.updateChannel).toHaveBeenCalledWith(BOT_ID, CHANNEL_ID, {
      accessToken: 'rotated',
    });
    expect(body(await h.admin('GET', `/admin/bots/${BOT_ID}/channels`))).toEqual({ channels: [] });
    expect((await h.admin('GET', '/admin/bots/x/channels')).statusCode).toBe(400);
    expect(
      (await h.request({ method: 'GET', url: `/admin/bots/${BOT_ID}/channels` })).statusCode,
    ).toBe(401);
    expect(channels.listChannels).toHaveBeenCalledTimes(1);
  });
});
