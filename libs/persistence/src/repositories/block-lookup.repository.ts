import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BlockEntity } from '../entities/block.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A block as a broadcast names it (the audience service fills a broadcast's content with it).
 * Reads only; the gateway's BlockRepository adds the writes.
 */
@Injectable()
export class BlockLookupRepository {
  constructor(@InjectDataSource() protected readonly db: DataSource) {}

  /** A block of this bot by id or by name. */
  findByIdOrName(botId: string, ref: string): Promise<BlockEntity | null> {
    const repo = this.db.getRepository(BlockEntity);
    return UUID.test(ref)
      ? repo.findOneBy({ botId, id: ref })
      : repo.findOneBy({ botId, name: ref });
  }
}
