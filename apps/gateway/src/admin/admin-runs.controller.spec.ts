// The runs routes at the handler: AdminGuard, the uuid pipe, paging and the cancel answer, around
// a fake RunAdminService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { body } from '../testing/api.harness.js';
import { startAdminHarness, type AdminHarness } from '../testing/admin.harness.js';
import { AdminRunsController } from './admin-runs.controller.js';
import { RunAdminService } from './run-admin.service.js';

const RUN_ID = '55555555-5555-4555-8555-555555555555';

describe('AdminRunsController', () => {
  let h: AdminHarness;
  const runs = {
    getRun: jest.fn((..._args: unknown[]) => Promise.resolve({ id: RUN_ID, status: 'delivering' })),
    deliveriesOf: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ items: [], nextCursor: null }),
    ),
    cancel: jest.fn((..._args: unknown[]) => Promise.resolve({ id: RUN_ID, status: 'cancelled' })),
  };

  beforeEach(async () => {
    Object.values(runs).forEach((fn) => fn.mockClear());
    h = await startAdminHarness(AdminRunsController, [
      { provide: RunAdminService, useValue: runs },
    ]);
  });

  afterEach(async () => {
    await h.close();
  });

  it('answers a run, its deliveries by status, and a cancel (200)', async () => {
    expect(body(await h.admin('GET', `/admin/runs/${RUN_ID}`))).toEqual({
      id: RUN_ID,
      status: 'delivering',
    });
    const page = await h.admin('GET', `/admin/runs/${RUN_ID}/deliveries?status=failed&limit=10`);
    expect(body(page)).toEqual({ deliveries: [], nextCursor: null });
    expect(runs.deliveriesOf).toHaveBeenCalledWith(RUN_ID, 'failed', null, 10);
    const cancelled = await h.admin('POST', `/admin/runs/${RUN_ID}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(body(cancelled)).toEqual({ id: RUN_ID, status: 'cancelled' });
  });

  it('refuses without the admin key and with an id that is no UUID', async () => {
    expect((await h.request({ method: 'GET', url: `/admin/runs/${RUN_ID}` })).statusCode).toBe(401);
    expect((await h.admin('POST', '/admin/runs/x/cancel')).statusCode).toBe(400);
    expect(runs.cancel).not.toHaveBeenCalled();
  });
});
