import type { MigrationInterface, QueryRunner } from 'typeorm';

// Delivery tracking (issue 5): when each message was handed over and how many SMS segments it
// took, the index provider status webhooks need to find a person's deliveries, a cross-channel
// user id lookup for contacts, and the outcome ledger that keeps run counts exact when a
// delivery result is delivered twice (audience writes it while folding results).
export class DeliveryTracking1763900000000 implements MigrationInterface {
  name = 'DeliveryTracking1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE deliveries ADD COLUMN sent_at timestamptz, ADD COLUMN segments integer CHECK (segments >= 0)`,
    );
    // Messenger read/delivery watermarks name a person, not a message.
    await q.query(`CREATE INDEX deliveries_contact_id_idx ON deliveries (contact_id)`);
    // Targets that name a user id without its channel (V1, V2 customer_id).
    await q.query(`CREATE INDEX contacts_bot_user_id_idx ON contacts (bot_id, user_id)`);
    await q.query(`
      CREATE TABLE run_outcomes (
        run_id uuid NOT NULL,
        subject text NOT NULL,
        status text NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed', 'skipped')),
        PRIMARY KEY (run_id, subject, status)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS run_outcomes`);
    await q.query(`DROP INDEX IF EXISTS contacts_bot_user_id_idx`);
    await q.query(`DROP INDEX IF EXISTS deliveries_contact_id_idx`);
    await q.query(
      `ALTER TABLE deliveries DROP COLUMN IF EXISTS segments, DROP COLUMN IF EXISTS sent_at`,
    );
  }
}
