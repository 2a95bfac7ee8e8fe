import type { MigrationInterface, QueryRunner } from 'typeorm';

// Bot-level delivery policies (issue 13): defaultCountry for national phone numbers, timezone,
// frequencyCap. One JSONB object, validated by the admin API that writes it.
export class BotSettings1765500000000 implements MigrationInterface {
  name = 'BotSettings1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE bots ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bots DROP COLUMN IF EXISTS settings`);
  }
}
