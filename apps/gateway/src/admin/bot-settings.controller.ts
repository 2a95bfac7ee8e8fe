import { Body, Controller, Get, Param, Patch, UseGuards } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotRepository, type BotSettings } from '@herald/persistence';
import { AdminDocs } from '../openapi/admin.docs.js';
import { PolicyDocs } from '../openapi/policies.docs.js';
import { AdminGuard } from './admin.guard.js';
import { uuid } from './admin-params.js';
import { applyBotSettingsPatch } from './bot-settings.parser.js';

/** A bot's delivery policies: default country, time zone, frequency cap (issue 13). */
@AdminDocs.controller()
@Controller('admin/bots/:botId/settings')
@UseGuards(AdminGuard)
export class BotSettingsController {
  constructor(private readonly bots: BotRepository) {}

  @Get()
  @PolicyDocs.getBotSettings()
  async get(@Param('botId', uuid) botId: string): Promise<BotSettings> {
    return (await this.requireBot(botId)).settings;
  }

  @Patch()
  @PolicyDocs.patchBotSettings()
  async patch(@Param('botId', uuid) botId: string, @Body() body: unknown): Promise<BotSettings> {
    const bot = await this.requireBot(botId);
    const updated = await this.bots.update(botId, {
      settings: applyBotSettingsPatch(bot.settings, body),
    });
    return updated?.settings ?? {};
  }

  private async requireBot(botId: string) {
    const bot = await this.bots.findById(botId);
    if (!bot)
      throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`, {
        fix: 'Check the id; GET /admin/bots lists them.',
      });
    return bot;
  }
}
