import type { MigrationInterface, QueryRunner } from 'typeorm';

// The operator console (issue 12): operator accounts with their roles and bots, their sign-in
// sessions (only a hash of the session id is kept), one row per skipped person of a run with
// the reason (skips used to be only a count), and the indexes that list a bot's or a
// broadcast's runs newest first in keyset pages.
export class OperatorConsole1765300000000 implements MigrationInterface {
  name = 'OperatorConsole1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operators (
        id uuid PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'mobile_operator')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT operators_email_key UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE operator_bots (
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        bot_id uuid NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
        PRIMARY KEY (operator_id, bot_id)
      )`);
    await q.query(`
      CREATE TABLE operator_sessions (
        id_hash text PRIMARY KEY,
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX operator_sessions_expires_at_idx ON operator_sessions (expires_at)`,
    );
    await q.query(`
      CREATE TABLE run_skips (
        run_id uuid NOT NULL,
        id uuid NOT NULL,
        contact_id uuid,
        recipient text,
        channel text,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, id)
      )`);
    await q.query(`CREATE INDEX runs_bot_newest_idx ON runs (bot_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX runs_broadcast_newest_idx ON runs (broadcast_id, created_at DESC, id DESC) WHERE broadcast_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS runs_broadcast_newest_idx`);
    await q.query(`DROP INDEX IF EXISTS runs_bot_newest_idx`);
    await q.query(`DROP TABLE IF EXISTS run_skips`);
    await q.query(`DROP TABLE IF EXISTS operator_sessions`);
    await q.query(`DROP TABLE IF EXISTS operator_bots`);
    await q.query(`DROP TABLE IF EXISTS operators`);
  }
}
