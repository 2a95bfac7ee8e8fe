import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13, send windows: a person outside their window is held here, durably, with the event
// that will message them and the time their window opens; the contact service's releaser
// publishes it then (no consumer sleeps on a partition). Rows stay after release as the record
// of the hold; `topic_prefix` keeps deployments sharing a database apart.
export class HeldDeliveries1765500400000 implements MigrationInterface {
  name = 'HeldDeliveries1765500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE held_deliveries (
        run_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        bot_id uuid NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        topic_prefix text NOT NULL DEFAULT '',
        due_at timestamptz NOT NULL,
        zone text NOT NULL,
        reason text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        PRIMARY KEY (run_id, contact_id)
      )`);
    await q.query(
      `CREATE INDEX held_deliveries_due_idx ON held_deliveries (topic_prefix, due_at) WHERE released_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS held_deliveries`);
  }
}
