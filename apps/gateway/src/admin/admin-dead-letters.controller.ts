import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { DeadLetterDocs } from '../openapi/dead-letters.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { DeadLetterAdminService } from './dead-letter-admin.service.js';

@AdminDocs.controller()
@Controller('admin/dead-letters')
@UseGuards(AdminGuard)
export class AdminDeadLettersController {
  constructor(private readonly deadLetters: DeadLetterAdminService) {}

  @Get()
  @DeadLetterDocs.list()
  async list(
    @Query('topic') topic?: string,
    @Query('botId') botId?: string,
    @Query('runId') runId?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.deadLetters.list(
      { topic, botId, runId },
      decodeCursor(cursor),
      pageSize(limit),
    );
    return { deadLetters: page.items, nextCursor: page.nextCursor };
  }

  @Get(':id')
  @DeadLetterDocs.get()
  get(@Param('id', uuid) id: string) {
    return this.deadLetters.get(id);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @DeadLetterDocs.replay()
  replay(@Param('id', uuid) id: string) {
    return this.deadLetters.replay(id);
  }
}
