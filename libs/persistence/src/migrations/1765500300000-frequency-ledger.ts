import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13, frequency caps: which capped bot's runs asked to message whom, and when. Written by
// the contact service only for bots with a `frequencyCap`, one row per (contact, run), so
// counting a person's recent broadcast messages is an index range, not a scan of deliveries.
export class FrequencyLedger1765500300000 implements MigrationInterface {
  name = 'FrequencyLedger1765500300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE frequency_ledger (
        contact_id uuid NOT NULL,
        run_id uuid NOT NULL,
        bot_id uuid NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (contact_id, run_id)
      )`);
    await q.query(
      `CREATE INDEX frequency_ledger_contact_at_idx ON frequency_ledger (contact_id, at)`,
    );
    // Old rows are never needed beyond the longest cap (31 days); the contact service prunes them.
    await q.query(`CREATE INDEX frequency_ledger_at_idx ON frequency_ledger (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS frequency_ledger`);
  }
}
