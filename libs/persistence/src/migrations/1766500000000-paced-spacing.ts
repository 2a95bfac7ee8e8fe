import type { MigrationInterface, QueryRunner } from 'typeorm';

// The spacing each parked person's turn was given at (the account's pace then, in ms). When an
// operator raises or lowers an account's rate, the delivery service gives its parked people
// their turns again at the new spacing (PacedDeliveryRepository.respace): without this, people
// parked at 1/s would still be released at 1/s after the account was raised to 50/s. Null for
// people parked before this column: given turns again the first time their queue is seen.
export class PacedSpacing1766500000000 implements MigrationInterface {
  name = 'PacedSpacing1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE paced_deliveries ADD COLUMN IF NOT EXISTS interval_ms double precision`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE paced_deliveries DROP COLUMN IF EXISTS interval_ms`);
  }
}
