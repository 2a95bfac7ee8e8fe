import type { MigrationInterface, QueryRunner } from 'typeorm';

// What the gateways cache to keep the public APIs cheap (tokens, hook keys, broadcast settings,
// bots, blocks, channels) announces its own changes: a statement-level trigger NOTIFYs
// `herald_changes` with the table's name, delivered at commit to every listening gateway, which
// drops that cache at once. So revoking a token or regenerating a hook key takes effect on the
// next request on every instance, whoever wrote the change (admin API, console, plain SQL).
const TABLES = ['bots', 'bot_tokens', 'channels', 'blocks', 'broadcasts'] as const;

export class ChangeNotifications1765100000000 implements MigrationInterface {
  name = 'ChangeNotifications1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION herald_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('herald_changes', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of TABLES) {
      await q.query(`
        CREATE TRIGGER ${table}_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES)
      await q.query(`DROP TRIGGER IF EXISTS ${table}_notify_change ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS herald_notify_change()`);
  }
}
