import type { MigrationInterface, QueryRunner } from 'typeorm';

// Audience resolution (issue 4): runs are claimed by one audience instance at a time under a
// lease, and each page is written ahead (pending_*) before it is published, so a resumed run can
// tell whether its last page reached Kafka and never emits a page twice. A run belongs to the
// deployment whose topics carry it (topic_prefix): instances of one deployment never claim
// another's runs in a shared database (test suites, shared clusters), and keeps the trace context
// of its request, so its pages continue that trace. Contacts get the index
// that lets a bot_channel filter walk its keyset pages in order.
export class AudienceResolution1763800000000 implements MigrationInterface {
  name = 'AudienceResolution1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE runs
        ADD COLUMN topic_prefix text NOT NULL DEFAULT '',
        ADD COLUMN traceparent text,
        ADD COLUMN started_at timestamptz,
        ADD COLUMN resolver text,
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN pending_page integer CHECK (pending_page >= 0),
        ADD COLUMN pending_cursor text,
        ADD COLUMN pending_targeted integer CHECK (pending_targeted >= 0),
        ADD COLUMN pending_since timestamptz`);
    // Runs waiting for an instance (new, or whose resolver stopped renewing its lease).
    await q.query(
      `CREATE INDEX runs_claimable_idx ON runs (topic_prefix, lease_until NULLS FIRST) WHERE status = 'resolving' AND NOT resolution_done`,
    );
    await q.query(
      `CREATE INDEX runs_prefix_due_idx ON runs (topic_prefix, scheduled_for) WHERE status = 'scheduled'`,
    );
    // `bot_channel Equals x` compiles to channel = $x: this index serves it in keyset (id) order.
    await q.query(`CREATE INDEX contacts_bot_channel_id_idx ON contacts (bot_id, channel, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS contacts_bot_channel_id_idx`);
    await q.query(`DROP INDEX IF EXISTS runs_prefix_due_idx`);
    await q.query(`DROP INDEX IF EXISTS runs_claimable_idx`);
    await q.query(`
      ALTER TABLE runs
        DROP COLUMN IF EXISTS pending_since,
        DROP COLUMN IF EXISTS pending_targeted,
        DROP COLUMN IF EXISTS pending_cursor,
        DROP COLUMN IF EXISTS pending_page,
        DROP COLUMN IF EXISTS lease_until,
        DROP COLUMN IF EXISTS resolver,
        DROP COLUMN IF EXISTS started_at,
        DROP COLUMN IF EXISTS traceparent,
        DROP COLUMN IF EXISTS topic_prefix`);
  }
}
