import type { MigrationInterface, QueryRunner } from 'typeorm';

// People parked by their account's pacing: a provider account paced far below the traffic it
// gets would otherwise hold its batches, and with them its channel's partitions, for as long as
// its queue lasts, and every other bot on those partitions would wait behind it. The delivery
// service parks them here instead, with the event that will message them and a due time in the
// account's queue (`pace_key`), and its releaser publishes them when due. A row is deleted once
// released (the person's `deliveries` row keeps the record); `topic_prefix` keeps deployments
// sharing a database apart.
export class PacedDeliveries1766400000000 implements MigrationInterface {
  name = 'PacedDeliveries1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS paced_deliveries (
        run_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        channel text NOT NULL,
        topic_prefix text NOT NULL DEFAULT '',
        pace_key text NOT NULL,
        due_at timestamptz NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, contact_id)
      )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS paced_deliveries_due_idx ON paced_deliveries (topic_prefix, channel, due_at)`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS paced_deliveries_queue_idx ON paced_deliveries (topic_prefix, pace_key, due_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS paced_deliveries`);
  }
}
