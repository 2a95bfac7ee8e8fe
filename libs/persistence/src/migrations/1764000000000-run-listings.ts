import type { MigrationInterface, QueryRunner } from 'typeorm';

// Which page of a run first listed each person found by identity (targets mode, From-API):
// one person named twice, in two pages, is messaged once and the second listing is skipped
// with a reason, so the run's settled count reaches its targeted count (issue 4). Audience
// pages need no entry: a keyset scan lists each contact once.
export class RunListings1764000000000 implements MigrationInterface {
  name = 'RunListings1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE run_listings (
        run_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        page integer NOT NULL CHECK (page >= 0),
        PRIMARY KEY (run_id, contact_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS run_listings`);
  }
}
