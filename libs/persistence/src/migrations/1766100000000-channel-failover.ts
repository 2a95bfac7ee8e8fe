import type { MigrationInterface, QueryRunner } from 'typeorm';

// Provider failover (issue 13): a bot may have several accounts of one channel type, tried in
// `priority` order (lowest first). Existing rows keep priority 0, so they stay first; an account
// added later goes after them unless the admin API is given a priority. Deliveries name the
// account that sent (`account_id`, a channels row) and, when earlier accounts could not, why
// (`failover`): the run shows who was failed over.
export class ChannelFailover1766100000000 implements MigrationInterface {
  name = 'ChannelFailover1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE channels ADD COLUMN priority integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_bot_id_type_key`);
    // Two accounts of one bot and type at one priority would leave their order to chance.
    await q.query(
      `CREATE UNIQUE INDEX channels_bot_type_priority_key ON channels (bot_id, type, priority)`,
    );
    await q.query(`ALTER TABLE deliveries ADD COLUMN account_id uuid, ADD COLUMN failover text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE deliveries DROP COLUMN IF EXISTS failover, DROP COLUMN IF EXISTS account_id`,
    );
    await q.query(`DROP INDEX IF EXISTS channels_bot_type_priority_key`);
    // Only the first account of each bot and type survives going back to one per type.
    await q.query(`
      DELETE FROM channels c USING channels k
       WHERE c.bot_id = k.bot_id AND c.type = k.type AND c.priority > k.priority`);
    await q.query(
      `ALTER TABLE channels ADD CONSTRAINT channels_bot_id_type_key UNIQUE (bot_id, type)`,
    );
    await q.query(`ALTER TABLE channels DROP COLUMN priority`);
  }
}
