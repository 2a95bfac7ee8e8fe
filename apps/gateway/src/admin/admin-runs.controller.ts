import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { RunAdminService } from './run-admin.service.js';

@AdminDocs.controller()
@Controller('admin/runs')
@UseGuards(AdminGuard)
export class AdminRunsController {
  constructor(private readonly runs: RunAdminService) {}

  @Get(':runId')
  @AdminDocs.op(
    'A run: status (scheduled, resolving, delivering, completed, failed, cancelled), reason, counts ' +
      '(targeted, sent, delivered, read, failed, skipped, scheduled; failedOver: people sent through a failover account; ' +
      "fellBack: people handed on to their broadcast's next channel, counted once)",
  )
  getRun(@Param('runId', uuid) runId: string) {
    return this.runs.getRun(runId);
  }

  @Get(':runId/deliveries')
  @AdminDocs.op(
    "A run's deliveries, one per person and channel (keyset pages; ?status= filters): status, reason, code, accountId (the channel that sent), " +
      'failover (why earlier accounts of the bot did not send, when it failed over), fallbackTo (the channel the person was sent on ' +
      'instead: this row could not reach them) and fallbackFrom (the channel that could not, and why)',
    200,
    { paged: true, status: true },
  )
  async deliveries(
    @Param('runId', uuid) runId: string,
    @Query('status') status?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.runs.deliveriesOf(runId, status, decodeCursor(cursor), pageSize(limit));
    return { deliveries: page.items, nextCursor: page.nextCursor };
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @AdminDocs.op('Cancel a run that has not finished (409 when it has)')
  cancel(@Param('runId', uuid) runId: string) {
    return this.runs.cancel(runId);
  }
}
