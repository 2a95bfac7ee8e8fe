// A bot's blocks: named content the APIs refer to by id or name.
import { Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/errors';
import { BlockRepository, type BlockEntity } from '@herald/persistence';
import { checkMessages } from '../content/content.validation.js';
import { toPage, type Page } from '../http/keyset-cursor.js';
import { BotAdminService } from './bot-admin.service.js';
import type { CreateBlockDto } from './dto/admin.dto.js';

const blockView = (b: BlockEntity) => ({
  id: b.id,
  name: b.name,
  messages: b.messages,
  createdAt: b.createdAt,
});

@Injectable()
export class BlockAdminService {
  constructor(
    private readonly bots: BotAdminService,
    private readonly blocks: BlockRepository,
  ) {}

  async createBlock(botId: string, dto: CreateBlockDto): Promise<{ id: string; name: string }> {
    await this.bots.requireBot(botId);
    const messages = checkMessages(dto.messages);
    try {
      const row = await this.blocks.create(botId, dto.name, messages);
      return { id: row.id, name: row.name };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new HeraldError(
          ErrorCode.Conflict,
          `Bot ${botId} already has a block named "${dto.name}".`,
        );
      }
      throw error;
    }
  }

  async listBlocks(
    botId: string,
    afterId: string | null,
    limit: number,
  ): Promise<Page<ReturnType<typeof blockView>>> {
    await this.bots.requireBot(botId);
    return toPage(
      await this.blocks.pageForBot(botId, afterId, limit + 1),
      limit,
      (b) => b.id,
      blockView,
    );
  }
}
