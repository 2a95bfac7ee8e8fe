// The run counts a statement moving delivery rows keeps, in the same statement: the delivery
// services count a person sent or failed exactly when their row moves (DeliveryRepository).

/**
 * The end of a statement whose `moved` CTE returns (run_id, contact_id) of the rows it moved:
 * adds each run's moved rows to its counts (`sent` and `failed` by the signs given) and completes
 * a run that is then settled, in the same statement, so a row's move and its count commit
 * together and a person is counted exactly when their row moves, once. A person the dead-letter
 * ledger already counted as failed (a dead request, run_outcomes) is not counted again. Runs are
 * locked in id order, so statements moving rows of several runs at once cannot deadlock.
 */
export function countMoved(sent: -1 | 0 | 1, failed: 0 | 1): string {
  const settled = `r.sent + r.failed + r.skipped + ${sent + failed} * c.n >= r.targeted`;
  const completes = `r.status = 'delivering' AND r.resolution_done AND ${settled}`;
  return `, counts AS (
         SELECT m.run_id, count(*)::int AS n FROM moved m
          WHERE NOT EXISTS (SELECT 1 FROM run_outcomes o
                             WHERE o.run_id = m.run_id AND o.subject = m.contact_id::text AND o.status = 'failed')
          GROUP BY m.run_id
       ), locked AS (
         SELECT r.id FROM runs r WHERE r.id IN (SELECT run_id FROM counts) ORDER BY r.id FOR UPDATE
       ), counted AS (
         UPDATE runs r SET sent = r.sent + ${sent} * c.n, failed = r.failed + ${failed} * c.n,
                status = CASE WHEN ${completes} THEN 'completed' ELSE r.status END,
                finished_at = CASE WHEN ${completes} THEN now() ELSE r.finished_at END
           FROM counts c JOIN locked l ON l.id = c.run_id
          WHERE r.id = c.run_id
         RETURNING r.id
       )`;
}
