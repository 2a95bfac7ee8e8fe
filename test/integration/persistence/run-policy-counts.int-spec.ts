// A run's failover and fallback counts on real PostgreSQL: right, the run's own, and read from
// the partial indexes of the rows that failed over or fell back, never by walking every
// delivery of the run (a status poll of a million-person run must not cost a million rows).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeliveryReportRepository, dataSourceOptions } from '@herald/persistence';
import { prepareDatabase, testDatabaseUrl } from '../../utils/index.js';

const PEOPLE = 20_000;

describe("a run's policy counts (real PostgreSQL)", () => {
  let db: DataSource;
  let report: DeliveryReportRepository;
  const botId = randomUUID();
  const runId = randomUUID();
  const otherRunId = randomUUID();

  beforeAll(async () => {
    await prepareDatabase();
    db = new DataSource({ ...dataSourceOptions({ url: testDatabaseUrl(), poolSize: 2 }) });
    await db.initialize();
    report = new DeliveryReportRepository(db);
    const rows = (run: string, n: number) =>
      db.query(
        `INSERT INTO deliveries (run_id, contact_id, bot_id, channel, status)
         SELECT $1, gen_random_uuid(), $2, 'sms', 'sent' FROM generate_series(1, $3)`,
        [run, botId, n],
      );
    await rows(runId, PEOPLE);
    await rows(otherRunId, 100);
    const mark = (run: string, column: 'failover' | 'fallback_to', n: number) =>
      db.query(
        `UPDATE deliveries SET ${column} = 'x'
          WHERE (run_id, contact_id) IN (SELECT run_id, contact_id FROM deliveries WHERE run_id = $1 LIMIT $2)`,
        [run, n],
      );
    await mark(runId, 'failover', 3);
    await mark(runId, 'fallback_to', 2);
    await mark(otherRunId, 'failover', 50);
    await mark(otherRunId, 'fallback_to', 40);
    await db.query('ANALYZE deliveries');
  }, 60_000);

  afterAll(async () => {
    await db?.query('DELETE FROM deliveries WHERE run_id = ANY($1)', [[runId, otherRunId]]);
    await db?.destroy();
  });

  it("counts the run's own people reached by failover and by fallback", async () => {
    await expect(report.policyCounts(runId)).resolves.toEqual({ failedOver: 3, fellBack: 2 });
    await expect(report.policyCounts(otherRunId)).resolves.toEqual({
      failedOver: 50,
      fellBack: 40,
    });
    await expect(report.policyCounts(randomUUID())).resolves.toEqual({
      failedOver: 0,
      fellBack: 0,
    });
  });

  it("reads the partial indexes, not the run's deliveries", async () => {
    // The repository's own statement, as it sends it, explained.
    const sent: Array<{ sql: string; params: unknown[] }> = [];
    const recording = {
      query: (sql: string, params: unknown[]) => {
        sent.push({ sql, params });
        return db.query(sql, params);
      },
    } as unknown as DataSource;
    await new DeliveryReportRepository(recording).policyCounts(runId);
    expect(sent).toHaveLength(1);
    const [{ 'QUERY PLAN': plan }] = await db.query<Array<{ 'QUERY PLAN': unknown }>>(
      `EXPLAIN (FORMAT JSON, ANALYZE) ${sent[0].sql}`,
      sent[0].params,
    );
    const nodes: Array<Record<string, unknown>> = [];
    const walk = (node: Record<string, unknown>) => {
      nodes.push(node);
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? [])
        walk(child);
    };
    walk((plan as Array<{ Plan: Record<string, unknown> }>)[0].Plan);
    // An index scan names its index; a bitmap scan names it on its Bitmap Index Scan child.
    const indexes = [...new Set(nodes.map((n) => n['Index Name']).filter(Boolean))].sort();
    expect(indexes).toEqual(['deliveries_failover_run_idx', 'deliveries_fallback_to_run_idx']);
    const scans = nodes.filter((n) => n['Relation Name'] === 'deliveries');
    expect(scans.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
    // Rows visited: the marked ones, not the run's 20,000.
    const visited = scans.reduce((sum, n) => sum + Number(n['Actual Rows'] ?? 0), 0);
    expect(visited).toBeLessThanOrEqual(5);
  });
});
