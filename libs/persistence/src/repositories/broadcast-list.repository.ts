// The gateway's broadcasts across bots for the console's lists (a mobile operator's view spans their bots):
// a keyset page by id with the bot's name, without contents or hook keys.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface BroadcastListRow {
  id: string;
  botId: string;
  botName: string;
  name: string;
  enabled: boolean;
  executeButton: boolean;
  visibleToMobileOperators: boolean;
}

@Injectable()
export class BroadcastListRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `botIds` null: every bot (admins). `visibleOnly`: only those marked visibleToMobileOperators. */
  async page(
    botIds: string[] | null,
    visibleOnly: boolean,
    afterId: string | null,
    limit: number,
  ): Promise<BroadcastListRow[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT b.id, b.bot_id, bot.name AS bot_name, b.name, b.settings
         FROM broadcasts b JOIN bots bot ON bot.id = b.bot_id
        WHERE ($1::uuid[] IS NULL OR b.bot_id = ANY($1::uuid[]))
          AND (NOT $2 OR coalesce((b.settings->>'visibleToMobileOperators')::boolean, false))
          AND ($3::uuid IS NULL OR b.id > $3::uuid)
        ORDER BY b.id LIMIT $4`,
      [botIds, visibleOnly, afterId, limit],
    );
    return rows.map((r) => {
      const settings = (r.settings ?? {}) as Record<string, unknown>;
      return {
        id: r.id as string,
        botId: r.bot_id as string,
        botName: r.bot_name as string,
        name: r.name as string,
        enabled: settings.enabled !== false,
        executeButton: settings.executeButton !== false,
        visibleToMobileOperators: settings.visibleToMobileOperators === true,
      };
    });
  }
}
