import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Audience } from '@herald/contracts';
import {
  BroadcastEntity,
  DEFAULT_BROADCAST_SETTINGS,
  type BroadcastContent,
  type BroadcastSettings,
  type CustomApiRecipients,
} from '../entities/broadcast.entity.js';

export interface NewBroadcast {
  name: string;
  content: BroadcastContent;
  audience?: Audience | null;
  recipients?: CustomApiRecipients | null;
  settings?: Partial<BroadcastSettings>;
}

/** Drops undefined entries: a validated DTO has every declared field, set or not. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function newHookKey(): string {
  return randomBytes(24).toString('base64url');
}

@Injectable()
export class BroadcastRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(botId: string, input: NewBroadcast): Promise<BroadcastEntity> {
    const entity = this.db.getRepository(BroadcastEntity).create({
      id: randomUUID(),
      botId,
      name: input.name,
      content: input.content,
      audience: input.audience ?? null,
      recipients: input.recipients ?? null,
      settings: { ...DEFAULT_BROADCAST_SETTINGS, ...definedOnly(input.settings ?? {}) },
      hookKey: newHookKey(),
    });
    return this.db.getRepository(BroadcastEntity).save(entity);
  }

  findById(broadcastId: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ id: broadcastId });
  }

  findForBot(botId: string, broadcastId: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ id: broadcastId, botId });
  }

  findByHookKey(hookKey: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ hookKey });
  }

  async save(entity: BroadcastEntity): Promise<BroadcastEntity> {
    return this.db.getRepository(BroadcastEntity).save(entity);
  }

  /** One keyset page of the bot's broadcasts after `afterId` (by id). */
  pageForBot(botId: string, afterId: string | null, limit: number): Promise<BroadcastEntity[]> {
    const query = this.db
      .getRepository(BroadcastEntity)
      .createQueryBuilder('b')
      .where('b.bot_id = :botId', { botId })
      .orderBy('b.id', 'ASC')
      .limit(limit);
    if (afterId) query.andWhere('b.id > :afterId', { afterId });
    return query.getMany();
  }
}
