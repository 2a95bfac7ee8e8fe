import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows an `UPDATE … RETURNING` gave back. TypeORM's PostgreSQL driver hands a top-level
 * UPDATE's result over as `[rows, count]` (INSERT and SELECT come back as plain rows).
 */
export async function updateReturning<T>(
  db: DataSource | EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const [rows] = await db.query<[T[], number]>(sql, params);
  return rows;
}

/** Rows one pruning statement deletes: a few hundred milliseconds of work. */
const PRUNE_CHUNK = 10_000;

/**
 * Deletes the rows `select` names (a SELECT of `key` columns ending in `LIMIT $n`, `$n` being
 * the last parameter, `chunk`) one statement of `chunk` rows at a time, until fewer are left:
 * a table of millions is emptied without any statement outliving the statement timeout.
 * Returns how many rows went.
 */
export async function deleteInChunks(
  db: DataSource,
  table: string,
  key: string,
  select: string,
  params: unknown[],
  chunk = PRUNE_CHUNK,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows: Array<{ n: number }> = await db.query(
      `WITH gone AS (DELETE FROM ${table} WHERE (${key}) IN (${select}) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [...params, chunk],
    );
    const gone = rows[0]?.n ?? 0;
    total += gone;
    if (gone < chunk) return total;
  }
}
