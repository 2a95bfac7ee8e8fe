import {
  Body,
  Controller,
  Delete,
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
import { BotAdminService } from './bot-admin.service.js';
import { CreateBotDto, CreateTokenDto, UpdateBotDto } from './dto/admin.dto.js';

/** Bots and their tokens. */
@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminBotsController {
  constructor(private readonly bots: BotAdminService) {}

  @Post('bots')
  @AdminDocs.op('Create a bot', 201)
  createBot(@Body() dto: CreateBotDto) {
    return this.bots.createBot(dto.name, dto.rateLimitRps);
  }

  @Get('bots')
  @AdminDocs.op('List bots (keyset pages)', 200, { paged: true })
  async listBots(@Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.bots.listBots(decodeCursor(cursor), pageSize(limit));
    return { bots: page.items, nextCursor: page.nextCursor };
  }

  @Get('bots/:botId')
  @AdminDocs.op('Get a bot')
  getBot(@Param('botId', uuid) botId: string) {
    return this.bots.getBot(botId);
  }

  @Patch('bots/:botId')
  @AdminDocs.op("Change a bot's name or its V1 API rate limit")
  updateBot(@Param('botId', uuid) botId: string, @Body() dto: UpdateBotDto) {
    return this.bots.updateBot(botId, dto);
  }

  @Post('bots/:botId/tokens')
  @AdminDocs.op('Issue a bot token (shown once; stored hashed)', 201)
  issueToken(@Param('botId', uuid) botId: string, @Body() dto: CreateTokenDto) {
    return this.bots.issueToken(botId, dto.name ?? null);
  }

  @Get('bots/:botId/tokens')
  @AdminDocs.op("List a bot's tokens (without secrets)")
  listTokens(@Param('botId', uuid) botId: string) {
    return this.bots.listTokens(botId);
  }

  @Delete('bots/:botId/tokens/:tokenId')
  @HttpCode(204)
  @AdminDocs.op(
    'Revoke a token (at once, on every gateway instance: answered once they all know)',
    204,
  )
  revokeToken(
    @Param('botId', uuid) botId: string,
    @Param('tokenId', uuid) tokenId: string,
  ): Promise<void> {
    return this.bots.revokeToken(botId, tokenId);
  }
}
