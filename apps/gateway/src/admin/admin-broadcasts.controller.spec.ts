// The broadcasts routes at the handler: AdminGuard, the DTOs' validation, the uuid pipe and the
// execute button's answer, around a fake BroadcastAdminService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BOT_ID, body } from '../testing/api.harness.js';
import { startAdminHarness, type AdminHarness } from '../testing/admin.harness.js';
import { AdminBroadcastsController } from './admin-broadcasts.controller.js';
import { BroadcastAdminService } from './broadcast-admin.service.js';

const BROADCAST_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
const RUN_ID = '44444444-4444-4444-8444-444444444444';

describe('AdminBroadcastsController', () => {
  let h: AdminHarness;
  const broadcasts = {
    createBroadcast: jest.fn((..._args: unknown[]) => Promise.resolve({ id: BROADCAST_ID })),
    listBroadcasts: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ items: [], nextCursor: null }),
    ),
    getBroadcast: jest.fn((..._args: unknown[]) => Promise.resolve({ id: BROADCAST_ID })),
    updateBroadcast: jest.fn((..._args: unknown[]) => Promise.resolve({ id: BROADCAST_ID })),
    regenerateHookKey: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ id: BROADCAST_ID, hookKey: 'new' }),
    ),
    run: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ runId: RUN_ID, scheduledFor: '2026-01-01T00:00:00Z' }),
    ),
  };

  beforeEach(async () => {
    Object.values(broadcasts).forEach((fn) => fn.mockClear());
    h = await startAdminHarness(AdminBroadcastsController, [
      { provide: BroadcastAdminService, useValue: broadcasts },
    ]);
  });

  afterEach(async () => {
    await h.close();
  });

  it('creates a broadcast through the service and names the field of a bad setting', async () => {
    const dto = { name: 'promo', content: { blockId: 'welcome' } };
    expect((await h.admin('POST', `/admin/bots/${BOT_ID}/broadcasts`, dto)).statusCode).toBe(201);
    expect(broadcasts.createBroadcast).toHaveBeenCalledWith(BOT_ID, expect.objectContaining(dto));
    const refused = await h.admin('PATCH', `/admin/broadcasts/${BROADCAST_ID}`, {
      settings: { enabled: 'yes' },
    });
    expect(refused.statusCode).toBe(400);
    expect(body(refused)).toEqual({ error: expect.objectContaining({ field: 'settings' }) });
    expect(broadcasts.updateBroadcast).not.toHaveBeenCalled();
  });

  it('regenerates the hook key (200) and runs the broadcast (202, the seed-style answer)', async () => {
    const key = await h.admin('POST', `/admin/broadcasts/${BROADCAST_ID}/hook-key`);
    expect({ status: key.statusCode, body: body(key) }).toEqual({
      status: 200,
      body: { id: BROADCAST_ID, hookKey: 'new' },
    });
    const run = await h.admin('POST', `/admin/broadcasts/${BROADCAST_ID}/run`);
    expect({ status: run.statusCode, body: body(run) }).toEqual({
      status: 202,
      body: { success: true, run_id: RUN_ID, scheduled_for: '2026-01-01T00:00:00Z' },
    });
    expect(broadcasts.run).toHaveBeenCalledWith(BROADCAST_ID);
  });

  it('refuses without the admin key and with an id that is no UUID', async () => {
    expect(
      (await h.request({ method: 'POST', url: `/admin/broadcasts/${BROADCAST_ID}/run` }))
        .statusCode,
    ).toBe(401);
    expect((await h.admin('GET', '/admin/broadcasts/nope')).statusCode).toBe(400);
    expect(broadcasts.run).not.toHaveBeenCalled();
    expect(broadcasts.getBroadcast).not.toHaveBeenCalled();
  });
});
