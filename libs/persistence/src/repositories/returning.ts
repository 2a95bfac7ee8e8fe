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
