import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A boolean SQL condition on the contacts row `alias`, placeholders numbered from `firstParam` (an audience filter). */
export interface ContactCondition {
  toSql(alias: string, firstParam: number): { sql: string; params: unknown[] };
}

export interface ContactScan {
  where: ContactCondition;
  /** A channel every match is on (the audience requires it): the (bot_id, channel, id) index then bounds the walk. */
  channel?: string;
}

/** The audience service's walk over a bot's contacts: keyset pages of ids, filtered or not. Reads only. */
@Injectable()
export class ContactScanRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The ids of one keyset page of the bot's contacts after `afterId`, in id order (no OFFSET, no sort). */
  async pageIds(botId: string, afterId: string | null, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT c.id FROM contacts c WHERE c.bot_id = $1 AND ($2::uuid IS NULL OR c.id > $2::uuid) ORDER BY c.id LIMIT $3`,
      [botId, afterId, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Scans the next `window` contacts of the bot after `afterId` in id order and returns the
   * first `want` of them that meet `scan.where`, the last id scanned, and how many contacts it
   * took to find the matches (`used`: all scanned, or up to the last match when `want` was reached). The condition is
   * evaluated on the window, never planned as the search itself: however the planner misjudges
   * a JSONB condition, each call walks the (bot_id, id) or (bot_id, channel, id) index over at
   * most `window` rows, so a whole audience costs one pass and constant memory.
   */
  async scanIds(
    botId: string,
    afterId: string | null,
    window: number,
    want: number,
    scan: ContactScan,
  ): Promise<{ matched: string[]; lastScanned: string | null; scanned: number; used: number }> {
    const condition = scan.where.toSql('c', 6);
    const rows: Array<{
      matched: string[] | null;
      last_scanned: string | null;
      scanned: number;
      used: number;
    }> = await this.db.query(
      `WITH w AS MATERIALIZED (
         SELECT c.id, (${condition.sql}) AS m FROM contacts c
          WHERE c.bot_id = $1 AND ($2::uuid IS NULL OR c.id > $2::uuid) AND ($5::text IS NULL OR c.channel = $5::text)
          ORDER BY c.id LIMIT $3),
       s AS MATERIALIZED (SELECT id FROM w WHERE m ORDER BY id LIMIT $4)
       SELECT (SELECT array_agg(id::text ORDER BY id) FROM s) AS matched,
              (SELECT id::text FROM w ORDER BY id DESC LIMIT 1) AS last_scanned,
              (SELECT count(*) FROM w)::int AS scanned,
              (SELECT count(*) FROM w WHERE (SELECT count(*) FROM s) < $4 OR id <= (SELECT id FROM s ORDER BY id DESC LIMIT 1))::int AS used`,
      [botId, afterId, window, want, scan.channel ?? null, ...condition.params],
    );
    const row = rows[0];
    return {
      matched: row.matched ?? [],
      lastScanned: row.last_scanned,
      scanned: row.scanned,
      used: row.used,
    };
  }
}
