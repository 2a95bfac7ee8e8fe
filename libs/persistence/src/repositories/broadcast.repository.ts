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
import { SecretBox, sha256Hex } from '../secret-box.js';
import { BroadcastLookupRepository } from './broadcast-lookup.repository.js';

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

/** The gateway's broadcasts (the admin API writes them; a hook key opens one). */
@Injectable()
export class BroadcastRepository extends BroadcastLookupRepository {
  constructor(
    @InjectDataSource() db: DataSource,
    private readonly box: SecretBox,
  ) {
    super(db);
  }

  async create(botId: string, input: NewBroadcast): Promise<BroadcastEntity> {
    const entity = this.db.getRepository(BroadcastEntity).create({
      id: randomUUID(),
      botId,
      name: input.name,
      content: input.content,
      audience: input.audience ?? null,
      recipients: input.recipients ?? null,
      settings: { ...DEFAULT_BROADCAST_SETTINGS, ...definedOnly(input.settings ?? {}) },
      ...this.sealedHookKey(newHookKey()),
    });
    return this.db.getRepository(BroadcastEntity).save(entity);
  }

  /** The broadcast a hook key opens: found by the key's digest, the key itself is not stored. */
  findByHookKey(hookKey: string): Promise<BroadcastEntity | null> {
    return this.db.getRepository(BroadcastEntity).findOneBy({ hookKeyDigest: sha256Hex(hookKey) });
  }

  /** The hook key of a broadcast, unsealed, for its operators. */
  hookKeyOf(entity: BroadcastEntity): string {
    return this.box.open<string>(entity.hookKeySealed);
  }

  /** Gives the broadcast a new hook key (the old URL stops working); returns the row as saved. */
  async regenerateHookKey(entity: BroadcastEntity): Promise<BroadcastEntity> {
    Object.assign(entity, this.sealedHookKey(newHookKey()));
    return this.save(entity);
  }

  private sealedHookKey(hookKey: string): Pick<BroadcastEntity, 'hookKeyDigest' | 'hookKeySealed'> {
    return { hookKeyDigest: sha256Hex(hookKey), hookKeySealed: this.box.seal(hookKey) };
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
