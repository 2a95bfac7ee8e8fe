// Migration 1765500100000 on real PostgreSQL: contacts written several ways become one E.164
// person (newest variables win, deliveries follow), unreadable numbers are reported and kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS, dataSourceOptions } from '@herald/persistence';
import { prepareDatabase, testDatabaseUrl } from '../../utils/index.js';

describe('contact phones migration (real PostgreSQL)', () => {
  let db: DataSource;
  const botId = randomUUID();
  const ids = {
    old: randomUUID(),
    mid: randomUUID(),
    newest: randomUUID(),
    wa: randomUUID(),
    bad: randomUUID(),
    national: randomUUID(),
  };

  beforeAll(async () => {
    await prepareDatabase();
    db = new DataSource({ ...dataSourceOptions({ url: testDatabaseUrl(), poolSize: 2 }) });
    await db.initialize();
    await db.query(
      `INSERT INTO bots (id, name, settings) VALUES ($1, 'phones', '{"defaultCountry": "GB"}')`,
      [botId],
    );
    const insert = (
      id: string,
      channel: string,
      userId: string,
      phone: string | null,
      variables: object,
      lastSeen: string,
    ) =>
      db.query(
        `INSERT INTO contacts (id, bot_id, channel, user_id, phone, variables, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [id, botId, channel, userId, phone, JSON.stringify(variables), lastSeen],
      );
    await insert(
      ids.old,
      'sms',
      '15551234567',
      '15551234567',
      { first_name: 'Ada', plan: 'free' },
      '2026-01-01T00:00:00Z',
    );
    await insert(
      ids.mid,
      'sms',
      '+1 (555) 123-4567',
      null,
      { plan: 'pro' },
      '2026-02-01T00:00:00Z',
    );
    await insert(
      ids.newest,
      'sms',
      '+15551234567',
      '+15551234567',
      { plan: 'gold' },
      '2026-03-01T00:00:00Z',
    );
    await insert(ids.wa, 'whatsapp', '+15551234567', null, {}, '2026-01-01T00:00:00Z');
    await insert(ids.national, 'sms', '07700 900123', null, {}, '2026-01-01T00:00:00Z');
    await insert(ids.bad, 'sms', 'call-me', null, {}, '2026-01-01T00:00:00Z');
    const runId = randomUUID();
    await db.query(
      `INSERT INTO deliveries (run_id, contact_id, bot_id, channel, status) VALUES ($1, $2, $3, 'sms', 'sent')`,
      [runId, ids.old, botId],
    );
    // Run the migration again over these rows (the suite's database has it applied already).
    await db.query(`DROP TABLE contact_phone_migration`);
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    const Migration = MIGRATIONS.find((m) => m.name === 'ContactPhonesE1641765500100000')!;
    await new Migration().up(runner);
    await runner.commitTransaction();
    await runner.release();
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
  });

  it('merges one person written three ways into the newest contact, in E.164', async () => {
    const rows: Array<{
      id: string;
      channel: string;
      user_id: string;
      phone: string;
      variables: object;
    }> = await db.query(
      `SELECT id, channel, user_id, phone, variables FROM contacts WHERE bot_id = $1 ORDER BY id`,
      [botId],
    );
    expect(rows).toHaveLength(4);
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          id: ids.national,
          channel: 'sms',
          user_id: '+447700900123',
          phone: '+447700900123',
          variables: {},
        },
        {
          id: ids.newest,
          channel: 'sms',
          user_id: '+15551234567',
          phone: '+15551234567',
          variables: { first_name: 'Ada', plan: 'gold' },
        },
        { id: ids.bad, channel: 'sms', user_id: 'call-me', phone: null, variables: {} },
        {
          id: ids.wa,
          channel: 'whatsapp',
          user_id: '15551234567',
          phone: '+15551234567',
          variables: {},
        },
      ]),
    );
    const deliveries: Array<{ contact_id: string }> = await db.query(
      `SELECT contact_id FROM deliveries WHERE bot_id = $1`,
      [botId],
    );
    expect(deliveries).toEqual([{ contact_id: ids.newest }]);
  });

  it('reports the merge, the unreadable number and a summary', async () => {
    const report: Array<{
      kind: string;
      kept_contact_id: string | null;
      merged_contact_ids: string[] | null;
      reason: string;
    }> = await db.query(
      `SELECT kind, kept_contact_id, merged_contact_ids, reason FROM contact_phone_migration WHERE bot_id = $1 OR kind = 'summary' ORDER BY id`,
      [botId],
    );
    expect(report.find((r) => r.kind === 'merged')).toMatchObject({
      kept_contact_id: ids.newest,
      merged_contact_ids: expect.arrayContaining([ids.old, ids.mid]),
    });
    expect(report.find((r) => r.kind === 'invalid')).toMatchObject({
      kept_contact_id: ids.bad,
      reason: expect.stringContaining('not a phone number'),
    });
    expect(report.find((r) => r.kind === 'summary')?.reason).toMatch(
      /normalised to E\.164, \d+ duplicates merged into \d+ people, \d+ unreadable numbers left unchanged/,
    );
  });
});
