import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { updateReturning } from './returning.js';

/** What a listing shows of a dead letter: no value, no headers (GET one for those). */
export interface DeadLetterSummary {
  id: string;
  topic: string;
  sourceTopic: string | null;
  reason: string | null;
  class: string | null;
  code: string | null;
  attempts: number | null;
  runId: string | null;
  botId: string | null;
  key: string | null;
  deadAt: Date | null;
  createdAt: Date;
  replayedAt: Date | null;
  replays: number;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  dlqPartition: number;
  dlqOffset: string;
  sourcePartition: number | null;
  sourceOffset: string | null;
  headers: Record<string, string>;
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  valueBytes: number;
  valueTruncated: boolean;
}

export interface DeadLetterFilter {
  topic?: string;
  botId?: string;
  runId?: string;
}

const SUMMARY = `id, topic, source_topic AS "sourceTopic", reason, class, code, attempts, run_id AS "runId",
  bot_id AS "botId", key, dead_at AS "deadAt", created_at AS "createdAt", replayed_at AS "replayedAt", replays`;
const DETAIL = `${SUMMARY}, dlq_partition AS "dlqPartition", dlq_offset::text AS "dlqOffset",
  source_partition AS "sourcePartition", source_offset::text AS "sourceOffset", headers, value,
  value_encoding AS "valueEncoding", value_bytes AS "valueBytes", value_truncated AS "valueTruncated"`;

/**
 * The gateway's admin API on the dead-letter ledger: it lists and reads dead letters, and notes
 * a replay (`replayed_at`, `replays`: its one write to a table the audience service fills).
 */
@Injectable()
export class DeadLetterAdminRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A page of the deployment's dead letters, newest first, after the one with id `afterId`. */
  async page(
    topicPrefix: string,
    filter: DeadLetterFilter,
    afterId: string | null,
    limit: number,
  ): Promise<DeadLetterSummary[]> {
    const params: unknown[] = [topicPrefix];
    const where = ['topic_prefix = $1'];
    const add = (column: string, value: unknown) => {
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    if (filter.topic) add('topic', filter.topic);
    if (filter.botId) add('bot_id', filter.botId);
    if (filter.runId) add('run_id', filter.runId);
    if (afterId) {
      params.push(afterId);
      where.push(
        `(created_at, id) < (SELECT created_at, id FROM dead_letters WHERE id = $${params.length})`,
      );
    }
    params.push(limit);
    return this.db.query(
      `SELECT ${SUMMARY} FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async findById(topicPrefix: string, id: string): Promise<DeadLetterDetail | null> {
    const rows: DeadLetterDetail[] = await this.db.query(
      `SELECT ${DETAIL} FROM dead_letters WHERE topic_prefix = $1 AND id = $2`,
      [topicPrefix, id],
    );
    return rows[0] ?? null;
  }

  /** Notes a replay (the gateway's one write to this table); null for an unknown id. */
  async markReplayed(topicPrefix: string, id: string): Promise<DeadLetterDetail | null> {
    const rows = await updateReturning<{ id: string }>(
      this.db,
      `UPDATE dead_letters SET replayed_at = now(), replays = replays + 1 WHERE topic_prefix = $1 AND id = $2 RETURNING id`,
      [topicPrefix, id],
    );
    return rows[0] ? this.findById(topicPrefix, id) : null;
  }
}
