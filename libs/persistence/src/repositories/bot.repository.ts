import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { BotTokenEntity } from '../entities/bot-token.entity.js';
import { BotEntity, type BotSettings } from '../entities/bot.entity.js';
import { sha256Hex } from '../secret-box.js';

export interface IssuedToken {
  id: string;
  token: string;
}

/** The gateway's bots and bot tokens (the admin API writes them; the public APIs look tokens up). */
@Injectable()
export class BotRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(name: string, rateLimitRps?: number, settings?: BotSettings): Promise<BotEntity> {
    const bot = this.db.getRepository(BotEntity).create({
      id: randomUUID(),
      name,
      rateLimitRps: rateLimitRps ?? 25,
      settings: settings ?? {},
    });
    return this.db.getRepository(BotEntity).save(bot);
  }

  findById(botId: string): Promise<BotEntity | null> {
    return this.db.getRepository(BotEntity).findOneBy({ id: botId });
  }

  async issueToken(botId: string, name: string | null): Promise<IssuedToken> {
    const token = `hrt_${randomBytes(24).toString('base64url')}`;
    const id = randomUUID();
    await this.db
      .getRepository(BotTokenEntity)
      .insert({ id, botId, name, tokenHash: sha256Hex(token), revokedAt: null });
    return { id, token };
  }

  listTokens(botId: string): Promise<BotTokenEntity[]> {
    return this.db
      .getRepository(BotTokenEntity)
      .find({ where: { botId }, order: { createdAt: 'ASC' } });
  }

  /** Returns false when the token does not exist for this bot. */
  async revokeToken(botId: string, tokenId: string): Promise<boolean> {
    const result = await this.db
      .getRepository(BotTokenEntity)
      .update({ id: tokenId, botId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if ((result.affected ?? 0) > 0) return true;
    return (await this.db.getRepository(BotTokenEntity).countBy({ id: tokenId, botId })) > 0;
  }

  /** The bot a live token belongs to, or null. */
  async botIdForToken(token: string): Promise<string | null> {
    const row = await this.db.getRepository(BotTokenEntity).findOne({
      select: { botId: true },
      where: { tokenHash: sha256Hex(token), revokedAt: IsNull() },
    });
    return row?.botId ?? null;
  }

  /** One keyset page of bots after `afterId` (by id). */
  list(afterId: string | null, limit: number): Promise<BotEntity[]> {
    const query = this.db
      .getRepository(BotEntity)
      .createQueryBuilder('b')
      .orderBy('b.id', 'ASC')
      .limit(limit);
    if (afterId) query.where('b.id > :afterId', { afterId });
    return query.getMany();
  }

  /** Changes the given fields; returns the bot as stored, or null when it does not exist. */
  async update(
    botId: string,
    patch: { name?: string; rateLimitRps?: number; settings?: BotSettings },
  ): Promise<BotEntity | null> {
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length > 0)
      await this.db.getRepository(BotEntity).update({ id: botId }, changes);
    return this.findById(botId);
  }
}
