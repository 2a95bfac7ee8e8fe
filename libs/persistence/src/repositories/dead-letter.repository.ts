import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { updateReturning } from './returning.js';

/** A dead letter as the ledger stores it; `topicPrefix` is the deployment it belongs to. */
export interface NewDeadLetter {
  topicPrefix: string;
  topic: string;
  dlqPartition: number;
  dlqOffset: string;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  valueBytes: number;
  valueTruncated: boolean;
  reason: string | null;
  class: string | null;
  code: string | null;
  attempts: number | null;
  runId: string | null;
  botId: string | null;
  deadAt: Date | null;
}

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

/** The dead-letter ledger: the audience service stores, the gateway lists and marks replays. */
@Injectable()
export class DeadLetterRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores a dead letter once per DLQ position (a record read again finds its row) and returns
   * its id either way, so what is derived from the id (run outcomes) stays the same on redelivery.
   */
  async store(letter: NewDeadLetter): Promise<{ id: string; created: boolean }> {
    const rows: Array<{ id: string; created: boolean }> = await this.db.query(
      `WITH inserted AS (
         INSERT INTO dead_letters (topic_prefix, topic, dlq_partition, dlq_offset, source_topic, source_partition, source_offset,
                                   key, headers, value, value_encoding, value_bytes, value_truncated, reason, class, code,
                                   attempts, run_id, bot_id, dead_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT ON CONSTRAINT dead_letters_position_key DO NOTHING
         RETURNING id
       )
       SELECT id, true AS created FROM inserted
       UNION ALL
       SELECT id, false AS created FROM dead_letters
        WHERE topic_prefix = $1 AND topic = $2 AND dlq_partition = $3 AND dlq_offset = $4 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [
        letter.topicPrefix,
        letter.topic,
        letter.dlqPartition,
        letter.dlqOffset,
        letter.sourceTopic,
        letter.sourcePartition,
        letter.sourceOffset,
        letter.key,
        JSON.stringify(letter.headers),
        letter.value,
        letter.valueEncoding,
        letter.valueBytes,
        letter.valueTruncated,
        letter.reason,
        letter.class,
        letter.code,
        letter.attempts,
        letter.runId,
        letter.botId,
        letter.deadAt,
      ],
    );
    const row = rows[0];
    if (!row)
      throw new Error(
        `dead letter ${letter.topic}.dlq/${letter.dlqPartition}/${letter.dlqOffset} vanished after insert`,
      );
    return row;
  }

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
