import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BroadcastEntity } from '../entities/broadcast.entity.js';

/**
 * A broadcast by id (the audience service reads its content and audience, the contact service
 * its settings). Reads only; the gateway's BroadcastRepository adds the writes.
 */
@Injectable()
export class BroadcastLookupRepository {
  constructor(@InjectDataSource() protected readonly db: DataSource) {}

  findById(broadcastId: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ id: broadcastId });
  }

  findForBot(botId: string, broadcastId: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ id: broadcastId, botId });
  }
}
