import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { BroadcastAdminService } from './broadcast-admin.service.js';
import { CreateBroadcastDto, UpdateBroadcastDto } from './dto/admin.dto.js';

/** Broadcasts: their settings, hook URL and the console's execute button. */
@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminBroadcastsController {
  constructor(private readonly broadcasts: BroadcastAdminService) {}

  @Post('bots/:botId/broadcasts')
  @AdminDocs.op('Create a broadcast (answers with its hookKey and hookUrl)', 201)
  createBroadcast(@Param('botId', uuid) botId: string, @Body() dto: CreateBroadcastDto) {
    return this.broadcasts.createBroadcast(botId, dto);
  }

  @Get('bots/:botId/broadcasts')
  @AdminDocs.op("List a bot's broadcasts (keyset pages)", 200, { paged: true })
  async listBroadcasts(
    @Param('botId', uuid) botId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.broadcasts.listBroadcasts(botId, decodeCursor(cursor), pageSize(limit));
    return { broadcasts: page.items, nextCursor: page.nextCursor };
  }

  @Get('broadcasts/:id')
  @AdminDocs.op('Get a broadcast')
  getBroadcast(@Param('id', uuid) id: string) {
    return this.broadcasts.getBroadcast(id);
  }

  @Patch('broadcasts/:id')
  @AdminDocs.op('Change a broadcast (name, content, audience, recipients, settings)')
  updateBroadcast(@Param('id', uuid) id: string, @Body() dto: UpdateBroadcastDto) {
    return this.broadcasts.updateBroadcast(id, dto);
  }

  @Post('broadcasts/:id/hook-key')
  @HttpCode(200)
  @AdminDocs.op('Regenerate the hook key (the old URL stops working)')
  regenerateHookKey(@Param('id', uuid) id: string) {
    return this.broadcasts.regenerateHookKey(id);
  }

  @Post('broadcasts/:id/run')
  @HttpCode(202)
  @AdminDocs.op(
    'Execute the broadcast with its saved audience (403 when executeButton is off)',
    202,
  )
  async run(@Param('id', uuid) id: string) {
    const accepted = await this.broadcasts.run(id);
    return { success: true, run_id: accepted.runId, scheduled_for: accepted.scheduledFor };
  }
}
