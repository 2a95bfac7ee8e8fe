// The gateway's admin API (console): runs of a bot or of a broadcast, newest first, in keyset pages: the cursor is the last run's
// id and the next page starts below its (created_at, id), on an index, never with OFFSET.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RunEntity } from '../entities/run.entity.js';

const COLUMNS = `id, bot_id AS "botId", broadcast_id AS "broadcastId", source, status, reason, created_at AS "createdAt",
  scheduled_for AS "scheduledFor", finished_at AS "finishedAt", targeted, sent, delivered, read, failed, skipped`;

export type RunListRow = Pick<
  RunEntity,
  | 'id'
  | 'botId'
  | 'broadcastId'
  | 'source'
  | 'status'
  | 'reason'
  | 'createdAt'
  | 'scheduledFor'
  | 'finishedAt'
  | 'targeted'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'skipped'
>;

@Injectable()
export class RunListRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  forBot(botId: string, afterRunId: string | null, limit: number): Promise<RunListRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM runs
        WHERE bot_id = $1 AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM runs WHERE id = $2::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [botId, afterRunId, limit],
    );
  }

  forBroadcast(
    broadcastId: string,
    afterRunId: string | null,
    limit: number,
  ): Promise<RunListRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM runs
        WHERE broadcast_id = $1 AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM runs WHERE id = $2::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [broadcastId, afterRunId, limit],
    );
  }

  /** Bot and broadcast of a run (for access checks); null when unknown. */
  async scopeOf(runId: string): Promise<{ botId: string; broadcastId: string | null } | null> {
    const rows: Array<{ bot_id: string; broadcast_id: string | null }> = await this.db.query(
      `SELECT bot_id, broadcast_id FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0] ? { botId: rows[0].bot_id, broadcastId: rows[0].broadcast_id } : null;
  }
}
