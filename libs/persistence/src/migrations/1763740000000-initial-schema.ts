import type { MigrationInterface, QueryRunner } from 'typeorm';

// Ownership (one writing service per table): gateway → bots, bot_tokens, channels, blocks,
// broadcasts, idempotency_keys; contact → contacts; audience → runs; delivery-* → deliveries.
export class InitialSchema1763740000000 implements MigrationInterface {
  name = 'InitialSchema1763740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bots (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        rate_limit_rps integer NOT NULL DEFAULT 25 CHECK (rate_limit_rps > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE bot_tokens (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
        name text,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX bot_tokens_bot_id_idx ON bot_tokens (bot_id)`);
    await q.query(`
      CREATE TABLE channels (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('whatsapp', 'sms', 'messenger')),
        config jsonb NOT NULL,
        credentials_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (bot_id, type)
      )`);
    await q.query(`
      CREATE TABLE blocks (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
        name text NOT NULL,
        messages jsonb NOT NULL CHECK (jsonb_typeof(messages) = 'array'),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (bot_id, name)
      )`);
    await q.query(`
      CREATE TABLE broadcasts (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
        name text NOT NULL,
        content jsonb NOT NULL,
        audience jsonb,
        recipients jsonb,
        settings jsonb NOT NULL,
        hook_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX broadcasts_bot_id_idx ON broadcasts (bot_id)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        bot_id uuid NOT NULL,
        key text NOT NULL,
        status_code integer NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bot_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('whatsapp', 'sms', 'messenger')),
        user_id text NOT NULL,
        phone text,
        email text,
        fbid text,
        variables jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(variables) = 'object'),
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        last_inbound_at timestamptz,
        opted_out_at timestamptz,
        UNIQUE (bot_id, channel, user_id)
      )`);
    // Keyset pages walk (bot_id, id); lookups by the other identities.
    await q.query(`CREATE INDEX contacts_bot_id_id_idx ON contacts (bot_id, id)`);
    await q.query(
      `CREATE INDEX contacts_bot_phone_idx ON contacts (bot_id, phone) WHERE phone IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_bot_email_idx ON contacts (bot_id, lower(email)) WHERE email IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_bot_fbid_idx ON contacts (bot_id, fbid) WHERE fbid IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        broadcast_id uuid,
        source text NOT NULL,
        status text NOT NULL CHECK (status IN ('scheduled', 'resolving', 'delivering', 'completed', 'failed', 'cancelled')),
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        scheduled_for timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        request jsonb,
        pages_emitted integer NOT NULL DEFAULT 0,
        resume_cursor text,
        resolution_done boolean NOT NULL DEFAULT false,
        targeted integer NOT NULL DEFAULT 0,
        sent integer NOT NULL DEFAULT 0,
        delivered integer NOT NULL DEFAULT 0,
        read integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX runs_bot_id_created_at_idx ON runs (bot_id, created_at DESC)`);
    await q.query(`CREATE INDEX runs_due_idx ON runs (scheduled_for) WHERE status = 'scheduled'`);
    await q.query(`
      CREATE TABLE deliveries (
        run_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        bot_id uuid NOT NULL,
        channel text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        provider_message_id text,
        reason text,
        code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, contact_id)
      )`);
    await q.query(
      `CREATE INDEX deliveries_provider_message_id_idx ON deliveries (provider_message_id) WHERE provider_message_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'deliveries',
      'runs',
      'contacts',
      'idempotency_keys',
      'broadcasts',
      'blocks',
      'channels',
      'bot_tokens',
      'bots',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
