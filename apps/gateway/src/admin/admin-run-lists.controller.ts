// The console's lists: runs of a bot or a broadcast (newest first), a run's skipped people with
// their reasons, and the broadcasts across the caller's bots (a mobile operator: only those
// visible to mobile operators). Keyset pages everywhere.
import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '@herald/errors';
import {
  BroadcastListRepository,
  BroadcastRepository,
  RunListRepository,
  RunStatusRepository,
  RunSkipReportRepository,
  type RunListRow,
} from '@herald/persistence';
import { operatorOf } from '../console/console-access.service.js';
import { decodeCursor, pageSize, toPage } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';

const runView = (r: RunListRow) => ({
  id: r.id,
  botId: r.botId,
  broadcastId: r.broadcastId,
  source: r.source,
  status: r.status,
  ...(r.reason ? { reason: r.reason } : {}),
  createdAt: r.createdAt,
  scheduledFor: r.scheduledFor,
  finishedAt: r.finishedAt,
  counts: {
    targeted: r.targeted,
    sent: r.sent,
    delivered: r.delivered,
    read: r.read,
    failed: r.failed,
    skipped: r.skipped,
  },
});

@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminRunListsController {
  constructor(
    private readonly lists: RunListRepository,
    private readonly runs: RunStatusRepository,
    private readonly skips: RunSkipReportRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly broadcastLists: BroadcastListRepository,
  ) {}

  @Get('bots/:botId/runs')
  @AdminDocs.op("A bot's runs, newest first (keyset pages)", 200, { paged: true })
  async botRuns(
    @Param('botId', uuid) botId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const size = pageSize(limit);
    const rows = await this.lists.forBot(botId, decodeCursor(cursor), size + 1);
    const page = toPage(rows, size, (r) => r.id, runView);
    return { runs: page.items, nextCursor: page.nextCursor };
  }

  @Get('broadcasts/:id/runs')
  @AdminDocs.op("A broadcast's runs, newest first (keyset pages)", 200, { paged: true })
  async broadcastRuns(
    @Param('id', uuid) id: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    if (!(await this.broadcasts.findById(id)))
      throw new HeraldError(ErrorCode.NotFound, `Broadcast ${id} does not exist.`);
    const size = pageSize(limit);
    const rows = await this.lists.forBroadcast(id, decodeCursor(cursor), size + 1);
    const page = toPage(rows, size, (r) => r.id, runView);
    return { runs: page.items, nextCursor: page.nextCursor };
  }

  @Get('runs/:runId/skips')
  @AdminDocs.op('The people a run skipped, each with the reason (keyset pages)', 200, {
    paged: true,
  })
  async runSkips(
    @Param('runId', uuid) runId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    if ((await this.runs.statusOf(runId)) === null)
      throw new HeraldError(ErrorCode.NotFound, `Run ${runId} does not exist (yet).`);
    const size = pageSize(limit);
    const rows = await this.skips.pageForRun(runId, decodeCursor(cursor), size + 1);
    const page = toPage(
      rows,
      size,
      (r) => r.id,
      ({ runId: _run, ...skip }) => skip,
    );
    return { skips: page.items, nextCursor: page.nextCursor };
  }

  @Get('console/broadcasts')
  @AdminDocs.op(
    "Broadcasts across the caller's bots (mobile operators: only those visible to them; ?mobile=true for everyone)",
    200,
    { paged: true },
  )
  async consoleBroadcasts(
    @Req() request: FastifyRequest,
    @Query('mobile') mobile?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const operator = operatorOf(request);
    const botIds = !operator || operator.role === 'admin' ? null : operator.botIds;
    const visibleOnly = operator?.role === 'mobile_operator' || mobile === 'true';
    const size = pageSize(limit);
    const rows = await this.broadcastLists.page(
      botIds,
      visibleOnly,
      decodeCursor(cursor),
      size + 1,
    );
    const page = toPage(
      rows,
      size,
      (r) => r.id,
      (r) => r,
    );
    return { broadcasts: page.items, nextCursor: page.nextCursor };
  }
}
