import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Channel } from '@herald/contracts';
import { ChannelEntity } from '../entities/channel.entity.js';
import { SecretBox } from '../secret-box.js';

export interface ChannelAccount {
  id: string;
  /** Failover order among the bot's accounts of this type (lowest first). */
  priority?: number;
  botId: string;
  type: Channel;
  config: Record<string, unknown>;
  credentials: Record<string, string>;
}

/**
 * The provider accounts a bot may be reached on: the contact service asks which channels are
 * enabled, the delivery services take the accounts to send with. Reads only (the gateway writes
 * channels).
 */
@Injectable()
export class ChannelAccountRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
  ) {}

  /** The channel types on which the bot has an enabled account. */
  async enabledTypes(botId: string): Promise<Channel[]> {
    const rows: Array<{ type: Channel }> = await this.db.query(
      `SELECT DISTINCT type FROM channels WHERE bot_id = $1 AND enabled ORDER BY type`,
      [botId],
    );
    return rows.map((r) => r.type);
  }

  /** The bot's enabled accounts on a channel in failover order, credentials unsealed. */
  async accountsFor(botId: string, type: Channel): Promise<ChannelAccount[]> {
    const rows = await this.db.getRepository(ChannelEntity).find({
      where: { botId, type, enabled: true },
      order: { priority: 'ASC', createdAt: 'ASC' },
    });
    return rows.map((row) => ({
      id: row.id,
      priority: row.priority,
      botId: row.botId,
      type: row.type,
      config: row.config,
      credentials: this.box.open<Record<string, string>>(row.credentialsSealed),
    }));
  }
}
