import type { MigrationInterface, QueryRunner } from 'typeorm';

// The provider message ids of people's inbound messages the contact service has applied (issue
// 11): a webhook delivered again, or replayed, repeats its id and changes nothing; and the time
// of each opt-out/opt-in keyword, so an older keyword arriving late never overrides a newer one.
// Keyed by the provider account, as the webhooks are. Written by the contact service only.
export class InboundReceipts1765100100000 implements MigrationInterface {
  name = 'InboundReceipts1765100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbound_receipts (
        channel text NOT NULL,
        account text NOT NULL,
        message_id text NOT NULL,
        sender text NOT NULL,
        keyword text CHECK (keyword IN ('opt_out', 'opt_in')),
        at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, account, message_id)
      )`);
    await q.query(`
      CREATE INDEX inbound_receipts_keywords ON inbound_receipts (channel, account, sender, at DESC)
       WHERE keyword IS NOT NULL`);
    await q.query(
      `CREATE INDEX inbound_receipts_received_at ON inbound_receipts (received_at) WHERE keyword IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS inbound_receipts`);
  }
}
