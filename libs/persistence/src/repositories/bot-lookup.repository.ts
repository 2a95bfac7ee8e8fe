import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { BotSettings } from '../entities/bot.entity.js';

/** What the audience and contact services read of a bot (the gateway writes bots). Reads only. */
@Injectable()
export class BotLookupRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Whether the bot exists (events from other services may name any id). */
  async exists(botId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM bots WHERE id = $1`, [botId]);
    return rows.length > 0;
  }

  /** The bot's delivery policies ({} for an unknown bot). */
  async settingsOf(botId: string): Promise<BotSettings> {
    const rows: Array<{ settings: BotSettings }> = await this.db.query(
      `SELECT settings FROM bots WHERE id = $1`,
      [botId],
    );
    return rows[0]?.settings ?? {};
  }
}
