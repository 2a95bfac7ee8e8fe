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
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotRepository } from '@herald/persistence';
import { decodeCursor, pageSize } from '../http/keyset-cursor.js';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { AdminService, botView } from './admin.service.js';
import {
  CreateBlockDto,
  CreateBotDto,
  CreateChannelDto,
  CreateTokenDto,
  UpdateBotDto,
} from './dto/admin.dto.js';
import { UpdateChannelDto } from './dto/update-channel.dto.js';

/** Bots, their tokens, channels and blocks. */
@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly bots: BotRepository,
  ) {}

  @Post('bots')
  @AdminDocs.op('Create a bot', 201)
  async createBot(@Body() dto: CreateBotDto) {
    const bot = await this.bots.create(dto.name, dto.rateLimitRps);
    return { id: bot.id, name: bot.name, rateLimitRps: bot.rateLimitRps };
  }

  @Get('bots')
  @AdminDocs.op('List bots (keyset pages)', 200, { paged: true })
  async listBots(@Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.admin.listBots(decodeCursor(cursor), pageSize(limit));
    return { bots: page.items, nextCursor: page.nextCursor };
  }

  @Get('bots/:botId')
  @AdminDocs.op('Get a bot')
  async getBot(@Param('botId', uuid) botId: string) {
    return botView(await this.admin.requireBot(botId));
  }

  @Patch('bots/:botId')
  @AdminDocs.op("Change a bot's name or its V1 API rate limit")
  updateBot(@Param('botId', uuid) botId: string, @Body() dto: UpdateBotDto) {
    return this.admin.updateBot(botId, dto);
  }

  @Post('bots/:botId/tokens')
  @AdminDocs.op('Issue a bot token (shown once; stored hashed)', 201)
  async issueToken(@Param('botId', uuid) botId: string, @Body() dto: CreateTokenDto) {
    await this.admin.requireBot(botId);
    return this.bots.issueToken(botId, dto.name ?? null);
  }

  @Get('bots/:botId/tokens')
  @AdminDocs.op("List a bot's tokens (without secrets)")
  async listTokens(@Param('botId', uuid) botId: string) {
    await this.admin.requireBot(botId);
    const tokens = await this.bots.listTokens(botId);
    return {
      tokens: tokens.map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: t.createdAt,
        revokedAt: t.revokedAt,
      })),
    };
  }

  @Delete('bots/:botId/tokens/:tokenId')
  @HttpCode(204)
  @AdminDocs.op(
    'Revoke a token (at once, on every gateway instance: answered once they all know)',
    204,
  )
  async revokeToken(
    @Param('botId', uuid) botId: string,
    @Param('tokenId', uuid) tokenId: string,
  ): Promise<void> {
    if (!(await this.bots.revokeToken(botId, tokenId))) {
      throw new HeraldError(
        ErrorCode.NotFound,
        `Token ${tokenId} does not exist for bot ${botId}.`,
      );
    }
  }

  @Post('bots/:botId/channels')
  @AdminDocs.op(
    'Add a provider account on a channel (another account of a type is a failover account, in priority order)',
    201,
  )
  createChannel(@Param('botId', uuid) botId: string, @Body() dto: CreateChannelDto) {
    return this.admin.createChannel(botId, dto);
  }

  @Patch('bots/:botId/channels/:channelId')
  @AdminDocs.op(
    "Change a channel's settings or credentials (rotate a token, set Meta's appSecret); not its account",
  )
  updateChannel(
    @Param('botId', uuid) botId: string,
    @Param('channelId', uuid) channelId: string,
    @Body() dto: UpdateChannelDto,
  ) {
    return this.admin.updateChannel(botId, channelId, dto.config);
  }

  @Get('bots/:botId/channels')
  @AdminDocs.op("List a bot's channels (credentials left out)")
  listChannels(@Param('botId', uuid) botId: string) {
    return this.admin.listChannels(botId);
  }

  @Post('bots/:botId/blocks')
  @AdminDocs.op('Create a block (named content the APIs refer to by id or name)', 201)
  createBlock(@Param('botId', uuid) botId: string, @Body() dto: CreateBlockDto) {
    return this.admin.createBlock(botId, dto);
  }

  @Get('bots/:botId/blocks')
  @AdminDocs.op("List a bot's blocks (keyset pages)", 200, { paged: true })
  async listBlocks(
    @Param('botId', uuid) botId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.admin.listBlocks(botId, decodeCursor(cursor), pageSize(limit));
    return { blocks: page.items, nextCursor: page.nextCursor };
  }
}
