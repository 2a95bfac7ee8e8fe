import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { HeldDeliveryReportRepository } from '@herald/persistence';
import { decodeCursor, pageSize, toPage } from '../http/keyset-cursor.js';
import { PolicyDocs } from '../openapi/policies.docs.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { RunAdminService } from './run-admin.service.js';

/** The people of a run held by their send window: `scheduled` with the time, or `released` (issue 13). */
@AdminDocs.controller()
@Controller('admin/runs')
@UseGuards(AdminGuard)
export class AdminHeldController {
  constructor(
    private readonly runs: RunAdminService,
    private readonly held: HeldDeliveryReportRepository,
  ) {}

  @Get(':runId/held')
  @PolicyDocs.held()
  async list(
    @Param('runId', uuid) runId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    await this.runs.getRun(runId);
    const size = pageSize(limit);
    const [rows, counts] = await Promise.all([
      this.held.pageForRun(runId, decodeCursor(cursor), size + 1),
      this.held.countsForRun(runId),
    ]);
    const page = toPage(
      rows,
      size,
      (r) => r.contactId,
      (r) => r,
    );
    return { counts, held: page.items, nextCursor: page.nextCursor };
  }
}
