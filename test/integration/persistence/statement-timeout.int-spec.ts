// Every statement is bounded (real PostgreSQL). A statement held by a lock that a stalled
// session keeps fails after DATABASE_STATEMENT_TIMEOUT_MS, and the failure reads as an outage
// (its records pause and come again, spending nothing), never as the record's own fault. The
// janitors that empty large tables do it a bounded chunk a statement, so none of them can outlive
// the limit however much has piled up.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { classifyFailure } from '@herald/errors';
import {
  DeliveryRepository,
  FrequencyLedgerRepository,
  InboundReceiptRepository,
  dataSourceOptions,
} from '@herald/persistence';
import { prepareDatabase, testDatabaseUrl } from '../../utils/index.js';

const LIMIT_MS = 300;

describe('statement timeout (real PostgreSQL)', () => {
  let db: DataSource;
  let stalled: pg.Client;

  beforeAll(async () => {
    await prepareDatabase();
    db = new DataSource(
      dataSourceOptions({ url: testDatabaseUrl(), poolSize: 2, statementTimeoutMs: LIMIT_MS }),
    );
    await db.initialize();
    stalled = new pg.Client({ connectionString: testDatabaseUrl() });
    await stalled.connect();
  });

  afterAll(async () => {
    await stalled?.end();
    await db?.destroy();
  });

  it('holds on every connection of the pool', async () => {
    const rows: Array<{ statement_timeout: string }> = await db.query('SHOW statement_timeout');
    expect(rows[0].statement_timeout).toBe(`${LIMIT_MS}ms`);
  });

  it('ends a claim stuck behind a lock a stalled session holds, as an outage', async () => {
    const deliveries = new DeliveryRepository(db);
    const row = { runId: randomUUID(), contactId: randomUUID(), botId: randomUUID() };
    // Another session claims the same row and then stalls inside its transaction.
    await stalled.query('BEGIN');
    await stalled.query(
      `INSERT INTO deliveries (run_id, contact_id, bot_id, channel, status) VALUES ($1, $2, $3, 'sms', 'sending')`,
      [row.runId, row.contactId, row.botId],
    );
    try {
      const started = Date.now();
      const failure = await deliveries.claim([{ ...row, channel: 'sms' }]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeDefined();
      expect(String((failure as Error).message)).toMatch(/statement timeout/);
      expect(classifyFailure(failure)).toBe('outage');
      // Cut off near the limit, not after the stalled session let go.
      expect(Date.now() - started).toBeLessThan(LIMIT_MS + 5_000);
    } finally {
      await stalled.query('ROLLBACK');
    }
    // Once the lock is gone the same claim goes through: nothing was spent.
    const claimed = await deliveries.claim([{ ...row, channel: 'sms' }]);
    expect(claimed.size).toBe(1);
  });

  it('prunes the frequency ledger a chunk a statement, keeping what caps still look at', async () => {
    const ledger = new FrequencyLedgerRepository(db);
    const botId = randomUUID();
    const insert = (n: number, age: string) =>
      db.query(
        `INSERT INTO frequency_ledger (contact_id, run_id, bot_id, at)
         SELECT gen_random_uuid(), gen_random_uuid(), $1, now() - $2::interval FROM generate_series(1, $3)`,
        [botId, age, n],
      );
    await insert(25, '40 days');
    await insert(4, '2 days');
    const statements: string[] = [];
    const query = db.query.bind(db);
    const spy = Object.assign(Object.create(db) as DataSource, {
      query: (sql: string, params?: unknown[]) => {
        statements.push(sql);
        return query(sql, params);
      },
    });
    expect(await new FrequencyLedgerRepository(spy).prune(10)).toBe(25);
    // 10 + 10 + 5: three statements, the last one finding fewer than a chunk.
    expect(statements.filter((s) => s.includes('DELETE'))).toHaveLength(3);
    const left: Array<{ n: number }> = await db.query(
      'SELECT count(*)::int AS n FROM frequency_ledger WHERE bot_id = $1',
      [botId],
    );
    expect(left[0].n).toBe(4);
    expect(await ledger.prune(10)).toBe(0);
  });

  it('prunes old plain inbound receipts a chunk a statement, keeping keywords', async () => {
    const receipts = new InboundReceiptRepository(db);
    const account = `acct-${randomUUID()}`;
    await db.query(
      `INSERT INTO inbound_receipts (channel, account, message_id, sender, keyword, at, received_at)
       SELECT 'sms', $1, 'm' || i, '+15550100', CASE WHEN i <= 2 THEN 'opt_out' END, now(), now() - interval '9 days'
         FROM generate_series(1, 14) AS i`,
      [account],
    );
    expect(await receipts.prune(new Date(Date.now() - 86_400_000), 5)).toBeGreaterThanOrEqual(12);
    const left: Array<{ n: number }> = await db.query(
      'SELECT count(*)::int AS n FROM inbound_receipts WHERE account = $1',
      [account],
    );
    expect(left[0].n).toBe(2);
  });
});
