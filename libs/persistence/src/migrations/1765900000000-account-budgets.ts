import type { MigrationInterface, QueryRunner } from 'typeorm';

// One row per provider account (a pacing scope): the account's send schedule shared by every
// replica of its delivery service (a GCRA "theoretical arrival time" in milliseconds of the
// database's clock), and until when a replica's breaker reported the account open. UNLOGGED:
// it is pacing state, rewritten many times a second; after a crash it starts empty, which only
// lets the first tenth of a second of each account through at once.
export class AccountBudgets1765900000000 implements MigrationInterface {
  name = 'AccountBudgets1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE account_budgets (
        key text PRIMARY KEY,
        tat_ms double precision NOT NULL DEFAULT 0,
        open_until_ms double precision NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS account_budgets`);
  }
}
