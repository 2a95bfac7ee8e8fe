import { Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { BlockAdminService } from './block-admin.service.js';
import { CreateBlockDto } from './dto/admin.dto.js';

/** A bot's blocks. */
@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminBlocksController {
  constructor(private readonly blocks: BlockAdminService) {}

  @Post('bots/:botId/blocks')
  @AdminDocs.op('Create a block (named content the APIs refer to by id or name)', 201)
  createBlock(@Param('botId', uuid) botId: string, @Body() dto: CreateBlockDto) {
    return this.blocks.createBlock(botId, dto);
  }

  @Get('bots/:botId/blocks')
  @AdminDocs.op("List a bot's blocks (keyset pages)", 200, { paged: true })
  async listBlocks(
    @Param('botId', uuid) botId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.blocks.listBlocks(botId, decodeCursor(cursor), pageSize(limit));
    return { blocks: page.items, nextCursor: page.nextCursor };
  }
}
