import { Injectable } from '@nestjs/common';
import { updateReturning } from './returning.js';
import { RunEntity } from '../entities/run.entity.js';
import { RunStatusRepository } from './run-status.repository.js';

/**
 * The gateway's admin API on one run: read it, and cancel it. Cancel is the one write to `runs`
 * outside the audience service: the operator is answered with the run as it then stands, and
 * the audience (lease renewal, fireDue) and delivery (run status) services see it on their next
 * look, so no event is needed. It also brings the run's parked people (paced_deliveries) due at
 * once, so the delivery services end them now.
 */
@Injectable()
export class RunAdminRepository extends RunStatusRepository {
  findById(runId: string): Promise<RunEntity | null> {
    return this.db.getRepository(RunEntity).findOneBy({ id: runId });
  }

  /**
   * Cancels a run that has not finished (for the admin API). A scheduled run then never
   * starts; a resolving one stops before its next page; deliveries not yet sent are skipped.
   * Returns the run as it then stands (null when unknown) and whether this call cancelled it.
   */
  async cancel(
    runId: string,
    reason = 'Cancelled by an operator.',
  ): Promise<{ cancelled: boolean; run: RunEntity | null }> {
    const rows = await updateReturning(
      this.db,
      `UPDATE runs SET status = 'cancelled', reason = $2, finished_at = now(), resolver = NULL
        WHERE id = $1 AND status IN ('scheduled', 'resolving', 'delivering') RETURNING id`,
      [runId, reason],
    );
    // People the delivery services parked behind their account's pacing come due now: their
    // release ends them as cancelled within a second or two, not when their turn would have come.
    if (rows.length > 0)
      await this.db.query(
        `UPDATE paced_deliveries SET due_at = now() WHERE run_id = $1 AND due_at > now()`,
        [runId],
      );
    return { cancelled: rows.length > 0, run: await this.findById(runId) };
  }
}
