import type { MigrationInterface, QueryRunner } from 'typeorm';

// A run's status (GET /admin/runs/:id, the console's run page) counts its people reached by
// provider failover and by channel fallback. Counted over the run's deliveries that took 66 ms
// of PostgreSQL per read at 200,000 people, growing with the run, on every poll. These partial
// indexes hold only the rows that failed over or fell back (few, and written anyway), so the
// count reads those rows alone.
export class RunPolicyCounts1766200000000 implements MigrationInterface {
  name = 'RunPolicyCounts1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS deliveries_failover_run_idx ON deliveries (run_id) WHERE failover IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS deliveries_fallback_to_run_idx ON deliveries (run_id) WHERE fallback_to IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS deliveries_fallback_to_run_idx`);
    await q.query(`DROP INDEX IF EXISTS deliveries_failover_run_idx`);
  }
}
