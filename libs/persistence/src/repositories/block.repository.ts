import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Message } from '@herald/contracts';
import { BlockEntity } from '../entities/block.entity.js';
import { BlockLookupRepository } from './block-lookup.repository.js';

/** The gateway's blocks (the admin API writes them). */
@Injectable()
export class BlockRepository extends BlockLookupRepository {
  async create(botId: string, name: string, messages: Message[]): Promise<BlockEntity> {
    const entity = this.db
      .getRepository(BlockEntity)
      .create({ id: randomUUID(), botId, name, messages });
    return this.db.getRepository(BlockEntity).save(entity);
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
