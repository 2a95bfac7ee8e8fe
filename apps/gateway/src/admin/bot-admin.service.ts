// Bots and their API tokens.
import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BotRepository, type BotEntity } from '@herald/persistence';
import { toPage, type Page } from '../http/keyset-cursor.js';
import type { UpdateBotDto } from './dto/admin.dto.js';

export const botView = (bot: BotEntity) => ({
  id: bot.id,
  name: bot.name,
  rateLimitRps: bot.rateLimitRps,
  createdAt: bot.createdAt,
});

@Injectable()
export class BotAdminService {
  constructor(private readonly bots: BotRepository) {}

  async createBot(
    name: string,
    rateLimitRps: number | undefined,
  ): Promise<{ id: string; name: string; rateLimitRps: number }> {
    const bot = await this.bots.create(name, rateLimitRps);
    return { id: bot.id, name: bot.name, rateLimitRps: bot.rateLimitRps };
  }

  async requireBot(botId: string): Promise<BotEntity> {
    const bot = await this.bots.findById(botId);
    if (!bot) throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
    return bot;
  }

  async getBot(botId: string): Promise<ReturnType<typeof botView>> {
    return botView(await this.requireBot(botId));
  }

  async listBots(afterId: string | null, limit: number): Promise<Page<ReturnType<typeof botView>>> {
    return toPage(await this.bots.list(afterId, limit + 1), limit, (b) => b.id, botView);
  }

  async updateBot(botId: string, dto: UpdateBotDto): Promise<ReturnType<typeof botView>> {
    const bot = await this.bots.update(botId, { name: dto.name, rateLimitRps: dto.rateLimitRps });
    if (!bot) throw new HeraldError(ErrorCode.NotFound, `Bot ${botId} does not exist.`);
    return botView(bot);
  }

  /** A new token, its secret shown once (stored hashed). */
  async issueToken(botId: string, name: string | null) {
    await this.requireBot(botId);
    return this.bots.issueToken(botId, name);
  }

  async listTokens(botId: string) {
    await this.requireBot(botId);
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

  async revokeToken(botId: string, tokenId: string): Promise<void> {
    if (!(await this.bots.revokeToken(botId, tokenId))) {
      throw new HeraldError(
        ErrorCode.NotFound,
        `Token ${tokenId} does not exist for bot ${botId}.`,
      );
    }
  }
}
