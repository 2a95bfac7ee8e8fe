import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdminDocs } from '../openapi/admin.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { ChannelAdminService } from './channel-admin.service.js';
import { CreateChannelDto } from './dto/admin.dto.js';
import { UpdateChannelDto } from './dto/update-channel.dto.js';

/** A bot's provider accounts, one or more per channel. */
@AdminDocs.controller()
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminChannelsController {
  constructor(private readonly channels: ChannelAdminService) {}

  @Post('bots/:botId/channels')
  @AdminDocs.op(
    'Add a provider account on a channel (another account of a type is a failover account, in priority order)',
    201,
  )
  createChannel(@Param('botId', uuid) botId: string, @Body() dto: CreateChannelDto) {
    return this.channels.createChannel(botId, dto);
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
    return this.channels.updateChannel(botId, channelId, dto.config);
  }

  @Get('bots/:botId/channels')
  @AdminDocs.op("List a bot's channels (credentials left out)")
  listChannels(@Param('botId', uuid) botId: string) {
    return this.channels.listChannels(botId);
  }
}
