import type { MigrationInterface, QueryRunner } from 'typeorm';

// Channel fallback (issue 13): a person the first channel of a broadcast cannot reach is sent on
// the next. The first channel's row keeps its failure (code, reason) and says where the person
// went (`fallback_to`); the next channel's row says where they came from and why
// (`fallback_from`). The run counts the person once, by the next channel's result.
export class ChannelFallback1766100000001 implements MigrationInterface {
  name = 'ChannelFallback1766100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE deliveries ADD COLUMN fallback_to text, ADD COLUMN fallback_from text`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE deliveries DROP COLUMN IF EXISTS fallback_from, DROP COLUMN IF EXISTS fallback_to`,
    );
  }
}
