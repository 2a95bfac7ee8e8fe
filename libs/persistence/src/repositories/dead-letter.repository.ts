import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

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

/**
 * The audience service's dead-letter ledger: each record parked in a `.dlq` topic, stored once.
 * The gateway reads it and notes replays (DeadLetterAdminRepository).
 */
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
}
