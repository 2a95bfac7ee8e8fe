import type { MigrationInterface, QueryRunner } from 'typeorm';

// The delivery services' lease clock: one row every delivery process ticks every few seconds.
// A `sending` row's lease (60 s) is taken over only while the clock has been ticking for a whole
// lease: after a database outage (no process could tick), a sender that is alive gets a whole
// lease of reachable database to record what the provider accepted before anyone sends it again.
// UNLOGGED like account_budgets: after a crash the table is empty, which counts as an outage.
export class DeliveryLeaseClock1766300000000 implements MigrationInterface {
  name = 'DeliveryLeaseClock1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE IF NOT EXISTS delivery_lease_clock (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        ticked_at timestamptz NOT NULL,
        live_since timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS delivery_lease_clock`);
  }
}
