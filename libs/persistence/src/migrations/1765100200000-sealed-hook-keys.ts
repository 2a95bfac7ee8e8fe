import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SecretBox, sha256Hex } from '../secret-box.js';

// Hook keys sealed at rest like credentials (issue 11): a database read no longer reveals working
// hook URLs. Lookups go by a SHA-256 digest of the key (it is random, 192 bits: no salt needed);
// the key itself is kept sealed (AES-256-GCM) only to show operators their URL.
// Sealing needs the services' HERALD_ENCRYPTION_KEY in this process's environment (the
// development default outside production, as the services use).
const DEVELOPMENT_KEY = 'herald-local-development-key-not-for-production'; // BaseConfig's default

function box(): SecretBox {
  const key = process.env.HERALD_ENCRYPTION_KEY;
  if (!key && process.env.NODE_ENV === 'production') {
    throw new Error(
      'HERALD_ENCRYPTION_KEY must be set to seal the existing hook keys (migration SealedHookKeys1765100200000)',
    );
  }
  return new SecretBox(key || DEVELOPMENT_KEY);
}

export class SealedHookKeys1765100200000 implements MigrationInterface {
  name = 'SealedHookKeys1765100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE broadcasts ADD COLUMN hook_key_digest text, ADD COLUMN hook_key_sealed text`,
    );
    const rows: Array<{ id: string; hook_key: string }> = await q.query(
      `SELECT id, hook_key FROM broadcasts`,
    );
    if (rows.length > 0) {
      const sealer = box();
      await q.query(
        `UPDATE broadcasts b SET hook_key_digest = x.digest, hook_key_sealed = x.sealed
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(id, digest, sealed) WHERE b.id = x.id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => sha256Hex(r.hook_key)),
          rows.map((r) => sealer.seal(r.hook_key)),
        ],
      );
    }
    await q.query(
      `ALTER TABLE broadcasts ALTER COLUMN hook_key_digest SET NOT NULL, ALTER COLUMN hook_key_sealed SET NOT NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX broadcasts_hook_key_digest ON broadcasts (hook_key_digest)`);
    await q.query(`ALTER TABLE broadcasts DROP COLUMN hook_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts ADD COLUMN hook_key text`);
    const rows: Array<{ id: string; hook_key_sealed: string }> = await q.query(
      `SELECT id, hook_key_sealed FROM broadcasts`,
    );
    if (rows.length > 0) {
      const opener = box();
      await q.query(
        `UPDATE broadcasts b SET hook_key = x.key FROM unnest($1::uuid[], $2::text[]) AS x(id, key) WHERE b.id = x.id`,
        [rows.map((r) => r.id), rows.map((r) => opener.open<string>(r.hook_key_sealed))],
      );
    }
    await q.query(
      `ALTER TABLE broadcasts ALTER COLUMN hook_key SET NOT NULL, ADD CONSTRAINT broadcasts_hook_key_key UNIQUE (hook_key)`,
    );
    await q.query(`DROP INDEX broadcasts_hook_key_digest`);
    await q.query(
      `ALTER TABLE broadcasts DROP COLUMN hook_key_digest, DROP COLUMN hook_key_sealed`,
    );
  }
}
