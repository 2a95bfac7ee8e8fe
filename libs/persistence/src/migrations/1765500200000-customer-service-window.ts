import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13: the WhatsApp/Messenger 24-hour customer-service window is an explicit account
// setting, `enforceCustomerServiceWindow`, on when an account says nothing. Existing accounts
// keep what they did: their `enforceWindow` when they had one, else what was inferred from the
// base URL until now (on for Meta's Graph API hosts, off for any other), written down once here.
export class CustomerServiceWindow1765500200000 implements MigrationInterface {
  name = 'CustomerServiceWindow1765500200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE channels SET config = config || jsonb_build_object('enforceCustomerServiceWindow',
        CASE
          WHEN config->>'enforceWindow' IN ('true', 'false') THEN (config->>'enforceWindow')::boolean
          ELSE coalesce(config->>'baseUrl', '') ~* '^https?://([^/:]+\\.)?facebook\\.com(:[0-9]+)?(/|$)'
        END)
       WHERE type IN ('whatsapp', 'messenger') AND NOT config ? 'enforceCustomerServiceWindow'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE channels SET config = config - 'enforceCustomerServiceWindow' WHERE type IN ('whatsapp', 'messenger')`,
    );
  }
}
