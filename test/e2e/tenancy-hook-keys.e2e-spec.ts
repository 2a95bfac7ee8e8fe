// Issue 11: hook keys are sealed at rest. A database read shows no working hook URL; the hook
// still opens by its key; and the migration seals the existing keys and gives them back on down.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { SealedHookKeys1765100200000 } from '../../libs/persistence/src/migrations/1765100200000-sealed-hook-keys.js';
import { testDatabaseUrl } from '@herald/testing';
import {
  createBot,
  startGatewayHarness,
  type GatewayHarness,
} from '../integration/gateway/gateway-harness.js';

describe('tenancy: hook keys sealed at rest', () => {
  let gateway: GatewayHarness;
  let db: pg.Pool;

  beforeAll(async () => {
    gateway = await startGatewayHarness();
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await db?.end();
  });

  it('the row holds no plain key, yet the hook opens by it and the operator sees it', async () => {
    const bot = await createBot(gateway, { channels: ['whatsapp'] });
    const created = await gateway.admin<{ id: string; hookKey: string; hookUrl: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'sealed',
        content: { messages: [{ text: 'Hi' }] },
        settings: { requireValidFilter: false },
      },
    );
    expect(created.status).toBe(201);
    const { rows } = await db.query<{ row: string }>(
      'SELECT row_to_json(b)::text AS row FROM broadcasts b WHERE id = $1',
      [created.body.id],
    );
    expect(rows[0].row).not.toContain(created.body.hookKey);
    expect(created.body.hookUrl).toContain(`/hooks/${created.body.hookKey}`);
    expect(
      (
        await fetch(`${gateway.url}/hooks/${created.body.hookKey}`, {
          headers: { authorization: `Bearer ${bot.token}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (await gateway.admin<{ hookKey: string }>('GET', `/admin/broadcasts/${created.body.id}`)).body
        .hookKey,
    ).toBe(created.body.hookKey);
  });

  it('the migration seals existing keys (up) and restores them (down)', async () => {
    const schema = `mig_${randomBytes(4).toString('hex')}`;
    const source = new DataSource({ type: 'postgres', url: testDatabaseUrl(), extra: { max: 1 } });
    await source.initialize();
    const runner = source.createQueryRunner();
    try {
      await runner.query(`CREATE SCHEMA ${schema}`);
      await runner.query(`SET search_path TO ${schema}`);
      await runner.query(
        `CREATE TABLE broadcasts (id uuid PRIMARY KEY, hook_key text NOT NULL UNIQUE)`,
      );
      const keys = ['key-one-0123456789', 'key-two-0123456789'];
      await runner.query(
        `INSERT INTO broadcasts SELECT gen_random_uuid(), k FROM unnest($1::text[]) AS k`,
        [keys],
      );
      const migration = new SealedHookKeys1765100200000();
      await migration.up(runner);
      const sealed: Array<{ row: string; digest: string }> = await runner.query(
        `SELECT row_to_json(b)::text AS row, hook_key_digest AS digest FROM broadcasts b`,
      );
      expect(sealed).toHaveLength(2);
      for (const { row } of sealed) for (const key of keys) expect(row).not.toContain(key);
      expect(sealed.map((s) => s.digest).sort()).toEqual(
        (
          (await runner.query(
            `SELECT encode(sha256(k::bytea), 'hex') AS d FROM unnest($1::text[]) AS k`,
            [keys],
          )) as Array<{ d: string }>
        )
          .map((r) => r.d)
          .sort(),
      );

      await migration.down(runner);
      const restored: Array<{ hook_key: string }> = await runner.query(
        `SELECT hook_key FROM broadcasts ORDER BY hook_key`,
      );
      expect(restored.map((r) => r.hook_key)).toEqual(keys);
    } finally {
      await runner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await runner.release();
      await source.destroy();
    }
  });
});
