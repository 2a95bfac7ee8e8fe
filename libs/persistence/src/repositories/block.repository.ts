import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Message } from '@herald/contracts';
import { BlockEntity } from '../entities/block.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class BlockRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(botId: string, name: string, messages: Message[]): Promise<BlockEntity> {
    const entity = this.db
      .getRepository(BlockEntity)
      .create({ id: randomUUID(), botId, name, messages });
    return this.db.getRepository(BlockEntity).save(entity);
  }

  /** A block of this bot by id or by name. */
  findByIdOrName(botId: string, ref: string): Promise<BlockEntity | null> {
    const repo = this.db.getRepository(BlockEntity);
    return UUID.test(ref)
      ? repo.findOneBy({ botId, id: ref })
      : repo.findOneBy({ botId, name: ref });
  }

  /** One keyset page of the bot's blocks after `afterId` (by id). */
  pageForBot(botId: string, afterId: string | null, limit: number): Promise<BlockEntity[]> {
    const query = this.db
      .getRepository(BlockEntity)
      .createQueryBuilder('b')
      .where('b.bot_id = :botId', { botId })
      .orderBy('b.id', 'ASC')
      .limit(limit);
    if (afterId) query.andWhere('b.id > :afterId', { afterId });
    return query.getMany();
  }
}
