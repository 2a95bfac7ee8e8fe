// The blocks routes at the handler: AdminGuard, CreateBlockDto's validation and keyset paging,
// around a fake BlockAdminService.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BOT_ID, body } from '../testing/api.harness.js';
import { startAdminHarness, type AdminHarness } from '../testing/admin.harness.js';
import { AdminBlocksController } from './admin-blocks.controller.js';
import { BlockAdminService } from './block-admin.service.js';

describe('AdminBlocksController', () => {
  let h: AdminHarness;
  const blocks = {
    createBlock: jest.fn((..._args: unknown[]) => Promise.resolve({ id: 'b', name: 'welcome' })),
    listBlocks: jest.fn((..._args: unknown[]) =>
      Promise.resolve({ items: [{ id: 'b' }], nextCursor: 'next' }),
    ),
  };

  beforeEach(async () => {
    Object.values(blocks).forEach((fn) => fn.mockClear());
    h = await startAdminHarness(AdminBlocksController, [
      { provide: BlockAdminService, useValue: blocks },
    ]);
  });

  afterEach(async () => {
    await h.close();
  });

  it('creates a block through the service and names the field of a bad body', async () => {
    const dto = { name: 'welcome', messages: [{ text: 'Hi' }] };
    expect((await h.admin('POST', `/admin/bots/${BOT_ID}/blocks`, dto)).statusCode).toBe(201);
    expect(blocks.createBlock).toHaveBeenCalledWith(BOT_ID, expect.objectContaining(dto));
    const refused = await h.admin('POST', `/admin/bots/${BOT_ID}/blocks`, { name: 'welcome' });
    expect(refused.statusCode).toBe(400);
    expect(body(refused)).toEqual({ error: expect.objectContaining({ field: 'messages' }) });
    expect(blocks.createBlock).toHaveBeenCalledTimes(1);
  });

  it('answers a page as {blocks, nextCursor}', async () => {
    const response = await h.admin('GET', `/admin/bots/${BOT_ID}/blocks?limit=1`);
    expect(body(response)).toEqual({ blocks: [{ id: 'b' }], nextCursor: 'next' });
    expect(blocks.listBlocks).toHaveBeenCalledWith(BOT_ID, null, 1);
  });
});
