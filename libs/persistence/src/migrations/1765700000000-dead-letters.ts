import type { MigrationInterface, QueryRunner } from 'typeorm';

// The dead-letter ledger (issue 10): one row per record a consumer parked in a `.dlq` topic,
// written by the audience service as it reads the DLQs, and marked replayed by the gateway's
// admin API. A record is stored once per DLQ position, whatever how often it is read; rows list
// newest first in keyset pages, for a deployment and by bot, run or topic.
export class DeadLetters1765700000000 implements MigrationInterface {
  name = 'DeadLetters1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        topic_prefix text NOT NULL DEFAULT '',
        topic text NOT NULL,
        dlq_partition integer NOT NULL CHECK (dlq_partition >= 0),
        dlq_offset bigint NOT NULL CHECK (dlq_offset >= 0),
        source_topic text,
        source_partition integer,
        source_offset bigint,
        key text,
        headers jsonb NOT NULL DEFAULT '{}',
        value text,
        value_encoding text NOT NULL DEFAULT 'utf8' CHECK (value_encoding IN ('utf8', 'base64')),
        value_bytes integer NOT NULL DEFAULT 0,
        value_truncated boolean NOT NULL DEFAULT false,
        reason text,
        class text,
        code text,
        attempts integer,
        run_id uuid,
        bot_id uuid,
        dead_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz,
        replays integer NOT NULL DEFAULT 0,
        CONSTRAINT dead_letters_position_key UNIQUE (topic_prefix, topic, dlq_partition, dlq_offset)
      )`);
    await q.query(
      `CREATE INDEX dead_letters_created_idx ON dead_letters (topic_prefix, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX dead_letters_topic_idx ON dead_letters (topic_prefix, topic, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX dead_letters_bot_idx ON dead_letters (bot_id, created_at DESC, id DESC) WHERE bot_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX dead_letters_run_idx ON dead_letters (run_id, created_at DESC, id DESC) WHERE run_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS dead_letters`);
  }
}
